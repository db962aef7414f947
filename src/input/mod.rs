//! Reading event sources into the engine: parallel JSON Lines ingestion, evaluation through
//! partitions on disk, and crash-safe following with checkpoints.
pub mod ingest;
pub mod live;
pub mod spill;
