//! The road every event takes: read, normalize, enrich, evaluate, new terms, verdict.

use crate::enrich::{self, CONSOLE_FIELD, Console};
use crate::field;
use crate::input::{self, Limits, Start};
use crate::kql::keyword_text;
use crate::new_terms::{self, Candidate};
use crate::normalize;
use crate::provenance::{self, Ledger};
use crate::rule::{Rule, RuleKind};
use crate::schema::{FieldType, Schema};
use crate::time;
use crate::verdict::{EventResult, RuleVerdict, Summary};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Rules loaded once and applied to batch after batch.
#[derive(Clone, Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    schema: Schema,
    limits: Limits,
}

/// The results of one batch and the state to hand to the next.
#[derive(Clone, Debug)]
pub struct Batch {
    /// One result per input event, in input order.
    pub results: Vec<EventResult>,
    /// The state after this batch, for the next one.
    pub state: State,
}

/// What one batch leaves for the next: new-terms history per rule, and what is known of
/// temporary keys. Serializes to JSON so a stream can save it and restore it after a restart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The matches each rule's new terms remember.
    pub new_terms: new_terms::State,
    /// Issuers, console logins and key histories.
    pub keys: Ledger,
}

/// An event made ready for the rules.
struct Prepared {
    index: u64,
    event: Result<(Value, Console), String>,
}

impl Engine {
    /// An engine for `rules` on Elastic's CloudTrail field types, with the default limits.
    pub fn new(rules: Vec<Rule>) -> Self {
        Self {
            rules,
            schema: Schema::cloudtrail(),
            limits: Limits::default(),
        }
    }

    /// The same engine with other input limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The loaded rules, in the order results list them.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Triages every event in `input`: one result per event, in input order.
    ///
    /// `start` places the batch within a longer input; `state` is what earlier batches left
    /// (use `State::default()` for the first), and the returned batch carries it on. With
    /// `keep_events`, each result holds the normalized, enriched event.
    pub fn run(&self, input: &[u8], start: Start, mut state: State, keep_events: bool) -> Batch {
        let decoded = input::decode(input, &self.limits);
        let prepared: Vec<Prepared> = decoded
            .items(start, &self.limits)
            .into_iter()
            .map(|item| Prepared {
                index: item.index,
                event: item
                    .text
                    .map_err(|error| error.message)
                    .and_then(|text| self.prepare(text, item.index, item.line)),
            })
            .collect();

        let mut per_rule: Vec<Vec<RuleVerdict>> = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            per_rule.push(self.judge(rule, &prepared, &mut state.new_terms));
        }
        let provenance = key_provenance(&prepared, &mut state.keys);

        let mut per_rule: Vec<_> = per_rule.into_iter().map(Vec::into_iter).collect();
        let mut results = Vec::with_capacity(prepared.len());
        for (event, provenance) in prepared.into_iter().zip(provenance) {
            let verdicts: Vec<RuleVerdict> =
                per_rule.iter_mut().filter_map(Iterator::next).collect();
            let mut result = self.assemble(event, verdicts, keep_events);
            result.provenance = provenance;
            results.push(result);
        }
        Batch { results, state }
    }

    /// Parses, normalizes and enriches one event's text.
    fn prepare(&self, text: &str, index: u64, line: u64) -> Result<(Value, Console), String> {
        let value = input::parse_event(text, index, line, &self.limits).map_err(|e| e.message)?;
        let mut event = to_ecs(value, text, index, line)?;
        let console = enrich::enrich(&mut event);
        Ok((event, console))
    }

    /// One rule's verdicts on every event of the batch.
    fn judge(
        &self,
        rule: &Rule,
        prepared: &[Prepared],
        state: &mut new_terms::State,
    ) -> Vec<RuleVerdict> {
        let mut verdicts: Vec<RuleVerdict> = prepared
            .iter()
            .map(|item| match &item.event {
                Err(error) => RuleVerdict::unreadable(&rule.name, error),
                Ok((event, console)) => {
                    let explanation = rule.query.explain(event, &self.schema);
                    let caveats = self.caveats(rule, event, console);
                    RuleVerdict::from_explanation(&rule.name, explanation, caveats)
                }
            })
            .collect();

        match &rule.kind {
            RuleKind::MatchOnly => {}
            RuleKind::Query => verdicts.iter_mut().for_each(RuleVerdict::alert_on_match),
            RuleKind::NewTerms { fields, window } => {
                self.new_terms(rule, fields, *window, prepared, &mut verdicts, state);
            }
        }
        verdicts
    }

    fn new_terms(
        &self,
        rule: &Rule,
        fields: &[String],
        window: time::Millis,
        prepared: &[Prepared],
        verdicts: &mut [RuleVerdict],
        state: &mut new_terms::State,
    ) {
        let mut positions = Vec::new();
        let mut candidates = Vec::new();
        for (position, (item, verdict)) in prepared.iter().zip(verdicts.iter()).enumerate() {
            let Ok((event, _)) = &item.event else {
                continue;
            };
            if !verdict.matched {
                continue;
            }
            positions.push(position);
            candidates.push(Candidate {
                index: item.index,
                time: event_time(rule, event),
                terms: terms(event, fields),
            });
        }

        let decisions = state.decide(&rule.name, window, &candidates);
        let field_name = fields.join(" + ");
        for ((position, candidate), decision) in
            positions.into_iter().zip(candidates).zip(decisions)
        {
            let Some(verdict) = verdicts.get_mut(position) else {
                continue;
            };
            if candidate.time.is_none() {
                verdict.caveats.push(format!(
                    "the event has no readable {} or @timestamp, so its new-terms decision \
                     cannot use the history window",
                    rule.timestamp_override.as_deref().unwrap_or("@timestamp")
                ));
            }
            verdict.apply(&decision, &field_name, candidate.terms, window);
        }
    }

    fn caveats(&self, rule: &Rule, event: &Value, console: &Console) -> Vec<String> {
        let mut caveats = Vec::new();
        for name in rule.query.fields() {
            match self.schema.field_type(&name) {
                FieldType::ConstantKeyword(constant) if !field::is_present(event, &name) => {
                    caveats.push(format!(
                        "{name} is missing from the event and was decided as Elasticsearch \
                         would in the CloudTrail data stream, where this constant_keyword field \
                         is \"{constant}\" for every document"
                    ));
                }
                _ if name == CONSOLE_FIELD => {
                    if let Console::Unknown(reason) = console {
                        caveats.push(format!(
                            "console status is unknown ({reason}), so {CONSOLE_FIELD} could \
                             not be recovered from the raw record"
                        ));
                    }
                }
                _ => {}
            }
        }
        caveats
    }

    fn assemble(
        &self,
        prepared: Prepared,
        mut verdicts: Vec<RuleVerdict>,
        keep_events: bool,
    ) -> EventResult {
        let (first, rules) = if verdicts.len() > 1 {
            (verdicts.first().cloned(), Some(verdicts))
        } else {
            (verdicts.pop(), None)
        };
        let first = first.unwrap_or_else(|| RuleVerdict::unreadable("", "no rule is loaded"));
        match prepared.event {
            Err(error) => EventResult {
                index: prepared.index,
                verdict: first,
                summary: None,
                error: Some(error),
                event: None,
                rules,
                provenance: None,
            },
            Ok((event, _)) => EventResult {
                index: prepared.index,
                verdict: first,
                summary: Some(Summary::of(&event)),
                error: None,
                event: keep_events.then_some(event),
                rules,
                provenance: None,
            },
        }
    }
}

