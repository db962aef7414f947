//! The `slagrade` command line: check, format, evaluate, explain, diff and generate.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use slagrade::{Events, Memory, Options, Period, PeriodSpec, Plan, Scorecard};

#[derive(Parser)]
#[command(
    name = "slagrade",
    version,
    about = "Executable IT-operations service contracts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// threads that parse event files (default: the number of cores)
    #[arg(long, global = true)]
    jobs: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiagFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a contract: exit 0 when clean, 1 on errors.
    Check {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: DiagFormat,
    },
    /// Print the canonical form of a contract.
    Fmt {
        file: PathBuf,
        /// exit 1 when the file is not in canonical form
        #[arg(long)]
        check: bool,
        /// rewrite the file in place
        #[arg(long)]
        write: bool,
    },
    /// Evaluate events against a contract and print the scorecard.
    Eval {
        contract: PathBuf,
        events: PathBuf,
        /// a period (`2026-10`), a range (`2026-01..2026-12`) or `all`; default: the period
        /// holding most events
        #[arg(long)]
        period: Option<String>,
        /// evaluation instant (RFC 3339); default: the latest accepted event
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// write rejected lines (line number, reason, text) to this file as JSON Lines
        #[arg(long)]
        rejected: Option<PathBuf>,
        /// write the accepted events of the scored periods that count nowhere (before their
        /// subject's anchor, or of a subject with no anchor) to this file as JSON Lines
        #[arg(long)]
        ignored: Option<PathBuf>,
        /// memory to stay within (`512M`, `8G`); a file that would need more is evaluated
        /// through partitions on disk, with the same result. Default: half the available memory
        #[arg(long)]
        max_memory: Option<String>,
        /// where partitions go when the file is evaluated through disk (default: the system's
        /// temporary directory)
        #[arg(long)]
        spill_dir: Option<PathBuf>,
    },
    /// List what counted against an indicator: breaching subjects and their events.
    Explain {
        contract: PathBuf,
        events: PathBuf,
        #[arg(long)]
        indicator: String,
        /// list every item measured (met and pending clocks with their counted time, subjects
        /// counted in the numerator, covered inventory), not only what counted against it
        #[arg(long)]
        all: bool,
        #[arg(long)]
        assessee: Option<String>,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// as for `eval`: memory to stay within; a larger file goes through partitions on disk
        #[arg(long)]
        max_memory: Option<String>,
        /// as for `eval`: where partitions go
        #[arg(long)]
        spill_dir: Option<PathBuf>,
    },
    /// Re-score the same events under two contract versions.
    Diff {
        old: PathBuf,
        new: PathBuf,
        events: PathBuf,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Evaluate a JSON Lines file with crash-safe checkpoints: resume from the checkpoint's
    /// offset (or start), write a checkpoint every N lines, print the scorecard as `eval` does.
    Follow {
        contract: PathBuf,
        events: PathBuf,
        /// checkpoint file (read when it exists, rewritten atomically)
        #[arg(long)]
        checkpoint: PathBuf,
        /// non-blank lines between two checkpoints (0: only at the end)
        #[arg(long, default_value_t = slagrade::input::live::DEFAULT_EVERY)]
        every: u64,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Generate a realistic event stream for the reference contract (JSON Lines on stdout).
    Gen {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 5000)]
        events: u64,
        /// first month, e.g. 2026-10
        #[arg(long, default_value = "2026-10")]
        from: String,
        /// last month, e.g. 2026-12
        #[arg(long)]
        to: Option<String>,
        /// share of lines out of time order, per mille
        #[arg(long, default_value_t = 20)]
        out_of_order: u32,
        /// duplicates per million lines
        #[arg(long, default_value_t = 1000)]
        duplicates: u32,
        /// malformed lines per million
        #[arg(long, default_value_t = 200)]
        malformed: u32,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// A failure that ends the command, with the exit code to use.
struct Fail(String, u8);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string(), 2)
    }
}

/// `--jobs`, set once at start-up.
static JOBS: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = JOBS.set(cli.jobs);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fail(msg, code)) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            ExitCode::from(code)
        }
    }
}

fn read(path: &Path) -> Result<String, Fail> {
    std::fs::read(path)
        .map_err(|e| Fail(format!("cannot read {}: {e}", path.display()), 2))
        .and_then(|b| {
            String::from_utf8(b).map_err(|e| {
                Fail(
                    format!(
                        "{} is not UTF-8 (byte {})",
                        path.display(),
                        e.utf8_error().valid_up_to()
                    ),
                    1,
                )
            })
        })
}

