//! Invariants of the evaluator on generated streams: arrival order, batching, duplicates,
//! partitioning with `merge`, and `checkpoint`/`restore` never change the scorecard.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use proptest::prelude::*;
use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl, Event, Limits, LineOutcome, Rejection};
use slagrade::time::period::Period;

mod common;
use common::{generated, reference_plan, reference_src};

enum Item {
    Ok(Event),
    Bad(Rejection),
}

fn stream(seed: u64, events: u64) -> Vec<Item> {
    let cfg = slagrade_gen::GenConfig {
        seed,
        events,
        out_of_order_permille: 100,
        duplicates_ppm: 5_000,
        malformed_ppm: 5_000,
        ..Default::default()
    };
    let buf = generated(&cfg);
    let plan = reference_plan();
    let mut out = Vec::new();
    read_jsonl(plan.contract(), buf.as_slice(), Limits::default(), |o| {
        out.push(match o {
            LineOutcome::Accepted(e) => Item::Ok(e),
            LineOutcome::Rejected(r) => Item::Bad(r),
        })
    })
    .unwrap();
    out
}

fn feed(ev: &mut Evaluator, items: &[&Item]) {
    for it in items {
        match it {
            Item::Ok(e) => {
                ev.push(e.clone());
            }
            Item::Bad(r) => ev.reject(r.clone()),
        }
    }
}

fn card(ev: &Evaluator, period: &Period) -> serde_json::Value {
    ev.scorecard(period, None).unwrap().to_json()
}

fn reference(items: &[Item]) -> (Evaluator, Period) {
    let mut ev = Evaluator::new(&reference_plan());
    feed(&mut ev, &items.iter().collect::<Vec<_>>());
    let p = ev.default_period(None).unwrap();
    (ev, p)
}

