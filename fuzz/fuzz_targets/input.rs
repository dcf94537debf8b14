//! The input reader: any bytes, optionally gzipped (and cut) here so that the fuzzer's
//! mutations reach the shapes inside the compression, split into events and parsed, under the
//! default limits or tiny ones. Nothing may panic, and events must be numbered without gaps.

#![no_main]

use cloudtrail_triage::input::{self, Limits, Start};
use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let gzipped = mode & 1 != 0;
    let cut = mode & 2 != 0;
    let tiny = mode & 4 != 0;
    let start = Start {
        index: u64::from(mode >> 3),
        line: u64::from(mode >> 5),
    };
    let limits = if tiny {
        Limits {
            max_input_bytes: 512,
            max_event_bytes: 48,
            max_depth: 3,
        }
    } else {
        Limits::default()
    };

    let bytes = if gzipped {
        let mut compressed = gzip(rest);
        if cut {
            let keep = usize::from(rest.first().copied().unwrap_or(0)) * compressed.len() / 256;
            compressed.truncate(keep.max(2));
        }
        compressed
    } else {
        rest.to_vec()
    };

    let decoded = input::decode(&bytes, &limits);
    let items = decoded.items(start, &limits);

    let mut line = start.line + 1;
    for (position, item) in items.iter().enumerate() {
        assert_eq!(
            item.index,
            start.index + position as u64,
            "events are numbered in order"
        );
        assert!(item.line >= line, "line numbers never go back: {items:?}");
        line = item.line;
        let Ok(text) = item.text else {
            continue;
        };
        assert!(text.len() <= limits.max_event_bytes);
        if let Ok(value) = input::parse_event(text, item.index, item.line, &limits) {
            assert!(value.is_object());
        }
    }
    if gzipped && cut && bytes.len() < gzip(rest).len() {
        let last = items.last().map(|item| item.text.is_err());
        assert_eq!(last, Some(true), "a cut gzip ends with an error");
    }
});

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}
