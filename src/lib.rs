//! slagrade: executable IT-operations service contracts.
//!
//! A contract author writes the service-level agreement in a small language (`.sla`:
//! catalog, business calendars, indicators with deadlines, targets, scoring, weights,
//! payment); slagrade checks it, compiles it once, and evaluates event streams (tickets,
//! alerts, maintenance plans, scans, probes) into exact, explainable scorecards for the chain
//! client → prime contractor → subcontractors.
//!
//! # The front door
//!
//! Load and check a contract, compile it once (an [`Arc`](std::sync::Arc) shared by every
//! thread and evaluator), open events, take scorecards:
//!
//! ```
//! use slagrade::{Events, Options, PeriodSpec};
//!
//! let src = std::fs::read_to_string("examples/egov-2026.sla")?;
//! let plan = slagrade::load(&src)?.compile();
//! let events = Events::open(&plan, "examples/events-2026-10.jsonl", &Options::default())?;
//! let periods = events.select(&PeriodSpec::parse("2026-10"), None)?.periods;
//! let card = &events.scorecards(&periods, None)?[0];
//! let prime = &card.assessments[0];
//! assert_eq!((prime.assessor.as_str(), prime.assessee.as_str()), ("bureau", "prime"));
//! assert_eq!(prime.score.map(|s| s.to_string()), Some("84.80".into()));
//! // what counted against an indicator, event by event
//! let (_, findings) = events.explain(&periods[0], None, false)?;
//! assert!(!findings[0].is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`load`] gives a [`Checked`] contract with its warnings, or a [`LoadError`] holding
//!   every [`Diagnostic`] (render them with `language::diagnostic::render`, feature
//!   `render`).
//! - [`Events`] holds the accepted events of a file ([`Events::open`]), a reader or an
//!   iterator, in memory or, past the [`Memory`] budget of its [`Options`], in partitions on
//!   disk; every question gets the same answer either way. [`Events::select`] resolves a
//!   [`PeriodSpec`] (`2026-10`, `2026-01..2026-12`, `all`, or the default period).
//! - A service pushes events as they come into an [`Evaluator`] and reads live scorecards,
//!   clocks at risk, checkpoints and merges from it (`examples/embed.rs`).
//!
//! # Layers
//!
//! Each folder uses only those before it: `language` (text: syntax, tree, diagnostic codes,
//! formatter) → `time` (calendars, periods) → `contract` (the checked model and the checker
//! that builds it) → `event` (canonical events, validation, JSON Lines) → `engine` (plan,
//! store, measures, scores, roll-up, payment, findings, diff) → `input` (files read on
//! several threads, partitions on disk, following a growing file); beneath them all,
//! [`parallel`] is the one place threads are used and [`text`] measures text as it shows. `docs/architecture.md` says where each concept lives.
#![warn(missing_docs)]
pub mod contract;
pub mod engine;
pub mod event;
pub mod input;
pub mod language;
pub mod time;

mod api;
pub mod parallel;
pub mod text;

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