/// Loads and checks a contract; prints warnings, or the errors and fails.
fn load(path: &Path) -> Result<Arc<Plan>, Fail> {
    let src = read(path)?;
    let name = path.display().to_string();
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match slagrade::load(&src) {
        Ok(checked) => {
            if !checked.warnings.is_empty() {
                eprint!(
                    "{}",
                    slagrade::language::diagnostic::render(&checked.warnings, &src, &name, color)
                );
            }
            Ok(checked.compile())
        }
        Err(diags) => {
            eprint!(
                "{}",
                slagrade::language::diagnostic::render(&diags, &src, &name, color)
            );
            Err(Fail(format!("{name} does not check"), 1))
        }
    }
}

/// `--jobs`, or the machine's parallelism.
fn jobs() -> usize {
    JOBS.get()
        .copied()
        .flatten()
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Reads an events file into memory (for `diff`, which holds two contracts' evaluations).
fn ingest(plan: &Arc<Plan>, path: &Path) -> Result<Events, Fail> {
    let opts = Options {
        threads: jobs(),
        ..Options::default()
    };
    Ok(Events::open(plan, path, &opts)?)
}

fn write_rejected(path: &Path, rejected: &[slagrade::event::Rejection]) -> Result<(), Fail> {
    let mut out = String::new();
    for r in rejected {
        out.push_str(&serde_json::to_string(r)?);
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn parse_as_of(s: Option<&str>) -> Result<Option<i64>, Fail> {
    s.map(|s| slagrade::event::parse_instant(s).map_err(|e| Fail(format!("--as-of: {e}"), 2)))
        .transpose()
}

/// The periods to evaluate (see [`Events::select`]); a narrowed request is a warning on
/// stderr.
fn periods(events: &Events, spec: Option<&str>, as_of: Option<i64>) -> Result<Vec<Period>, Fail> {
    match events.select(&PeriodSpec::from_option(spec), as_of) {
        Ok(sel) => {
            if let Some(w) = &sel.warning {
                eprintln!("warning: {w}");
            }
            Ok(sel.periods)
        }
        Err(e @ slagrade::Error::NoEvents(_)) => Err(Fail(format!("{e} (see --rejected FILE)"), 1)),
        Err(e) => Err(Fail(e.to_string(), 2)),
    }
}

/// Reads an events file, through partitions on disk if it needs more than `max_memory`
/// (default: half the available memory).
fn open(
    plan: &Arc<Plan>,
    events: &Path,
    max_memory: Option<&str>,
    spill_dir: Option<PathBuf>,
) -> Result<Events, Fail> {
    let memory = match max_memory {
        Some(s) => Memory::Bytes(slagrade::input::spill::parse_size(s).ok_or_else(|| {
            Fail(
                format!("--max-memory: `{s}` is not a size (e.g. 512M, 8G)"),
                2,
            )
        })?),
        None => Memory::HalfAvailable,
    };
    let dir = spill_dir.clone().unwrap_or_else(std::env::temp_dir);
    let opts = Options {
        threads: jobs(),
        memory,
        spill_dir,
        ..Options::default()
    };
    let opened = Events::open(plan, events, &opts).map_err(|e| match e {
        e @ slagrade::Error::Spill { .. } => Fail(format!("{e} (see --spill-dir)"), 2),
        e => Fail(e.to_string(), 2),
    })?;
    if let Some(parts) = opened.partitions() {
        eprintln!(
            "note: {} needs more memory than allowed; evaluating it through {parts} partitions in {}",
            events.display(),
            dir.display()
        );
    }
    Ok(opened)
}

/// An unknown name given on the command line: the close one, if any, and all there are.
fn unknown_name<'a>(what: &str, name: &str, known: impl IntoIterator<Item = &'a str>) -> Fail {
    let known: Vec<&str> = known.into_iter().collect();
    let hint = slagrade::contract::check::suggest(name, &known)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    Fail(
        format!(
            "no {what} `{name}`; {hint}the contract has: {}",
            known.join(", ")
        ),
        2,
    )
}

/// Says on stderr which assessments had no evidence, so that an empty period is not read as
/// a perfect one.
fn warn_unassessed(cards: &[Scorecard]) {
    for c in cards {
        let none: Vec<String> = c
            .assessments
            .iter()
            .filter(|a| a.no_evidence())
            .map(|a| format!("{} → {}", a.assessor, a.assessee))
            .collect();
        if !none.is_empty() {
            eprintln!(
                "warning: {}: no evidence for {}: nothing in scope was measured, so there is no score and no fee due",
                c.period,
                none.join(", ")
            );
        }
    }
}

fn print_cards(cards: &[Scorecard], format: Format) -> Result<(), Fail> {
    let mut out = String::new();
    match format {
        Format::Json => {
            let v = match cards {
                [one] => one.to_json(),
                many => serde_json::Value::Array(many.iter().map(Scorecard::to_json).collect()),
            };
            out = serde_json::to_string_pretty(&v)? + "\n";
        }
        Format::Csv => {
            for (i, c) in cards.iter().enumerate() {
                c.to_csv(&mut out, i == 0);
            }
        }
        Format::Table => {
            for (i, c) in cards.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&c.to_table());
            }
            if cards.len() > 1 {
                out.push_str(&slagrade::engine::scorecard::summary(cards));
            }
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// Scores the periods asked for and prints them (`eval`, `follow`); with `ignored`, writes
/// the events of those periods that count nowhere there.
fn score_and_print(
    source: Events,
    period: Option<&str>,
    as_of: Option<&str>,
    format: Format,
    ignored: Option<&Path>,
) -> Result<u8, Fail> {
    let as_of = parse_as_of(as_of)?;
    let ps = periods(&source, period, as_of)?;
    let cards = source.scorecards(&ps, as_of)?;
    warn_unassessed(&cards);
    if let Some(path) = ignored {
        let mut out = String::new();
        for p in &ps {
            for e in source.ignored(p, as_of)? {
                let mut v = serde_json::to_value(&e)?;
                if let Some(m) = v.as_object_mut() {
                    m.insert("period".into(), p.key.clone().into());
                }
                out.push_str(&serde_json::to_string(&v)?);
                out.push('\n');
            }
        }
        std::fs::write(path, out)
            .map_err(|e| Fail(format!("cannot write {}: {e}", path.display()), 2))?;
    }
    if cards.is_empty() {
        let why = if source.counts().accepted == 0 {
            format!(
                "no accepted events: {}",
                slagrade::event::rejection_summary(source.rejected())
            )
        } else {
            "no accepted event anchors a period within the contract's term".into()
        };
        return Err(Fail(format!("nothing to evaluate: {why}"), 1));
    }
    print_cards(&cards, format)?;
    if source.partitions().is_none() {
        // the process ends here: freeing millions of events one by one only costs time
        std::mem::forget(source);
    }
    // else dropping removes the partitions
    Ok(0)
}

fn run(cli: Cli) -> Result<u8, Fail> {
    match cli.command {
        Command::Check { file, format } => {
            let src = read(&file)?;
            let name = file.display().to_string();
            let diags = match slagrade::contract::check::load(&src) {
                Ok(c) => c.warnings,
                Err(d) => d.into_diagnostics(),
            };
            let errors = diags.iter().any(|d| d.is_error());
            match format {
                DiagFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&slagrade::language::diagnostic::to_json(
                        &diags, &src
                    ))?
                ),
                DiagFormat::Text => {
                    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
                    eprint!(
                        "{}",
                        slagrade::language::diagnostic::render(&diags, &src, &name, color)
                    );
                    if !errors {
                        eprintln!("{name}: ok");
                    }
                }
            }
            Ok(u8::from(errors))
        }
        Command::Fmt { file, check, write } => {
            let src = read(&file)?;
            let name = file.display().to_string();
            let formatted = match slagrade::language::format::format(&src) {
                Ok(f) => f,
                Err(d) => {
                    eprint!(
                        "{}",
                        slagrade::language::diagnostic::render(&d, &src, &name, false)
                    );
                    return Ok(1);
                }
            };
            if check {
                if formatted != src {
                    eprintln!("{name} is not formatted; run `slagrade fmt --write {name}`");
                    return Ok(1);
                }
                return Ok(0);
            }
            if write {
                if formatted != src {
                    std::fs::write(&file, formatted)?;
                }
                return Ok(0);
            }
            print!("{formatted}");
            Ok(0)
        }
        Command::Eval {
            contract,
            events,
            period,
            as_of,
            format,
            rejected,
            ignored,
            max_memory,
            spill_dir,
        } => {
            let plan = load(&contract)?;
            let source = open(&plan, &events, max_memory.as_deref(), spill_dir)?;
            if let Some(path) = rejected {
                write_rejected(&path, source.rejected())?;
            }
            score_and_print(
                source,
                period.as_deref(),
                as_of.as_deref(),
                format,
                ignored.as_deref(),
            )
        }
        Command::Explain {
            contract,
            events,
            indicator,
            all,
            assessee,
            period,
            as_of,
            format,
            max_memory,
            spill_dir,
        } => {
            let plan = load(&contract)?;
            let c = &plan.contract();
            // names are checked before the events are read
            let Some(ii) = c.indicators().iter().position(|i| i.id == indicator) else {
                return Err(unknown_name(
                    "indicator",
                    &indicator,
                    c.indicators().iter().map(|i| i.id.as_str()),
                ));
            };
            if let Some(x) = assessee.as_deref() {
                let assessees: Vec<&str> = c
                    .assessments()
                    .iter()
                    .filter_map(|a| c.parties().get(a.assessee).map(|p| p.id.as_str()))
                    .collect();
                if !assessees.contains(&x) {
                    return Err(unknown_name("assessee", x, assessees));
                }
            }
            let source = open(&plan, &events, max_memory.as_deref(), spill_dir)?;
            let as_of = parse_as_of(as_of.as_deref())?;
            let ps = periods(&source, period.as_deref(), as_of)?;
            let mut json_out = Vec::new();
            let mut csv_out = String::from(slagrade::engine::explain::CSV_HEADER);
            for p in &ps {
                let (card, findings) = source.explain(p, as_of, all)?;
                for (ai, a) in card.assessments.iter().enumerate() {
                    if assessee.as_deref().is_some_and(|x| x != a.assessee) {
                        continue;
                    }
                    let Some(ic) = a.indicators.get(ii) else {
                        continue;
                    };
                    let list = findings
                        .get(ai)
                        .and_then(|f| f.get(ii))
                        .cloned()
                        .unwrap_or_default();
                    match format {
                        Format::Csv => {
                            slagrade::engine::explain::csv_rows(&card, a, ic, &list, &mut csv_out)
                        }
                        Format::Json => json_out.push(serde_json::json!({
                            "period": card.period,
                            "assessor": a.assessor,
                            "assessee": a.assessee,
                            "indicator": ic.id,
                            "value": ic.value.map(|v| v.to_string()),
                            "score": ic.score.map(|v| v.to_string()),
                            "target": ic.target,
                            "findings": list,
                        })),
                        Format::Table => {
                            print!("{}", slagrade::engine::explain::render(&card, a, ic, &list))
                        }
                    }
                }
            }
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&json_out)?),
                Format::Csv => print!("{csv_out}"),
                Format::Table => {}
            }
            Ok(0)
        }
        Command::Diff {
            old,
            new,
            events,
            period,
            as_of,
            format,
        } => {
            let old_plan = load(&old)?;
            let new_plan = load(&new)?;
            let old_ev = ingest(&old_plan, &events)?;
            let new_ev = ingest(&new_plan, &events)?;
            let as_of = parse_as_of(as_of.as_deref())?;
            let ps = periods(&old_ev, period.as_deref(), as_of)?;
            let mut out = Vec::new();
            for p in &ps {
                let a = old_ev.explain(p, as_of, false)?;
                let b = new_ev.explain(p, as_of, false)?;
                out.push(slagrade::engine::diff::diff(&a, &b));
            }
            match format {
                Format::Table => {
                    for d in &out {
                        print!("{}", d.to_table());
                    }
                }
                _ => println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &out.iter().map(|d| d.to_json()).collect::<Vec<_>>()
                    )?
                ),
            }
            Ok(0)
        }
        Command::Follow {
            contract,
            events,
            checkpoint,
            every,
            period,
            as_of,
            format,
        } => {
            let plan = load(&contract)?;
            let opts = slagrade::input::live::FollowOptions {
                every,
                ..Default::default()
            };
            let done = slagrade::input::live::follow(&plan, &events, &checkpoint, opts)
                .map_err(|e| Fail(e.to_string(), 2))?;
            let mut ev = done.evaluator;
            ev.set_threads(jobs());
            score_and_print(
                Events::from(ev),
                period.as_deref(),
                as_of.as_deref(),
                format,
                None,
            )
        }
        Command::Gen {
            seed,
            events,
            from,
            to,
            out_of_order,
            duplicates,
            malformed,
            output,
        } => {
            let month = |s: &str| -> Result<(i32, u32), Fail> {
                let bad = || Fail(format!("`{s}` is not a month such as 2026-10"), 2);
                let (y, m) = s.split_once('-').ok_or_else(bad)?;
                let y: i32 = y.parse().map_err(|_| bad())?;
                let m: u32 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&m) {
                    return Err(bad());
                }
                Ok((y, m))
            };
            let from = month(&from)?;
            let to = match to {
                Some(t) => month(&t)?,
                None => from,
            };
            let cfg = slagrade_gen::GenConfig {
                seed,
                events,
                from,
                to,
                out_of_order_permille: out_of_order,
                duplicates_ppm: duplicates,
                malformed_ppm: malformed,
            };
            let stats = match output {
                Some(p) => {
                    let f = std::fs::File::create(&p)?;
                    slagrade_gen::generate(&cfg, std::io::BufWriter::new(f))?
                }
                None => {
                    slagrade_gen::generate(&cfg, std::io::BufWriter::new(std::io::stdout().lock()))?
                }
            };
            eprintln!(
                "{} lines ({} duplicates, {} malformed)",
                stats.lines, stats.duplicates, stats.malformed
            );
            Ok(0)
        }
    }
}
