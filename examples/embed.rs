//! A Rust service embedding slagrade: the contract is loaded and compiled once, events are
//! pushed as they arrive (here, the lines of the bundled month, as a service desk would send
//! them), and the live score and the clocks about to breach are read at any moment.
//!
//! ```text
//! cargo run --release --example embed
//! ```

use std::io::BufRead;
use std::sync::Arc;

use slagrade::event::Validator;
use slagrade::{Evaluator, PeriodSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let src = std::fs::read_to_string("examples/egov-2026.sla")?;
    // errors come with every diagnostic; `Display` sums them up
    let checked = slagrade::load(&src)?;
    for w in &checked.warnings {
        eprintln!("warning[{}]: {}", w.code, w.message);
    }
    let plan = checked.compile();

    let validator = Validator::new(plan.contract());
    // shared with the scorecards read from it: a push copies it only while one is alive
    let mut live = Arc::new(Evaluator::new(&plan));
    let file = std::io::BufReader::new(std::fs::File::open("examples/events-2026-10.jsonl")?);
    for (n, line) in file.lines().enumerate() {
        let line = line?;
        // a message from the service desk: validated against the contract, then pushed; a
        // bad one is rejected with its reason and counted, never dropped
        match serde_json::from_str(&line)
            .map_err(|e| slagrade::event::Reason::NotJson(e.to_string()))
            .and_then(|v| validator.value(&v))
        {
            Ok(event) => {
                Arc::make_mut(&mut live).push(event);
            }
            Err(reason) => Arc::make_mut(&mut live).reject(slagrade::event::Rejection {
                line: Some(n as u64 + 1),
                reason,
                text: line,
            }),
        }
        if (n + 1) % 2000 == 0 {
            report(&live)?;
        }
    }
    report(&live)?;
    Ok(())
}

/// The live score of every assessment in the default period (the one holding most events).
fn report(live: &Arc<Evaluator>) -> Result<(), Box<dyn std::error::Error>> {
    // the front door's view of the evaluator, shared rather than copied
    let events = slagrade::Events::from(Arc::clone(live));
    let sel = events.select(&PeriodSpec::Default, None)?;
    for card in events.scorecards(&sel.periods, None)? {
        let c = card.events;
        print!(
            "{} · {} accepted, {} duplicates, {} rejected ·",
            card.period, c.accepted, c.duplicates, c.rejected
        );
        for a in &card.assessments {
            match a.score {
                Some(s) => print!(" {}→{} {s}", a.assessor, a.assessee),
                None => print!(" {}→{} not assessed", a.assessor, a.assessee),
            }
        }
        println!();
    }
    // the clocks still running that breach within eight hours of the latest event
    if let Some(now) = live.latest() {
        let soon = live.at_risk(now, 8 * 3600)?;
        println!("  {} clocks breach within 8 h", soon.len());
        for r in soon.iter().take(2) {
            println!("    {} {} ({})", r.indicator, r.subject, r.product);
        }
    }
    Ok(())
}
