//! Results written as JSON text, byte for byte what `serde_json` writes for them.
//!
//! A batch's results are several times the size of its events, and writing them through serde
//! costs more than deciding them: every field goes through the serializer's machinery and every
//! string is scanned a byte at a time. [`write_result`] writes the same text directly, scanning
//! strings eight bytes at a time. It follows the `Serialize` derives of [`EventResult`] and the
//! types inside it field for field (names, order, fields left out when empty); the tests in
//! `tests/fast_path.rs` hold the two to the same bytes.

use crate::kql::Clause;
use crate::provenance::{Issuer, Provenance};
use crate::verdict::{EventResult, NewTerm, Outcome, RuleVerdict, Summary};
use serde_json::Value;

/// Writes `result` as JSON, with `event`, when given, as the text of its `event` field: text
/// that is what `serde_json` writes for the event. Anything but strings, whole numbers and
/// booleans (the values of `event` when it is a [`Value`], numbers with a fraction) is written
/// by `serde_json` itself.
pub(crate) fn write_result(
    out: &mut Vec<u8>,
    result: &EventResult,
    event: Option<&str>,
) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"index\":");
    write_u64(out, result.index);
    out.push(b',');
    write_verdict_fields(out, &result.verdict)?;
    if let Some(summary) = &result.summary {
        out.extend_from_slice(b",\"summary\":");
        write_summary(out, summary);
    }
    if let Some(error) = &result.error {
        out.extend_from_slice(b",\"error\":");
        write_str(out, error);
    }
    match (event, &result.event) {
        (Some(text), _) => {
            out.extend_from_slice(b",\"event\":");
            out.extend_from_slice(text.as_bytes());
        }
        (None, Some(value)) => {
            out.extend_from_slice(b",\"event\":");
            serde_json::to_writer(&mut *out, value)?;
        }
        (None, None) => {}
    }
    if let Some(rules) = &result.rules {
        out.extend_from_slice(b",\"rules\":[");
        for (position, verdict) in rules.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            out.push(b'{');
            write_verdict_fields(out, verdict)?;
            out.push(b'}');
        }
        out.push(b']');
    }
    if let Some(provenance) = &result.provenance {
        out.extend_from_slice(b",\"provenance\":");
        write_provenance(out, provenance);
    }
    out.push(b'}');
    Ok(())
}

/// A verdict's fields, from `"rule"` on, without the braces around them.
fn write_verdict_fields(out: &mut Vec<u8>, verdict: &RuleVerdict) -> serde_json::Result<()> {
    out.extend_from_slice(b"\"rule\":");
    write_str(out, &verdict.rule);
    out.extend_from_slice(b",\"match\":");
    write_bool(out, verdict.matched);
    out.extend_from_slice(b",\"alert\":");
    write_bool(out, verdict.alert);
    out.extend_from_slice(b",\"verdict\":");
    out.extend_from_slice(match verdict.verdict {
        Outcome::Alert => b"\"alert\"",
        Outcome::Repeat => b"\"repeat\"",
        Outcome::Match => b"\"match\"",
        Outcome::NoMatch => b"\"no_match\"",
        Outcome::Error => b"\"error\"",
    });
    out.extend_from_slice(b",\"reasons\":");
    write_strs(out, &verdict.reasons);
    out.extend_from_slice(b",\"clauses\":[");
    for (position, clause) in verdict.clauses.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_clause(out, clause)?;
    }
    out.push(b']');
    out.extend_from_slice(b",\"caveats\":");
    write_strs(out, &verdict.caveats);
    if let Some(term) = &verdict.new_term {
        out.extend_from_slice(b",\"new_term\":");
        write_new_term(out, term)?;
    }
    Ok(())
}

fn write_clause(out: &mut Vec<u8>, clause: &Clause) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"clause\":");
    write_str(out, &clause.clause);
    out.extend_from_slice(b",\"pass\":");
    write_bool(out, clause.pass);
    out.extend_from_slice(b",\"fields\":[");
    for (position, field) in clause.fields.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"field\":");
        write_str(out, &field.field);
        out.extend_from_slice(b",\"values\":[");
        for (position, value) in field.values.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            write_value(out, value)?;
        }
        out.extend_from_slice(b"]}");
    }
    out.push(b']');
    if !clause.notes.is_empty() {
        out.extend_from_slice(b",\"notes\":");
        write_strs(out, &clause.notes);
    }
    out.push(b'}');
    Ok(())
}

fn write_new_term(out: &mut Vec<u8>, term: &NewTerm) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"field\":");
    write_str(out, &term.field);
    out.extend_from_slice(b",\"values\":");
    write_strs(out, &term.values);
    out.extend_from_slice(b",\"window_days\":");
    serde_json::to_writer(&mut *out, &term.window_days)?;
    if let Some(previous) = &term.previous {
        out.extend_from_slice(b",\"previous\":{\"index\":");
        write_u64(out, previous.index);
        out.extend_from_slice(b",\"timestamp\":");
        write_str(out, &previous.timestamp);
        out.push(b'}');
    }
    out.push(b'}');
    Ok(())
}