/// Records the batch's key facts, then answers for every event made with a temporary key, so
/// that an issuer anywhere in the batch is found.
fn key_provenance(
    prepared: &[Prepared],
    ledger: &mut Ledger,
) -> Vec<Option<provenance::Provenance>> {
    let facts: Vec<Option<provenance::Facts>> = prepared
        .iter()
        .map(|item| {
            item.event
                .as_ref()
                .ok()
                .map(|(event, _)| provenance::facts(item.index, event))
        })
        .collect();
    for facts in facts.iter().flatten() {
        ledger.record(facts);
    }
    let answers = facts
        .iter()
        .map(|facts| facts.as_ref().and_then(|f| ledger.provenance(f)))
        .collect();
    ledger.forget_old();
    answers
}

/// A raw record becomes an ECS event; an ECS event passes; anything else is an error.
fn to_ecs(value: Value, text: &str, index: u64, line: u64) -> Result<Value, String> {
    if normalize::is_digest(&value) {
        return Err(format!(
            "event {index} (line {line}) is a CloudTrail digest file, which lists log files and \
             holds no API call"
        ));
    }
    if normalize::is_raw_record(&value) {
        return normalize::normalize_record(&value, text)
            .map_err(|error| format!("event {index} (line {line}): {error}"));
    }
    if is_ecs(&value) {
        return Ok(value);
    }
    if value.get("eventsource").is_some() && value.get("eventname").is_some() {
        return Err(format!(
            "event {index} (line {line}) looks like a CloudTrail record but its keys are in lower \
             case (eventsource, eventname); CloudTrail writes eventSource and eventName, and \
             Elastic's integration maps only those"
        ));
    }
    let keys: Vec<&str> = value
        .as_object()
        .map(|map| map.keys().take(6).map(String::as_str).collect())
        .unwrap_or_default();
    Err(format!(
        "event {index} (line {line}) is neither a CloudTrail record nor an ECS event: it has \
         no eventSource/eventName and no @timestamp or event.* fields (its keys: {})",
        keys.join(", ")
    ))
}

/// An ECS event holds `@timestamp` or a field of one of the ECS groups the rule reads.
fn is_ecs(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.keys().any(|key| {
        [
            "@timestamp",
            "event",
            "aws",
            "data_stream",
            "cloud",
            "source",
            "user_agent",
        ]
        .iter()
        .any(|group| key == group || key.strip_prefix(group).is_some_and(|r| r.starts_with('.')))
    })
}

/// The time new terms orders the event by: the rule's timestamp override, else `@timestamp`.
fn event_time(rule: &Rule, event: &Value) -> Option<time::Millis> {
    let parse = |path: &str| field::first_str(event, path).and_then(time::parse);
    rule.timestamp_override
        .as_deref()
        .and_then(parse)
        .or_else(|| parse("@timestamp"))
}

/// The event's new-terms values: each value of a single field, or each combination of values
/// of several fields.
fn terms(event: &Value, fields: &[String]) -> Vec<String> {
    let mut combos = vec![String::new()];
    for (i, name) in fields.iter().enumerate() {
        let values: Vec<String> = field::values(event, name)
            .into_iter()
            .filter_map(keyword_text)
            .collect();
        let mut next = Vec::new();
        for combo in &combos {
            for value in &values {
                next.push(if i == 0 {
                    value.clone()
                } else {
                    format!("{combo} + {value}")
                });
            }
        }
        combos = next;
        combos.truncate(100);
    }
    combos
}
