//! slagrade: executable IT-operations service contracts.
// Library code never panics on input: no unwrap/expect/panic/unchecked indexing (tests may).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
pub mod ast;
pub mod calendar;
pub mod check;
pub mod clock;
pub mod contract;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod event;
pub mod explain;
pub mod format;
pub mod gen;
pub mod ingest;
pub mod live;
pub mod period;
pub mod score;
pub mod scorecard;
pub mod spill;
mod store;
pub mod syntax;
