//! Verdicts: what a rule decided for one event, and why, in words and in detail.

use crate::field::{self, Fields};
use crate::kql::{Clause, Explanation};
use crate::new_terms::{Decision, Seen};
use crate::provenance::Provenance;
use crate::time;
use serde::Serialize;
use serde_json::Value;

/// The outcome of one event under one rule, as the page's `data-verdict` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The query matched and the rule alerts.
    Alert,
    /// The query matched, but the term matched earlier inside the history window.
    Repeat,
    /// The query matched; the rule raises no alerts of its own (a bare query), or the event
    /// holds no new-terms value.
    Match,
    /// The query did not match.
    NoMatch,
    /// The event could not be read.
    Error,
}

/// One rule's verdict on one event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleVerdict {
    /// The rule's name: a version, a file name, or `query`.
    pub rule: String,
    /// Whether the query matched.
    #[serde(rename = "match")]
    pub matched: bool,
    /// Whether the rule alerts.
    pub alert: bool,
    /// The outcome in one word.
    pub verdict: Outcome,
    /// Why, in sentences: the headline first, then every top-level clause.
    pub reasons: Vec<String>,
    /// Every top-level clause with the values it read.
    pub clauses: Vec<Clause>,
    /// What could make the verdict differ from Elasticsearch's.
    pub caveats: Vec<String>,
    /// The new-terms decision, for a matching event of a new-terms rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_term: Option<NewTerm>,
}

/// The new-terms side of a verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewTerm {
    /// The new-terms field (fields joined with ` + `).
    pub field: String,
    /// The event's values of the field.
    pub values: Vec<String>,
    /// The history window, in days.
    pub window_days: f64,
    /// The latest earlier match of the term: inside the window for a repeat, outside it (or
    /// absent) for an alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Previous>,
}

/// An earlier match of the same term.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Previous {
    /// The earlier event's 0-based position in the input.
    pub index: u64,
    /// The earlier event's time.
    pub timestamp: String,
}

/// The fields a person scans first, for tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// `@timestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// `aws.cloudtrail.user_identity.arn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// `event.action`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `source.ip`, else `source.address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `aws.cloudtrail.user_identity.access_key_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

impl Summary {
    /// Every field [`Summary::of`] reads.
    pub const FIELDS: [&'static str; 6] = [
        "@timestamp",
        "aws.cloudtrail.user_identity.arn",
        "event.action",
        "source.ip",
        "source.address",
        "aws.cloudtrail.user_identity.access_key_id",
    ];

    /// Reads the summary fields of an ECS event.
    pub fn of(event: &dyn Fields) -> Self {
        let text = |path: &str| field::first_str(event, path).map(str::to_owned);
        Self {
            timestamp: text("@timestamp"),
            arn: text("aws.cloudtrail.user_identity.arn"),
            action: text("event.action"),
            source: text("source.ip").or_else(|| text("source.address")),
            key_id: text("aws.cloudtrail.user_identity.access_key_id"),
        }
    }
}

/// The result for one input event: the first rule's verdict at the top level, every rule's
/// verdict under `rules` when more than one was loaded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventResult {
    /// The event's 0-based position in the input.
    pub index: u64,
    /// The first rule's verdict.
    #[serde(flatten)]
    pub verdict: RuleVerdict,
    /// The fields a person scans first; absent for an unreadable event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Why the event could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The normalized, enriched event, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Value>,
    /// Every rule's verdict, when more than one rule is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<RuleVerdict>>,
    /// Where the event's temporary key came from and what else it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl RuleVerdict {
    /// A verdict for an event that could not be read.
    pub fn unreadable(rule: &str, error: &str) -> Self {
        Self {
            rule: rule.to_owned(),
            matched: false,
            alert: false,
            verdict: Outcome::Error,
            reasons: vec![format!("error: {error}")],
            clauses: Vec::new(),
            caveats: Vec::new(),
            new_term: None,
        }
    }

    /// A verdict from the query's explanation, before any new-terms decision.
    pub fn from_explanation(rule: &str, explanation: Explanation, caveats: Vec<String>) -> Self {
        let failed = explanation
            .clauses
            .iter()
            .filter(|clause| !clause.pass)
            .count();
        let total = explanation.clauses.len();
        let mut headline = String::new();
        put_headline(&mut headline, explanation.matched, failed, total);

        let mut reasons = vec![headline];
        reasons.extend(explanation.clauses.iter().map(describe_clause));
        Self {
            rule: rule.to_owned(),
            matched: explanation.matched,
            alert: false,
            verdict: if explanation.matched {
                Outcome::Match
            } else {
                Outcome::NoMatch
            },
            reasons,
            clauses: explanation.clauses,
            caveats,
            new_term: None,
        }
    }

    /// A query rule: every match is an alert.
    pub fn alert_on_match(&mut self) {
        if self.matched {
            self.alert = true;
            self.verdict = Outcome::Alert;
            self.reasons
                .push("alert: the rule alerts on every match".to_owned());
        }
    }

    /// Applies a new-terms decision to a matching event.
    pub fn apply(&mut self, decision: &Decision, field: &str, values: Vec<String>, window: i64) {
        let shown = quote_list(&values);
        // "the 7-day history window" reads better than "the 7 days history window".
        let span = match time::describe_span(window) {
            whole if window % time::DAY == 0 => {
                whole.replace(" days", "-day").replace(" day", "-day")
            }
            other => other,
        };
        let previous = |seen: &Seen| Previous {
            index: seen.index,
            timestamp: time::format(seen.time),
        };

        let (outcome, reason, previous) = match decision {
            Decision::NoTerm => (
                Outcome::Match,
                format!("no alert: the event has no {field}, so it has no new term"),
                None,
            ),
            Decision::Alert { previous: None } => (
                Outcome::Alert,
                format!("alert: first match of {field} {shown} in the {span} history window"),
                None,
            ),
            Decision::Alert {
                previous: Some(seen),
            } => (
                Outcome::Alert,
                format!(
                    "alert: {field} {shown} last matched {} (event {}), outside the {span} \
                     history window",
                    time::format(seen.time),
                    seen.index
                ),
                Some(previous(seen)),
            ),
            Decision::Repeat { previous: seen } => (
                Outcome::Repeat,
                format!(
                    "repeat: {field} {shown} already matched {} (event {}), inside the {span} \
                     history window",
                    time::format(seen.time),
                    seen.index
                ),
                Some(previous(seen)),
            ),
        };

        self.verdict = outcome;
        self.alert = outcome == Outcome::Alert;
        self.reasons.push(reason);
        self.new_term = Some(NewTerm {
            field: field.to_owned(),
            values,
            window_days: window as f64 / time::DAY as f64,
            previous,
        });
    }
}

