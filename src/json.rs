//! Results written as JSON text, byte for byte what `serde_json` writes for them.
//!
//! A batch's results are several times the size of its events, and writing them through serde
//! costs more than deciding them: every field goes through the serializer's machinery and every
//! string is scanned a byte at a time. [`write_result`] writes the same text directly, scanning
//! strings eight bytes at a time. It follows the `Serialize` derives of [`EventResult`](crate::verdict::EventResult) and the
//! types inside it field for field (names, order, fields left out when empty); the tests in
//! `tests/fast_path.rs` hold the two to the same bytes.

use crate::field::Fields;
use crate::kql::{Clause, ClauseOutcome};
use crate::provenance::{Issuer, Provenance};
use crate::rule::Rule;
use crate::triage::Detail;
use crate::verdict::{self, NewTerm, Outcome, RuleVerdict, Summary, Text};
use serde_json::Value;

/// One event's result, as the JSON roads hold it until it is written.
pub(crate) struct ResultView<'a> {
    /// The event's 0-based position in the input.
    pub index: u64,
    /// Every loaded rule's verdict, at least one.
    pub verdicts: &'a [Verdict<'a>],
    pub summary: Option<&'a Summary>,
    pub error: Option<&'a str>,
    pub event: Event<'a>,
    pub provenance: Option<&'a Provenance>,
    /// Whether each verdict is written brief (see [`Detail::Brief`]).
    pub detail: Detail,
}

/// One rule's verdict.
pub(crate) enum Verdict<'a> {
    /// A verdict built whole.
    Full(&'a RuleVerdict),
    /// A verdict of no match, written from its clauses' outcomes and the values the event
    /// holds, as [`RuleVerdict::from_explanation`] would have built it.
    NoMatch {
        rule: &'a Rule,
        outcomes: &'a [ClauseOutcome],
        caveats: &'a [String],
        doc: &'a dyn Fields,
    },
}

/// The event a result holds, if any.
pub(crate) enum Event<'a> {
    None,
    /// Text that is what `serde_json` writes for the event.
    Text(&'a str),
    Value(&'a Value),
}

/// Writes a result as JSON, byte for byte as `serde_json` writes the [`EventResult`](crate::verdict::EventResult) it
/// stands for. Anything but strings, whole numbers and booleans (the values of an event given
/// as a [`Value`], numbers with a fraction) is written by `serde_json` itself.
pub(crate) fn write_result(out: &mut String, result: &ResultView<'_>) -> serde_json::Result<()> {
    out.push_str("{\"index\":");
    write_u64(out, result.index);
    if let Some(first) = result.verdicts.first() {
        out.push(',');
        write_verdict(out, first, result.detail)?;
    }
    if let Some(summary) = result.summary {
        out.push_str(",\"summary\":");
        write_summary(out, summary);
    }
    if let Some(error) = result.error {
        out.push_str(",\"error\":");
        write_str(out, error);
    }
    match result.event {
        Event::Text(text) => {
            out.push_str(",\"event\":");
            out.push_str(text);
        }
        Event::Value(value) => {
            out.push_str(",\"event\":");
            out.push_str(&serde_json::to_string(value)?);
        }
        Event::None => {}
    }
    if result.verdicts.len() > 1 {
        out.push_str(",\"rules\":[");
        for (position, verdict) in result.verdicts.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            out.push('{');
            write_verdict(out, verdict, result.detail)?;
            out.push('}');
        }
        out.push(']');
    }
    if let Some(provenance) = result.provenance {
        out.push_str(",\"provenance\":");
        write_provenance(out, provenance);
    }
    out.push('}');
    Ok(())
}

fn write_verdict(
    out: &mut String,
    verdict: &Verdict<'_>,
    detail: Detail,
) -> serde_json::Result<()> {
    match (verdict, detail) {
        (Verdict::Full(verdict), Detail::Full) => write_verdict_fields(out, verdict),
        (Verdict::Full(verdict), Detail::Brief) => {
            let clauses = verdict
                .clauses
                .iter()
                .map(|clause| (clause.clause.as_str(), clause.pass));
            let decided = (verdict.matched, verdict.alert, verdict.verdict);
            write_brief(out, &verdict.rule, decided, clauses, &verdict.caveats);
            if let Some(term) = &verdict.new_term {
                out.push_str(",\"new_term\":");
                write_new_term(out, term)?;
            }
            Ok(())
        }
        (
            Verdict::NoMatch {
                rule,
                outcomes,
                caveats,
                doc,
            },
            Detail::Full,
        ) => write_no_match(out, rule, outcomes, caveats, *doc),
        (
            Verdict::NoMatch {
                rule,
                outcomes,
                caveats,
                ..
            },
            Detail::Brief,
        ) => {
            let clauses = rule
                .query
                .clause_texts()
                .zip(outcomes.iter())
                .map(|((clause, _), outcome)| (clause, outcome.pass));
            let decided = (false, false, Outcome::NoMatch);
            write_brief(out, &rule.name, decided, clauses, caveats);
            Ok(())
        }
    }
}

