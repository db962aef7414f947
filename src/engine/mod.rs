//! The engine: a checked contract compiled to a flat plan, events pushed into per-subject logs,
//! measures, scores, the chain roll-up and payment, explanations and diffs.
pub mod clock;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod score;
pub mod scorecard;
pub mod selection;
mod store;
