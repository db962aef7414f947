//! slagrade: executable IT-operations service contracts.
pub mod ast;
pub mod calendar;
pub mod contract;
pub mod diagnostic;
pub mod gen;
