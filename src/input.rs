//! Input shapes: splitting bytes into the texts of single events, positions kept.
//!
//! Accepted: NDJSON (one event per line; raw records and ECS events may be mixed, and a line
//! may hold a whole `{"Records": [...]}` file), a JSON array of events, a single event, the
//! `{"Records": [...]}` files CloudTrail delivers to S3, and gzip of any of these, known by its
//! magic bytes. A UTF-8 byte-order mark and CRLF line ends are accepted; blank lines are not
//! events. Every event gets one [`Item`]: its text, or an error that names what failed and
//! where, so one bad event never hides the others.

use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::io::Read;

/// Caps that keep hostile input from exhausting memory or the stack. The defaults are far
/// beyond what CloudTrail produces (its records are at most 256 KB and a few levels deep).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest input after decompression, in bytes.
    pub max_input_bytes: usize,
    /// The largest single event, in bytes.
    pub max_event_bytes: usize,
    /// The deepest nesting of objects and arrays in an event. The JSON reader goes no deeper
    /// than [`MAX_JSON_DEPTH`] levels, so a larger value acts as that.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 1 << 30,
            max_event_bytes: 4 << 20,
            max_depth: 64,
        }
    }
}

/// The deepest nesting serde_json reads before it refuses the input.
pub const MAX_JSON_DEPTH: usize = 127;

/// Where a batch starts within a longer input, so positions stay true across chunks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// The 0-based index of the batch's first event.
    pub index: u64,
    /// The 1-based line number of the batch's first line, less one.
    pub line: u64,
}

/// One event of the input: where it is and its text, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item<'a> {
    /// 0-based position among the input's events.
    pub index: u64,
    /// 1-based line where the event starts.
    pub line: u64,
    /// The event's text, or why it could not be read.
    pub text: Result<&'a str, InputError>,
}

/// Why an event, or the input around it, could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// What failed and where, e.g. `event 2 (line 3) is not valid UTF-8: …`.
    pub message: String,
}

impl InputError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Input bytes made ready for splitting: decompressed if they were gzip.
pub struct Decoded<'a> {
    bytes: Cow<'a, [u8]>,
    /// Set when gzip data ended early or could not be inflated; what came before is kept.
    gzip_error: Option<InputError>,
}

/// Decompresses gzip input (by its magic bytes) up to `limits.max_input_bytes`; other input is
/// passed through untouched.
pub fn decode<'a>(bytes: &'a [u8], limits: &Limits) -> Decoded<'a> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Decoded {
            bytes: Cow::Borrowed(bytes),
            gzip_error: None,
        };
    }

    let mut inflated = Vec::new();
    let cap = u64::try_from(limits.max_input_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut reader = MultiGzDecoder::new(bytes).take(cap);
    let gzip_error = match reader.read_to_end(&mut inflated) {
        Ok(_) if inflated.len() > limits.max_input_bytes => Some(InputError::new(format!(
            "the gzip data inflates to more than the limit of {} bytes",
            limits.max_input_bytes
        ))),
        Ok(_) => None,
        Err(error) => Some(InputError::new(format!(
            "the gzip data is damaged or cut off: {} compressed bytes gave {} bytes before \
             the error ({error}); the events in them were read",
            bytes.len(),
            inflated.len()
        ))),
    };
    inflated.truncate(limits.max_input_bytes);
    Decoded {
        bytes: Cow::Owned(inflated),
        gzip_error,
    }
}

impl Decoded<'_> {
    /// Splits the input into events, numbered from `start`.
    pub fn items(&self, start: Start, limits: &Limits) -> Vec<Item<'_>> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        let mut items = Vec::new();
        let mut next = start.index;

        let cut_off = self.gzip_error.is_some();
        match std::str::from_utf8(bytes) {
            Ok(text) if is_document(text) => {
                split_document(text, start, &mut next, &mut items, cut_off);
            }
            Ok(_) => split_lines(bytes, start, &mut next, &mut items, cut_off),
            Err(_) => {
                // A document is split as it would be without its bad bytes, so that they cost
                // only the events that hold them.
                let repaired = repair_utf8(bytes);
                if is_document(&repaired) {
                    let mut found = Vec::new();
                    split_document(&repaired, start, &mut next, &mut found, cut_off);
                    items.extend(restore(found, &repaired, bytes));
                } else {
                    split_lines(bytes, start, &mut next, &mut items, cut_off);
                }
            }
        }

        if let Some(error) = &self.gzip_error {
            let line = items.last().map_or(start.line + 1, |item| item.line);
            items.push(Item {
                index: next,
                line,
                text: Err(error.clone()),
            });
        }
        for item in &mut items {
            check_size(item, limits);
        }
        items
    }
}

