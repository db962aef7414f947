//! slagrade: executable IT-operations service contracts.
pub mod ast;
pub mod calendar;
pub mod clock;
pub mod contract;
pub mod diagnostic;
pub mod eval;
pub mod event;
pub mod gen;
pub mod period;
pub mod score;
pub mod scorecard;
pub mod syntax;
pub mod diff;
pub mod explain;
