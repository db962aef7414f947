//! Time: business calendars (working hours, statutory holidays, make-up days) and assessment
//! periods.
pub mod calendar;
pub mod instant;
pub mod period;
