//! slagrade: executable IT-operations service contracts.
#![warn(missing_docs)]
pub mod contract;
pub mod engine;
pub mod event;
pub mod input;
pub mod language;
pub mod time;

mod api;

pub use api::{load, Error, Events, Memory, Options};
pub use contract::check::{Checked, LoadError};
pub use contract::Contract;
pub use engine::diff::Diff;
pub use engine::eval::{Evaluator, Plan};
pub use engine::scorecard::Scorecard;
pub use engine::selection::Selection;
pub use event::Event;
pub use language::diagnostic::Diagnostic;
pub use time::period::{Period, PeriodSpec};
