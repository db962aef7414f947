//! Bytes as a JSON Lines file, read against the reference contract: every non-blank line is
//! accepted or rejected with a reason, and accepted + duplicates + rejected = non-blank lines
//! after the evaluator has seen them; a scorecard can always be taken.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slagrade_fuzz::events_accounting(data);
});