/// Whether the input is one JSON document rather than NDJSON: it is one valid JSON value, or
/// it opens an array (whose elements are then read one by one, so a damaged element costs only
/// itself).
fn is_document(text: &str) -> bool {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return true;
    }
    trimmed.starts_with('{') && serde_json::from_str::<&RawValue>(trimmed).is_ok()
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Records", borrow)]
    records: Option<&'a RawValue>,
}

fn split_document<'a>(
    text: &'a str,
    start: Start,
    next: &mut u64,
    items: &mut Vec<Item<'a>>,
    cut_off: bool,
) {
    let trimmed = text.trim();
    let offset = text.len() - text.trim_start().len();
    let line_of = |at: usize| start.line + 1 + count_lines(text, at);

    if trimmed.starts_with('[') {
        // Whatever follows the array's closing bracket is read as lines, so that nothing is
        // dropped: NDJSON whose first line happens to be an array, say.
        let Some(close) = split_array(text, offset, start, next, items, cut_off) else {
            return;
        };
        let rest = text.get(close + 1..).unwrap_or("");
        if !rest.trim().is_empty() {
            let at = Start {
                index: *next,
                line: start.line + count_lines(text, close + 1),
            };
            split_lines(rest.as_bytes(), at, next, items, cut_off);
        }
        return;
    }

    let envelope = serde_json::from_str::<Envelope<'_>>(trimmed)
        .ok()
        .and_then(|e| e.records);
    let Some(records) = envelope else {
        items.push(Item {
            index: *next,
            line: line_of(offset),
            text: Ok(trimmed),
        });
        *next += 1;
        return;
    };
    let raw = records.get();
    let at = substring_offset(text, raw);
    if raw.starts_with('[') {
        split_array(text, at, start, next, items, cut_off);
    } else {
        let found = crate::enrich::kind(&serde_json::from_str(raw).unwrap_or_default());
        let error = InputError::new(format!(
            "the file's \"Records\" holds {found}, not an array of CloudTrail records"
        ));
        items.push(Item {
            index: *next,
            line: line_of(at),
            text: Err(error),
        });
        *next += 1;
    }
}

/// Splits the array that opens at byte `open` of `text` into its elements' texts, and returns
/// the offset of its closing `]`, `None` when the text ends first. When the gzip data around
/// `text` was `cut_off`, an element it cut short is left out: the gzip error stands for it.
fn split_array<'a>(
    text: &'a str,
    open: usize,
    start: Start,
    next: &mut u64,
    items: &mut Vec<Item<'a>>,
    cut_off: bool,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = open + 1;
    let mut line = start.line + 1 + count_lines(text, pos);
    let mut line_at = pos;

    loop {
        pos = skip_whitespace(bytes, pos);
        match bytes.get(pos) {
            Some(b']') => return Some(pos),
            Some(b',') if pos > open + 1 => pos = skip_whitespace(bytes, pos + 1),
            _ => {}
        }
        line += count_lines(
            text.get(line_at..).unwrap_or(""),
            pos.saturating_sub(line_at),
        );
        line_at = pos;

        let element_start = pos;
        let mut end = scan_value(bytes, pos);
        if end == element_start && bytes.get(end).is_some_and(|&byte| byte != b']') {
            // A stray ',' or '}' where a value should start becomes the element, so that its
            // error quotes it and the split moves past it instead of stopping there forever.
            end += 1;
        }
        let element = text.get(element_start..end).unwrap_or("").trim_end();
        match bytes.get(end) {
            None if cut_off => return None,
            _ if element.is_empty() && end >= bytes.len() => {
                let error = InputError::new(format!(
                    "the JSON array is cut off: it ends before its closing ']' (line {line})"
                ));
                items.push(Item {
                    index: *next,
                    line,
                    text: Err(error),
                });
                *next += 1;
                return None;
            }
            None => {
                let error = InputError::new(format!(
                    "the JSON array is cut off inside element {} (line {line})",
                    *next
                ));
                items.push(Item {
                    index: *next,
                    line,
                    text: Err(error),
                });
                *next += 1;
                return None;
            }
            Some(_) => {
                items.push(Item {
                    index: *next,
                    line,
                    text: Ok(element),
                });
                *next += 1;
                pos = end;
            }
        }
    }
}

