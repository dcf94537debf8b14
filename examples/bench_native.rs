//! The core built natively, fed the way the CLI feeds the wasm core: NDJSON read in batches of
//! at most `--chunk-lines` lines (100) and `--chunk-bytes` bytes (1 MiB), the CLI's defaults,
//! each batch triaged by one call and its results written as one JSON text per line.
//! `bench/run.mjs` compares it with the wasm build on the same file.
//!
//! ```text
//! cargo run --release --example bench_native -- [--enrich] [--brief] [--rule NAME] [--chunk-lines N]
//!     [--chunk-bytes N] FILE > results.ndjson
//! ```
//!
//! Standard error gets one line of JSON: events, input bytes, and the seconds spent in the
//! core ([`Engine::run_ndjson`], the call the CLI makes to the wasm build), apart from reading
//! the file and writing the results.

use cloudtrail_triage::{Detail, Engine, Rule, Start, State};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

struct Options {
    enrich: bool,
    brief: bool,
    rule: String,
    chunk_lines: usize,
    chunk_bytes: usize,
    path: String,
}

fn main() -> ExitCode {
    let options = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench_native: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench_native: {}: {error}", options.path);
            ExitCode::FAILURE
        }
    }
}

fn options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut enrich = false;
    let mut brief = false;
    let mut rule = "latest".to_owned();
    let (mut chunk_lines, mut chunk_bytes) = (100, 1 << 20);
    let mut path = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| {
            args.next()
                .and_then(|value| value.parse::<usize>().ok())
                .filter(|value| *value > 0)
                .ok_or(format!("{name} needs a positive whole number"))
        };
        match arg.as_str() {
            "--enrich" => enrich = true,
            "--brief" => brief = true,
            "--rule" => rule = args.next().ok_or("--rule needs a value")?,
            "--chunk-lines" => chunk_lines = number("--chunk-lines")?,
            "--chunk-bytes" => chunk_bytes = number("--chunk-bytes")?,
            _ if path.is_none() && !arg.starts_with('-') => path = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    let path = path.ok_or(
        "usage: bench_native [--enrich] [--brief] [--rule NAME] [--chunk-lines N] [--chunk-bytes N] \
         FILE",
    )?;
    Ok(Options {
        enrich,
        brief,
        rule,
        chunk_lines,
        chunk_bytes,
        path,
    })
}

fn run(options: &Options) -> io::Result<()> {
    let rule = Rule::builtin(&options.rule).map_err(io::Error::other)?;
    let detail = if options.brief {
        Detail::Brief
    } else {
        Detail::Full
    };
    let engine = Engine::new(vec![rule]).with_detail(detail);
    let mut input = BufReader::with_capacity(1 << 20, File::open(&options.path)?);
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());

    let mut state = State::default();
    let mut start = Start::default();
    let mut batch = Vec::with_capacity(2 * options.chunk_bytes);
    let mut line = Vec::new();
    let mut lines = 0;
    let mut bytes = 0;
    let mut in_core = Duration::ZERO;
    // The results buffer, handed from batch to batch as the wasm build's CLI road does.
    let mut text = String::new();

    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line)?;
        let full = lines >= options.chunk_lines || batch.len() + line.len() > options.chunk_bytes;
        if (read == 0 || full) && lines > 0 {
            let started = Instant::now();
            let buffer = std::mem::take(&mut text);
            let done = engine.run_ndjson(&batch, start, state, options.enrich, buffer);
            in_core += started.elapsed();

            out.write_all(done.text.as_bytes())?;
            text = done.text;
            state = done.state;
            start.index += (done.verdicts.len() / engine.rules().len().max(1)) as u64;
            start.line += lines as u64;
            batch.clear();
            lines = 0;
        }
        if read == 0 {
            break;
        }
        bytes += line.len();
        batch.extend_from_slice(&line);
        lines += 1;
    }
    out.flush()?;

    eprintln!(
        "{{\"events\":{},\"bytes\":{bytes},\"core_seconds\":{:.6}}}",
        start.index,
        in_core.as_secs_f64()
    );
    Ok(())
}
