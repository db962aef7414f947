//! Checkpoints: an evaluator's state saved as versioned JSON with its contract's hash, and
//! restored under the same contract.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::eval::{EvalError, Evaluator, State, DEFAULT_MAX_SUBJECTS};
use crate::engine::plan::Plan;
use crate::engine::store::Slim;

// 3: the contract hash is its fingerprint (of the canonical form), no longer of the text
const CHECKPOINT_FORMAT: u32 = 3;

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: u32,
    contract_hash: u64,
    state: State,
}

/// Read first: a checkpoint of another format is refused before its state is read.
#[derive(Deserialize)]
struct CheckpointHeader {
    format: u32,
}

impl Evaluator {
    /// Saves the state (versioned JSON, with the contract's hash).
    pub fn checkpoint(&self) -> Vec<u8> {
        let c = Checkpoint {
            format: CHECKPOINT_FORMAT,
            contract_hash: self.plan.contract().fingerprint(),
            state: self.state.clone(),
        };
        serde_json::to_vec(&c).unwrap_or_default()
    }

    /// Restores a checkpoint made under the same contract.
    pub fn restore(plan: &Arc<Plan>, bytes: &[u8]) -> Result<Evaluator, EvalError> {
        let unreadable =
            |e: serde_json::Error| EvalError::Checkpoint(format!("unreadable checkpoint: {e}"));
        let h: CheckpointHeader = serde_json::from_slice(bytes).map_err(unreadable)?;
        if h.format != CHECKPOINT_FORMAT {
            return Err(EvalError::Checkpoint(format!(
                "checkpoint format {} is not supported (expected {CHECKPOINT_FORMAT})",
                h.format
            )));
        }
        let c: Checkpoint = serde_json::from_slice(bytes).map_err(unreadable)?;
        if c.contract_hash != plan.contract().fingerprint() {
            return Err(EvalError::Checkpoint(
                "the checkpoint was made under a different contract".into(),
            ));
        }
        let mut state = c.state;
        // the evaluator looks a stored event's kind and product up without a fallback
        let contract = plan.contract();
        let fits =
            |e: &Slim| contract.kind(e.kind).is_some() && contract.product(e.product).is_some();
        let all_fit = state.logs.iter().all(|l| l.iter().all(fits))
            && state.singles.iter().all(|s| fits(&s.ev));
        if !all_fit {
            return Err(EvalError::Checkpoint(
                "the checkpoint holds an event of a kind or product the contract does not declare"
                    .into(),
            ));
        }
        state.tracked = state.logs.iter().filter(|l| !l.is_empty()).count();
        Ok(Evaluator {
            plan: Arc::clone(plan),
            state,
            max_subjects: DEFAULT_MAX_SUBJECTS,
            threads: 1,
        })
    }
}