fn write_summary(out: &mut Vec<u8>, summary: &Summary) {
    let mut object = Object::new(out);
    object.text("timestamp", summary.timestamp.as_deref());
    object.text("arn", summary.arn.as_deref());
    object.text("action", summary.action.as_deref());
    object.text("source", summary.source.as_deref());
    object.text("key_id", summary.key_id.as_deref());
    object.end();
}

fn write_provenance(out: &mut Vec<u8>, provenance: &Provenance) {
    let mut object = Object::new(out);
    object.text("key_id", Some(&provenance.key_id));
    if let Some(issuer) = &provenance.issuer {
        write_issuer(object.key("issuer"), issuer);
    }
    if !provenance.chain.is_empty() {
        let out = object.key("chain");
        out.push(b'[');
        for (position, issuer) in provenance.chain.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            write_issuer(out, issuer);
        }
        out.push(b']');
    }
    object.text("note", provenance.note.as_deref());
    write_u64(object.key("calls"), provenance.calls);
    object.text("first_seen", provenance.first_seen.as_deref());
    object.text("last_seen", provenance.last_seen.as_deref());
    write_strs(object.key("source_ips"), &provenance.source_ips);
    write_strs(object.key("user_agents"), &provenance.user_agents);
    write_strs(object.key("actions"), &provenance.actions);
    let out = object.key("events");
    out.push(b'[');
    for (position, index) in provenance.events.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_u64(out, *index);
    }
    out.push(b']');
    object.text("longest_gap", provenance.longest_gap.as_deref());
    write_strs(object.key("signs"), &provenance.signs);
    object.end();
}

fn write_issuer(out: &mut Vec<u8>, issuer: &Issuer) {
    let mut object = Object::new(out);
    object.text("action", Some(&issuer.action));
    write_u64(object.key("index"), issuer.index);
    object.text("timestamp", issuer.timestamp.as_deref());
    object.text("arn", issuer.arn.as_deref());
    object.text("source_ip", issuer.source_ip.as_deref());
    object.text("user_agent", issuer.user_agent.as_deref());
    if let Some(mfa) = issuer.mfa {
        write_bool(object.key("mfa"), mfa);
    }
    object.text("caller_key", issuer.caller_key.as_deref());
    object.end();
}

/// An object being written, for fields that may be left out: each key says whether a comma
/// goes before it.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    /// Writes the key and returns the text to write its value to.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        write_str(self.out, key);
        self.out.push(b':');
        self.out
    }

    /// A string field, left out when `None`.
    fn text(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            write_str(self.key(key), value);
        }
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value) -> serde_json::Result<()> {
    match value {
        Value::String(text) => {
            write_str(out, text);
            Ok(())
        }
        Value::Bool(flag) => {
            write_bool(out, *flag);
            Ok(())
        }
        Value::Null => {
            out.extend_from_slice(b"null");
            Ok(())
        }
        _ => serde_json::to_writer(out, value),
    }
}

fn write_strs(out: &mut Vec<u8>, texts: &[String]) {
    out.push(b'[');
    for (position, text) in texts.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_str(out, text);
    }
    out.push(b']');
}

fn write_bool(out: &mut Vec<u8>, flag: bool) {
    out.extend_from_slice(if flag { b"true" } else { b"false" });
}

fn write_u64(out: &mut Vec<u8>, mut number: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (number % 10) as u8;
        start -= 1;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(start..).unwrap_or_default());
}

/// A string in quotes, escaped as `serde_json` escapes it: `"` and `\` with a backslash, the
/// control characters that have a short escape with it, the others as `\u00xx`.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.push(b'"');
    let mut start = 0;
    loop {
        let at = special(bytes, start);
        out.extend_from_slice(bytes.get(start..at).unwrap_or_default());
        let Some(&byte) = bytes.get(at) else {
            break;
        };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
                let low = HEX.get(usize::from(byte & 0xf)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', high, low]);
            }
        }
        start = at + 1;
    }
    out.push(b'"');
}

/// The offset of the first `"`, `\` or control character at or after `pos`, or the length of
/// `bytes`. Eight bytes are tested at a time: reading and writing JSON spends most of its time
/// looking for these bytes in long strings.
pub(crate) fn special(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(chunk);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte is flagged when it is zero (for the two matches) or below 0x20; only the first
        // flag is exact, which is the one wanted.
        let flags = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        let flags = flags & HIGH;
        if flags != 0 {
            return pos + (flags.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = bytes.get(pos) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            return pos;
        }
        pos += 1;
    }
    pos
}