/// A deterministic permutation from a seed (Fisher–Yates with SplitMix64).
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    let mut next = || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..v.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn arrival_order_does_not_matter(seed in 0u64..1000, perm in any::<u64>()) {
        let items = stream(seed, 1500);
        let (base, p) = reference(&items);
        let mut order: Vec<&Item> = items.iter().collect();
        shuffle(&mut order, perm);
        let mut ev = Evaluator::new(&reference_plan());
        feed(&mut ev, &order);
        prop_assert_eq!(card(&ev, &p), card(&base, &p));
    }

    #[test]
    fn batching_does_not_matter(seed in 0u64..1000, cuts in proptest::collection::vec(0usize..2000, 0..6)) {
        let items = stream(seed, 1500);
        let (base, p) = reference(&items);
        // the same evaluator fed in batches, with a scorecard read between batches
        let mut ev = Evaluator::new(&reference_plan());
        let mut cuts = cuts.into_iter().map(|c| c.min(items.len())).collect::<Vec<_>>();
        cuts.sort();
        let mut from = 0;
        for c in cuts.into_iter().chain([items.len()]) {
            feed(&mut ev, &items[from..c].iter().collect::<Vec<_>>());
            let _ = ev.scorecard(&p, None);
            from = c;
        }
        prop_assert_eq!(card(&ev, &p), card(&base, &p));
    }

    #[test]
    fn duplicates_change_only_the_duplicate_count(seed in 0u64..1000, every in 2usize..20) {
        let items = stream(seed, 1200);
        let (base, p) = reference(&items);
        let mut ev = Evaluator::new(&reference_plan());
        feed(&mut ev, &items.iter().collect::<Vec<_>>());
        let again: Vec<&Item> = items
            .iter()
            .filter(|i| matches!(i, Item::Ok(_)))
            .step_by(every)
            .collect();
        feed(&mut ev, &again);
        let mut expected = card(&base, &p);
        let dups = expected["events"]["duplicates"].as_u64().unwrap() + again.len() as u64;
        expected["events"]["duplicates"] = dups.into();
        prop_assert_eq!(card(&ev, &p), expected);
    }

    #[test]
    fn merge_over_a_partition_of_subjects(seed in 0u64..1000, parts in 2usize..5) {
        let items = stream(seed, 1500);
        let (base, p) = reference(&items);
        let mut evs: Vec<Evaluator> = (0..parts).map(|_| Evaluator::new(&reference_plan())).collect();
        for it in &items {
            let k = match it {
                Item::Ok(e) => e.subject().bytes().map(usize::from).sum::<usize>() % parts,
                Item::Bad(_) => 0,
            };
            feed(&mut evs[k], &[it]);
        }
        let mut merged = evs.remove(0);
        for e in evs {
            merged.merge(e).unwrap();
        }
        prop_assert_eq!(card(&merged, &p), card(&base, &p));
    }

    #[test]
    fn pushing_after_a_merge_still_finds_every_id_and_subject(seed in 0u64..1000, parts in 2usize..4) {
        let items = stream(seed, 1200);
        let (base, p) = reference(&items);
        let half = items.len() / 2;
        let mut evs: Vec<Evaluator> = (0..parts).map(|_| Evaluator::new(&reference_plan())).collect();
        for it in &items[..half] {
            let k = match it {
                Item::Ok(e) => e.subject().len() % parts,
                Item::Bad(_) => 0,
            };
            feed(&mut evs[k], &[it]);
        }
        let mut merged = evs.remove(0);
        for e in evs {
            merged.merge(e).unwrap();
        }
        // the rest, then everything again: the merged names must all be found
        feed(&mut merged, &items[half..].iter().collect::<Vec<_>>());
        let oks: Vec<&Item> = items.iter().filter(|i| matches!(i, Item::Ok(_))).collect();
        feed(&mut merged, &oks);
        let mut expected = card(&base, &p);
        let dups = expected["events"]["duplicates"].as_u64().unwrap() + oks.len() as u64;
        expected["events"]["duplicates"] = dups.into();
        prop_assert_eq!(card(&merged, &p), expected);
    }

    #[test]
    fn merge_of_overlapping_evaluators_counts_overlap_as_duplicates(seed in 0u64..1000) {
        let items = stream(seed, 800);
        let (base, p) = reference(&items);
        let all: Vec<&Item> = items.iter().collect();
        let mut a = Evaluator::new(&reference_plan());
        feed(&mut a, &all);
        let mut b = Evaluator::new(&reference_plan());
        let oks: Vec<&Item> = items.iter().filter(|i| matches!(i, Item::Ok(_))).collect();
        feed(&mut b, &oks);
        a.merge(b).unwrap();
        let mut expected = card(&base, &p);
        let accepted = expected["events"]["accepted"].as_u64().unwrap();
        let dups = expected["events"]["duplicates"].as_u64().unwrap();
        // b accepted every event again (each counted once in b) plus saw b's own duplicates
        let b_dups = oks.len() as u64 - accepted;
        expected["events"]["duplicates"] = (dups + accepted + b_dups).into();
        prop_assert_eq!(card(&a, &p), expected);
    }

    #[test]
    fn push_outcomes_is_exactly_one_push_at_a_time(
        seed in 0u64..1000,
        again in 2usize..30,
        max_subjects in prop_oneof![Just(usize::MAX), 1usize..400],
    ) {
        let items = stream(seed, 1200);
        // some events pushed twice, far apart and close together
        let mut all: Vec<&Item> = items.iter().collect();
        all.extend(items.iter().step_by(again));
        let mut one = Evaluator::new(&reference_plan());
        one.set_max_subjects(max_subjects);
        feed(&mut one, &all);
        let mut many = Evaluator::new(&reference_plan());
        many.set_max_subjects(max_subjects);
        let counts = many.push_outcomes(all.iter().map(|it| match it {
            Item::Ok(e) => Ok(e.as_ref()),
            Item::Bad(r) => Err(r.clone()),
        }));
        prop_assert_eq!(counts, one.counts());
        prop_assert_eq!(many.rejected(), one.rejected());
        // the whole state, byte for byte: ids, subjects, logs, singles and attributes
        prop_assert_eq!(many.checkpoint(), one.checkpoint());
    }

    #[test]
    fn checkpoint_then_rest_equals_uninterrupted(seed in 0u64..1000, cut in 0usize..1500) {
        let items = stream(seed, 1500);
        let (base, p) = reference(&items);
        let cut = cut.min(items.len());
        let mut ev = Evaluator::new(&reference_plan());
        feed(&mut ev, &items[..cut].iter().collect::<Vec<_>>());
        let bytes = ev.checkpoint();
        let mut restored = Evaluator::restore(&reference_plan(), &bytes).unwrap();
        feed(&mut restored, &items[cut..].iter().collect::<Vec<_>>());
        prop_assert_eq!(card(&restored, &p), card(&base, &p));
    }
}

#[test]
fn restore_refuses_garbage_and_other_contracts() {
    assert!(Evaluator::restore(&reference_plan(), b"not a checkpoint").is_err());
    let ev = Evaluator::new(&reference_plan());
    let mut bytes = ev.checkpoint();
    // another contract: a changed deadline (a comment alone would not make another contract)
    let src = reference_src().replacen("P1 => 4h", "P1 => 5h", 1);
    let other = Arc::new(Plan::compile(
        slagrade::contract::check::load(&src).unwrap().contract,
    ));
    let err = Evaluator::restore(&other, &bytes).unwrap_err().to_string();
    assert!(err.contains("different contract"), "{err}");
    bytes.truncate(bytes.len() / 2);
    assert!(Evaluator::restore(&reference_plan(), &bytes).is_err());
}