/// Where the text of a reason goes: a `String`, or JSON being written, which escapes it.
pub(crate) trait Text {
    /// Adds `text`.
    fn put(&mut self, text: &str);
}

impl Text for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// The first reason: `match: all 8 clauses of the query pass`, `no match: 2 of 8 clauses fail`.
pub(crate) fn put_headline(out: &mut impl Text, matched: bool, failed: usize, total: usize) {
    if matched {
        out.put("match: all ");
        put_number(out, total);
        out.put(" clauses of the query pass");
    } else if total == 1 {
        out.put("no match: the query does not match");
    } else {
        out.put("no match: ");
        put_number(out, failed);
        out.put(" of ");
        put_number(out, total);
        out.put(" clauses fail");
    }
}

fn put_number(out: &mut impl Text, number: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = number;
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = digits.get(start..).unwrap_or_default();
    out.put(std::str::from_utf8(digits).unwrap_or_default());
}

fn describe_clause(clause: &Clause) -> String {
    let fields: Vec<(&str, Vec<&Value>)> = clause
        .fields
        .iter()
        .map(|field| (field.field.as_str(), field.values.iter().collect()))
        .collect();
    let mut reason = String::with_capacity(2 * clause.clause.len() + 64);
    put_clause_reason(
        &mut reason,
        clause.pass,
        &clause.clause,
        &fields,
        &clause.notes,
    );
    reason
}

/// `pass: clause (field is value; other is [a, b])`, then the clause's notes, each after `; `.
pub(crate) fn put_clause_reason(
    out: &mut impl Text,
    pass: bool,
    clause: &str,
    fields: &[(&str, Vec<&Value>)],
    notes: &[String],
) {
    out.put(if pass { "pass: " } else { "fail: " });
    out.put(clause);
    for (position, (field, values)) in fields.iter().enumerate() {
        out.put(if position == 0 { " (" } else { "; " });
        out.put(field);
        match values.as_slice() {
            [] => out.put(" is missing"),
            [one] => {
                out.put(" is ");
                put_short(out, one);
            }
            many => {
                out.put(" is [");
                for (position, value) in many.iter().enumerate() {
                    if position > 0 {
                        out.put(", ");
                    }
                    put_short(out, value);
                }
                out.put("]");
            }
        }
    }
    if !fields.is_empty() {
        out.put(")");
    }
    for note in notes {
        out.put("; ");
        out.put(note);
    }
}

/// Adds a value as JSON, cut to a readable length.
fn put_short(out: &mut impl Text, value: &Value) {
    // The usual value, a short string that JSON writes as it is, needs no serializer.
    if let Value::String(text) = value {
        let plain = |byte: &u8| *byte >= 0x20 && *byte != b'"' && *byte != b'\\';
        if text.len() <= 118 && text.as_bytes().iter().all(plain) {
            out.put("\"");
            out.put(text);
            out.put("\"");
            return;
        }
    }
    out.put(&short(value));
}

/// A value as JSON, cut to a readable length.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 120 {
        return text;
    }
    let cut: String = text.chars().take(117).collect();
    format!("{cut}...")
}

fn quote_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|value| format!("\"{value}\"")).collect();
    quoted.join(", ")
}
