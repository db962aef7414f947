//! Reading event sources into the engine: parallel JSON Lines ingestion, column-wise tables
//! (DataFrames, Arrow), evaluation through
//! partitions on disk, and crash-safe following with checkpoints.
pub mod columns;
pub mod ingest;
pub mod live;
pub mod spill;
