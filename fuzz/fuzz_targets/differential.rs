//! Small event streams for the reference contract, scored by the engine and by the plain
//! reference evaluator of `slagrade_fuzz::reference`: they must agree on every indicator of
//! every assessment.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: slagrade_fuzz::reference::Stream| {
    slagrade_fuzz::reference::differential(&input);
});
