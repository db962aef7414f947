//! slagrade: executable IT-operations service contracts.
pub mod contract;
pub mod engine;
pub mod event;
pub mod input;
pub mod language;
pub mod time;