/// The end of the JSON value starting at `pos`: the first `,` or `]` outside strings and
/// brackets, or the end of the input. Values are checked when parsed; this only splits.
fn scan_value(bytes: &[u8], mut pos: usize) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    while let Some(&byte) = bytes.get(pos) {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return pos,
                b'}' | b']' => depth -= 1,
                b',' if depth == 0 => return pos,
                _ => {}
            }
        }
        pos += 1;
    }
    pos
}

fn split_lines<'a>(
    bytes: &'a [u8],
    start: Start,
    next: &mut u64,
    items: &mut Vec<Item<'a>>,
    cut_off: bool,
) {
    let mut lines = Lines(Some(bytes)).enumerate().peekable();
    while let Some((number, line)) = lines.next() {
        // The last line of a cut gzip stream is cut too; the gzip error stands for it, unless
        // it holds a `Records` file, whose complete records are still read.
        let cut = cut_off && lines.peek().is_none() && !line.is_empty();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }

        let line_number = start.line + 1 + number as u64;
        let line_start = Start {
            index: *next,
            line: line_number - 1,
        };
        let text = match std::str::from_utf8(line) {
            Ok(text) => event_text(text),
            Err(error) => {
                let repaired = repair_utf8(line);
                let mut found = Vec::new();
                if split_records(event_text(&repaired), line_start, next, &mut found, cut) {
                    items.extend(restore(found, &repaired, line));
                    continue;
                }
                if cut {
                    return;
                }
                let message = format!(
                    "event {} (line {line_number}) is not valid UTF-8: byte {} of the line \
                     starts an invalid sequence",
                    *next,
                    error.valid_up_to() + 1
                );
                items.push(Item {
                    index: *next,
                    line: line_number,
                    text: Err(InputError::new(message)),
                });
                *next += 1;
                continue;
            }
        };

        if text.is_empty() || split_records(text, line_start, next, items, cut) {
            continue;
        }
        if cut {
            return;
        }
        items.push(Item {
            index: *next,
            line: line_number,
            text: Ok(text),
        });
        *next += 1;
    }
}

/// The lines of a text split at each `\n`, as `bytes.split(|&b| b == b'\n')` gives them (the
/// piece after the last newline too, empty or not), found with `memchr`.
struct Lines<'a>(Option<&'a [u8]>);

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.0?;
        match memchr::memchr(b'\n', rest) {
            Some(end) => {
                self.0 = rest.get(end + 1..);
                rest.get(..end)
            }
            None => self.0.take(),
        }
    }
}

/// A line's event text: trimmed, and without the byte-order mark that starts each file when
/// files that have one are concatenated.
fn event_text(line: &str) -> &str {
    let text = line.trim();
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Splits a line that holds a whole `{"Records": [...]}` file into its records, and says
/// whether it did. A line whose JSON is damaged is split too, as far as its array reaches, so
/// that one bad record costs only itself.
fn split_records<'a>(
    text: &'a str,
    start: Start,
    next: &mut u64,
    items: &mut Vec<Item<'a>>,
    cut_off: bool,
) -> bool {
    if !text.starts_with("{\"Records\"") {
        return false;
    }
    let before = items.len();
    if serde_json::from_str::<&RawValue>(text).is_ok() {
        split_document(text, start, next, items, cut_off);
    } else if let Some(open) = records_array(text) {
        let close = split_array(text, open, start, next, items, cut_off);
        let after = close.and_then(|close| text.get(close + 1..)).unwrap_or("");
        let after = after.trim_start();
        let after = after.strip_prefix('}').unwrap_or(after).trim_start();
        if !after.is_empty() {
            let line = start.line + 1 + count_lines(text, text.len() - after.len());
            let message = format!(
                "line {line} goes on after its \"Records\" array, and what follows is not \
                 read{}",
                quote_start(after)
            );
            items.push(Item {
                index: *next,
                line,
                text: Err(InputError::new(message)),
            });
            *next += 1;
        }
    } else {
        return false;
    }
    items.len() > before || cut_off
}