/// A brief verdict's fields up to its caveats, from `"rule"` on, without the braces around
/// them; `decided` is whether it matched, whether it alerts and its verdict.
fn write_brief<'c>(
    out: &mut String,
    rule: &str,
    (matched, alert, verdict): (bool, bool, Outcome),
    clauses: impl Iterator<Item = (&'c str, bool)>,
    caveats: &[String],
) {
    out.push_str("\"rule\":");
    write_str(out, rule);
    out.push_str(",\"match\":");
    write_bool(out, matched);
    out.push_str(",\"alert\":");
    write_bool(out, alert);
    out.push_str(",\"verdict\":");
    out.push_str(outcome_text(verdict));
    out.push_str(",\"clauses\":[");
    for (position, (clause, pass)) in clauses.enumerate() {
        if position > 0 {
            out.push(',');
        }
        out.push_str("{\"clause\":");
        write_str(out, clause);
        out.push_str(",\"pass\":");
        write_bool(out, pass);
        out.push('}');
    }
    out.push_str("],\"caveats\":");
    write_strs(out, caveats);
}

/// A verdict's name as a JSON string.
fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Alert => "\"alert\"",
        Outcome::Repeat => "\"repeat\"",
        Outcome::Match => "\"match\"",
        Outcome::NoMatch => "\"no_match\"",
        Outcome::Error => "\"error\"",
    }
}

/// The fields of a verdict of no match: its reasons and clauses, with the values `doc` holds.
fn write_no_match(
    out: &mut String,
    rule: &Rule,
    outcomes: &[ClauseOutcome],
    caveats: &[String],
    doc: &dyn Fields,
) -> serde_json::Result<()> {
    // Each clause with the values of its fields, read once for its reason and its entry.
    let clauses: Vec<(&str, FieldsRead<'_>)> = rule
        .query
        .clause_texts()
        .map(|(clause, fields)| {
            let values = fields
                .iter()
                .map(|name| (name.as_str(), doc.values(name)))
                .collect();
            (clause, values)
        })
        .collect();

    out.push_str("\"rule\":");
    write_str(out, &rule.name);
    out.push_str(",\"match\":false,\"alert\":false,\"verdict\":\"no_match\",\"reasons\":[\"");
    let failed = outcomes.iter().filter(|outcome| !outcome.pass).count();
    verdict::put_headline(&mut Escaped(out), false, failed, outcomes.len());
    out.push('"');
    for ((clause, values), outcome) in clauses.iter().zip(outcomes) {
        out.push_str(",\"");
        let mut text = Escaped(out);
        verdict::put_clause_reason(&mut text, outcome.pass, clause, values, &outcome.notes);
        out.push('"');
    }
    out.push_str("],\"clauses\":[");
    for (position, ((clause, values), outcome)) in clauses.iter().zip(outcomes).enumerate() {
        if position > 0 {
            out.push(',');
        }
        out.push_str("{\"clause\":");
        write_str(out, clause);
        out.push_str(",\"pass\":");
        write_bool(out, outcome.pass);
        out.push_str(",\"fields\":[");
        for (position, (field, values)) in values.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            out.push_str("{\"field\":");
            write_str(out, field);
            out.push_str(",\"values\":[");
            for (position, value) in values.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_value(out, value)?;
            }
            out.push_str("]}");
        }
        out.push(']');
        if !outcome.notes.is_empty() {
            out.push_str(",\"notes\":");
            write_strs(out, &outcome.notes);
        }
        out.push('}');
    }
    out.push_str("],\"caveats\":");
    write_strs(out, caveats);
    Ok(())
}

/// The fields a clause names, each with the values an event holds under it.
type FieldsRead<'a> = Vec<(&'a str, Vec<&'a Value>)>;

/// Text written into a JSON string, escaped as it goes.
struct Escaped<'a>(&'a mut String);

impl Text for Escaped<'_> {
    fn put(&mut self, text: &str) {
        escape(self.0, text);
    }
}

/// A verdict's fields, from `"rule"` on, without the braces around them.
fn write_verdict_fields(out: &mut String, verdict: &RuleVerdict) -> serde_json::Result<()> {
    out.push_str("\"rule\":");
    write_str(out, &verdict.rule);
    out.push_str(",\"match\":");
    write_bool(out, verdict.matched);
    out.push_str(",\"alert\":");
    write_bool(out, verdict.alert);
    out.push_str(",\"verdict\":");
    out.push_str(outcome_text(verdict.verdict));
    out.push_str(",\"reasons\":");
    write_strs(out, &verdict.reasons);
    out.push_str(",\"clauses\":[");
    for (position, clause) in verdict.clauses.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        write_clause(out, clause)?;
    }
    out.push(']');
    out.push_str(",\"caveats\":");
    write_strs(out, &verdict.caveats);
    if let Some(term) = &verdict.new_term {
        out.push_str(",\"new_term\":");
        write_new_term(out, term)?;
    }
    Ok(())
}

