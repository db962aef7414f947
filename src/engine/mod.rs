//! The engine: a checked contract compiled to a flat plan, events pushed into per-subject logs,
//! measures, scores, the chain roll-up and payment, explanations and diffs.
mod anchor;
mod at_risk;
mod chain;
mod checkpoint;
pub mod clock;
mod deadline;
pub mod diff;
pub mod eval;
pub mod explain;
mod findings;
mod flags;
mod ignored;
mod interval;
mod measure;
mod merge;
pub mod payment;
mod plan;
pub mod points;
mod push;
mod rollup;
pub mod score;
pub mod scorecard;
pub mod selection;
mod store;
mod waiver;
