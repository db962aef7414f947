//! Contract text → parse, check, format: never a panic; when the text checks, formatting
//! keeps its meaning: `parse(format(x)) == parse(x)` (trees compare without positions).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slagrade_fuzz::contract_round_trip(data);
});