fn write_clause(out: &mut String, clause: &Clause) -> serde_json::Result<()> {
    out.push_str("{\"clause\":");
    write_str(out, &clause.clause);
    out.push_str(",\"pass\":");
    write_bool(out, clause.pass);
    out.push_str(",\"fields\":[");
    for (position, field) in clause.fields.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        out.push_str("{\"field\":");
        write_str(out, &field.field);
        out.push_str(",\"values\":[");
        for (position, value) in field.values.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            write_value(out, value)?;
        }
        out.push_str("]}");
    }
    out.push(']');
    if !clause.notes.is_empty() {
        out.push_str(",\"notes\":");
        write_strs(out, &clause.notes);
    }
    out.push('}');
    Ok(())
}

fn write_new_term(out: &mut String, term: &NewTerm) -> serde_json::Result<()> {
    out.push_str("{\"field\":");
    write_str(out, &term.field);
    out.push_str(",\"values\":");
    write_strs(out, &term.values);
    out.push_str(",\"window_days\":");
    out.push_str(&serde_json::to_string(&term.window_days)?);
    if let Some(previous) = &term.previous {
        out.push_str(",\"previous\":{\"index\":");
        write_u64(out, previous.index);
        out.push_str(",\"timestamp\":");
        write_str(out, &previous.timestamp);
        out.push('}');
    }
    out.push('}');
    Ok(())
}

fn write_summary(out: &mut String, summary: &Summary) {
    let mut object = Object::new(out);
    object.text("timestamp", summary.timestamp.as_deref());
    object.text("arn", summary.arn.as_deref());
    object.text("action", summary.action.as_deref());
    object.text("source", summary.source.as_deref());
    object.text("key_id", summary.key_id.as_deref());
    object.end();
}

fn write_provenance(out: &mut String, provenance: &Provenance) {
    let mut object = Object::new(out);
    object.text("key_id", Some(&provenance.key_id));
    if let Some(issuer) = &provenance.issuer {
        write_issuer(object.key("issuer"), issuer);
    }
    if !provenance.chain.is_empty() {
        let out = object.key("chain");
        out.push('[');
        for (position, issuer) in provenance.chain.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            write_issuer(out, issuer);
        }
        out.push(']');
    }
    object.text("note", provenance.note.as_deref());
    write_u64(object.key("calls"), provenance.calls);
    object.text("first_seen", provenance.first_seen.as_deref());
    object.text("last_seen", provenance.last_seen.as_deref());
    write_strs(object.key("source_ips"), &provenance.source_ips);
    write_strs(object.key("user_agents"), &provenance.user_agents);
    write_strs(object.key("actions"), &provenance.actions);
    let out = object.key("events");
    out.push('[');
    for (position, index) in provenance.events.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        write_u64(out, *index);
    }
    out.push(']');
    object.text("longest_gap", provenance.longest_gap.as_deref());
    write_strs(object.key("signs"), &provenance.signs);
    object.end();
}

fn write_issuer(out: &mut String, issuer: &Issuer) {
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
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Writes the key and returns the text to write its value to.
    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(self.out, key);
        self.out.push(':');
        self.out
    }

    /// A string field, left out when `None`.
    fn text(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            write_str(self.key(key), value);
        }
    }

    fn end(self) {
        self.out.push('}');
    }
}

fn write_value(out: &mut String, value: &Value) -> serde_json::Result<()> {
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
            out.push_str("null");
            Ok(())
        }
        _ => {
            out.push_str(&serde_json::to_string(value)?);
            Ok(())
        }
    }
}

fn write_strs(out: &mut String, texts: &[String]) {
    out.push('[');
    for (position, text) in texts.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        write_str(out, text);
    }
    out.push(']');
}

fn write_bool(out: &mut String, flag: bool) {
    out.push_str(if flag { "true" } else { "false" });
}

fn write_u64(out: &mut String, number: u64) {
    // WebAssembly has no fast 64-bit division by a constant; the numbers written (positions,
    // counts) fit in 32 bits, which itoa formats with 32-bit arithmetic.
    let mut buffer = itoa::Buffer::new();
    match u32::try_from(number) {
        Ok(small) => out.push_str(buffer.format(small)),
        Err(_) => out.push_str(buffer.format(number)),
    }
}

/// A string in quotes, escaped as `serde_json` escapes it.
pub(crate) fn write_str(out: &mut String, text: &str) {
    out.push('"');
    escape(out, text);
    out.push('"');
}

/// A string's contents escaped as `serde_json` escapes them: `"` and `\` with a backslash, the
/// control characters that have a short escape with it, the others as `\u00xx`.
fn escape(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let at = special(bytes, start);
        // `at` is an ASCII byte or the end, so both ends fall between characters.
        out.push_str(text.get(start..at).unwrap_or_default());
        let Some(&byte) = bytes.get(at) else {
            break;
        };
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex =
                    |nibble: u8| char::from(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
                out.push_str("\\u00");
                out.push(hex(byte >> 4));
                out.push(hex(byte & 0xf));
            }
        }
        start = at + 1;
    }
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