/// The offset of the `[` that opens the array of a text starting `{"Records": [`.
fn records_array(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    for expected in [&b"{"[..], b"\"Records\"", b":"] {
        pos = skip_whitespace(bytes, pos);
        if !bytes.get(pos..)?.starts_with(expected) {
            return None;
        }
        pos += expected.len();
    }
    pos = skip_whitespace(bytes, pos);
    (bytes.get(pos) == Some(&b'[')).then_some(pos)
}

/// `bytes` with each byte of an invalid UTF-8 sequence replaced by `?`: the same events at the
/// same offsets, as text.
fn repair_utf8(bytes: &[u8]) -> String {
    let mut repaired = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        repaired.push_str(chunk.valid());
        repaired.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    repaired
}

/// Points the items split from `repaired` at the same bytes of `original`; an event that holds
/// one of the bytes [`repair_utf8`] replaced becomes an error.
fn restore<'a>(
    found: Vec<Item<'_>>,
    repaired: &str,
    original: &'a [u8],
) -> impl Iterator<Item = Item<'a>> {
    let base = repaired.as_ptr() as usize;
    found.into_iter().map(move |item| {
        let text = item.text.and_then(|text| {
            let at = (text.as_ptr() as usize).saturating_sub(base);
            let Some(bytes) = original.get(at..at + text.len()) else {
                return Err(InputError::new(format!(
                    "event {} (line {}) lies outside the input; this is a bug",
                    item.index, item.line
                )));
            };
            std::str::from_utf8(bytes).map_err(|error| {
                InputError::new(format!(
                    "event {} (line {}) is not valid UTF-8: byte {} of the event starts an \
                     invalid sequence",
                    item.index,
                    item.line,
                    error.valid_up_to() + 1
                ))
            })
        });
        Item {
            index: item.index,
            line: item.line,
            text,
        }
    })
}

fn check_size(item: &mut Item<'_>, limits: &Limits) {
    if let Ok(text) = item.text {
        if text.len() > limits.max_event_bytes {
            item.text = Err(InputError::new(format!(
                "event {} (line {}) is {} bytes, more than the limit of {} bytes",
                item.index,
                item.line,
                text.len(),
                limits.max_event_bytes
            )));
        }
    }
}

/// Reads one event's text as a JSON object, within the nesting limit.
pub fn parse_event(
    item_text: &str,
    index: u64,
    line: u64,
    limits: &Limits,
) -> Result<serde_json::Value, InputError> {
    let depth = nesting_depth(item_text);
    let max_depth = limits.max_depth.min(MAX_JSON_DEPTH);
    if depth > max_depth {
        return Err(InputError::new(format!(
            "event {index} (line {line}) nests {depth} levels deep, more than the limit of \
             {max_depth}"
        )));
    }
    let value: serde_json::Value = serde_json::from_str(item_text).map_err(|error| {
        InputError::new(format!(
            "event {index} (line {line}) is not valid JSON: {error}{}",
            quote_start(item_text)
        ))
    })?;
    if !value.is_object() {
        return Err(InputError::new(format!(
            "event {index} (line {line}) is {}, not a JSON object",
            crate::enrich::kind(&value)
        )));
    }
    Ok(value)
}

/// The deepest nesting of objects and arrays, strings skipped; cheap enough to run before a
/// parse so that hostile depth never reaches the recursive parser.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn quote_start(text: &str) -> String {
    let start: String = text.chars().take(40).collect();
    let more = if text.chars().count() > 40 { "..." } else { "" };
    format!(" (starts with {start:?}{more})")
}

fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

fn count_lines(text: &str, up_to: usize) -> u64 {
    text.as_bytes()
        .iter()
        .take(up_to)
        .filter(|&&b| b == b'\n')
        .count() as u64
}

fn substring_offset(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

#[cfg(test)]
mod tests;
