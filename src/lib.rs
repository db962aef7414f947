//! slagrade: executable IT-operations service contracts.
pub mod ast;
pub mod calendar;
pub mod check;
pub mod clock;
pub mod contract;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod format;
pub mod event;
pub mod explain;
pub mod gen;
pub mod period;
pub mod score;
pub mod scorecard;
pub mod syntax;
