//! The road every event takes: read, normalize, enrich, evaluate, new terms, verdict.

use crate::enrich::{self, CONSOLE_FIELD, Console};
use crate::field::{self, Fields};
use crate::input::{self, Limits, Start};
use crate::json;
use crate::kql::{ClauseOutcome, keyword_text};
use crate::new_terms::{self, Candidate};
use crate::normalize;
use crate::outline::{self, Outline, Paths};
use crate::provenance::{self, Ledger, Provenance};
use crate::rule::{Rule, RuleKind};
use crate::schema::{FieldType, Schema};
use crate::time;
use crate::verdict::{EventResult, Outcome, RuleVerdict, Summary};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// Rules loaded once and applied to batch after batch.
#[derive(Clone, Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    schema: Schema,
    limits: Limits,
    /// Every field the rules, the summary, enrichment and provenance read, when the rules name
    /// all of theirs: then ECS events are read as outlines of these fields.
    paths: Option<Paths>,
    /// How much of each verdict the JSON roads write.
    detail: Detail,
}

/// The results of one batch and the state to hand to the next.
#[derive(Clone, Debug)]
pub struct Batch {
    /// One result per input event, in input order.
    pub results: Vec<EventResult>,
    /// The state after this batch, for the next one.
    pub state: State,
}

/// The results of one batch as one JSON array text, and the state to hand to the next.
#[derive(Clone, Debug)]
pub struct JsonBatch {
    /// The results, one per input event in input order, as `serde_json` writes
    /// [`Batch::results`].
    pub text: String,
    /// The state after this batch, for the next one.
    pub state: State,
}

/// The results of one batch as JSON text, one per line, with their verdicts, and the state to
/// hand to the next.
#[derive(Clone, Debug)]
pub struct NdjsonBatch {
    /// The results, one per input event in input order, each on a line of its own as
    /// `serde_json` writes it.
    pub text: String,
    /// Every result's verdict for every rule: the first result's for each rule in the order
    /// the rules were loaded, then the second result's, and so on.
    pub verdicts: Vec<Outcome>,
    /// The state after this batch, for the next one.
    pub state: State,
}

/// How much of each verdict a result on the JSON roads ([`Engine::run_json`],
/// [`Engine::run_ndjson`]) carries; [`Engine::run`] always gives whole results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Everything: reasons, each clause with the values it read, a summary of the event and
    /// the provenance of its key.
    #[default]
    Full,
    /// The verdict, each clause's pass or fail, caveats and the new-terms decision: for
    /// callers that keep verdicts and events and read the explanation elsewhere. A brief
    /// result is its full result without `reasons`, the clauses' `fields` and `notes`,
    /// `summary` and `provenance`.
    Brief,
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
struct Prepared<'e, 't> {
    index: u64,
    event: Result<Ready<'e, 't>, String>,
}

/// A readable event: the document the rules read, what enrichment learned, and, when the
/// results are written as JSON with their events, the event's own text when that is what
/// serializing it would write.
struct Ready<'e, 't> {
    doc: Doc<'e, 't>,
    console: Console,
    text: Option<Cow<'t, str>>,
}

/// The event as the rules read it.
enum Doc<'e, 't> {
    /// The whole normalized, enriched event.
    Whole(Value),
    /// The fields the engine reads, enriched.
    Outline(Outline<'e, 't>),
}

impl Doc<'_, '_> {
    fn fields(&self) -> &dyn Fields {
        match self {
            Self::Whole(value) => value,
            Self::Outline(outline) => outline,
        }
    }
}

/// One rule's verdict on one event.
enum Judged {
    /// The whole verdict: every verdict of [`Engine::run`], and on the JSON roads the verdicts
    /// of events that match or cannot be read.
    Full(RuleVerdict),
    /// A verdict of no match on the JSON roads, kept as each top-level clause's outcome: its
    /// text is written from them and the values read again from the event itself.
    NoMatch {
        outcomes: Vec<ClauseOutcome>,
        caveats: Vec<String>,
    },
}

/// A batch's event with everything decided about it, ready to be written out.
struct Finished<'e, 't> {
    index: u64,
    verdicts: Vec<Judged>,
    event: Result<Ready<'e, 't>, String>,
    provenance: Option<Provenance>,
}

/// What a result keeps of its event.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Nothing.
    Nothing,
    /// The whole event as a [`Value`].
    Value,
    /// The event's JSON text for [`Engine::run_json`]: its own text when that is what
    /// serializing it would write, else the whole event as a [`Value`].
    Text,
}

impl Engine {
    /// An engine for `rules` on Elastic's CloudTrail field types, with the default limits.
    pub fn new(rules: Vec<Rule>) -> Self {
        let paths = outline_paths(&rules);
        Self {
            rules,
            schema: Schema::cloudtrail(),
            limits: Limits::default(),
            paths,
            detail: Detail::Full,
        }
    }

    /// The same engine with other input limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same engine writing results on the JSON roads with another detail.
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = detail;
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
    pub fn run(&self, input: &[u8], start: Start, state: State, keep_events: bool) -> Batch {
        let keep = if keep_events {
            Keep::Value
        } else {
            Keep::Nothing
        };
        let mut results = Vec::new();
        let state = self.triage(input, start, state, keep, false, |finished| {
            results.push(self.assemble(finished, keep));
        });
        Batch { results, state }
    }

    /// Like [`Engine::run`], but writes the results as one JSON array text, exactly as
    /// `serde_json` writes the results `run` returns.
    ///
    /// This is the fast road for callers that pass results on as text: an ECS event is read as
    /// the outline of the fields the rules and the result read, and with `keep_events` an event
    /// whose text is what serializing it would write is written as that text, the console flag
    /// spliced in, instead of being parsed and serialized whole.
    pub fn run_json(
        &self,
        input: &[u8],
        start: Start,
        state: State,
        keep_events: bool,
    ) -> JsonBatch {
        let mut text = String::with_capacity(input.len().saturating_mul(4));
        text.push('[');
        let state = match self.write(input, start, state, keep_events, ",", &mut text, None) {
            Ok(state) => state,
            Err((error, state)) => {
                let text = format!("[{{\"error\":\"results could not be written: {error}\"}}]");
                return JsonBatch { text, state };
            }
        };
        text.push(']');
        JsonBatch { text, state }
    }

    /// Like [`Engine::run_json`], but writes each result on a line of its own (a newline after
    /// each) and lists every result's verdict for every rule, so that a caller can count and
    /// filter results without reading their text.
    ///
    /// The results are written into `buffer`, emptied first: a caller that hands back the last
    /// batch's text each time keeps one allocation from batch to batch.
    pub fn run_ndjson(
        &self,
        input: &[u8],
        start: Start,
        state: State,
        keep_events: bool,
        buffer: String,
    ) -> NdjsonBatch {
        let mut text = buffer;
        text.clear();
        text.reserve(input.len().saturating_mul(4));
        let mut verdicts = Vec::new();
        match self.write(
            input,
            start,
            state,
            keep_events,
            "",
            &mut text,
            Some(&mut verdicts),
        ) {
            Ok(state) => NdjsonBatch {
                text,
                verdicts,
                state,
            },
            Err((error, state)) => NdjsonBatch {
                text: format!("{{\"error\":\"results could not be written: {error}\"}}\n"),
                verdicts: vec![Outcome::Error; self.rules.len()],
                state,
            },
        }
    }

    /// Writes a batch's results to `text`, `between` between two of them and a newline after
    /// each when `verdicts` is given, which then gets every result's verdict for every rule.
    #[allow(clippy::too_many_arguments)]
    fn write(
        &self,
        input: &[u8],
        start: Start,
        state: State,
        keep_events: bool,
        between: &str,
        text: &mut String,
        mut verdicts: Option<&mut Vec<Outcome>>,
    ) -> Result<State, (serde_json::Error, State)> {
        let keep = if keep_events {
            Keep::Text
        } else {
            Keep::Nothing
        };
        let first = text.len();
        let mut failed = None;
        let state = self.triage(input, start, state, keep, true, |finished| {
            if text.len() > first {
                text.push_str(between);
            }
            if let Err(error) = self.write_result(text, &finished, keep) {
                failed.get_or_insert(error);
            }
            if let Some(verdicts) = verdicts.as_deref_mut() {
                text.push('\n');
                verdicts.extend(finished.verdicts.iter().map(|judged| match judged {
                    Judged::Full(verdict) => verdict.verdict,
                    Judged::NoMatch { .. } => Outcome::NoMatch,
                }));
            }
        });
        match failed {
            None => Ok(state),
            Some(error) => Err((error, state)),
        }
    }

    /// The road for a batch: hands every event, decided, to `emit` in input order. With
    /// `lean`, verdicts of no match are kept as [`Judged::NoMatch`], for the JSON roads.
    fn triage(
        &self,
        input: &[u8],
        start: Start,
        mut state: State,
        keep: Keep,
        lean: bool,
        mut emit: impl FnMut(Finished<'_, '_>),
    ) -> State {
        let decoded = input::decode(input, &self.limits);
        let prepared: Vec<Prepared<'_, '_>> = decoded
            .items(start, &self.limits)
            .into_iter()
            .map(|item| Prepared {
                index: item.index,
                event: item
                    .text
                    .map_err(|error| error.message)
                    .and_then(|text| self.prepare(text, item.index, item.line, keep)),
            })
            .collect();

        let mut per_rule: Vec<Vec<Judged>> = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            per_rule.push(self.judge(rule, &prepared, &mut state.new_terms, lean));
        }
        // A brief result leaves provenance out, but the ledger learns from every event all the
        // same, so that the state does not depend on how results are written.
        let answer = !lean || self.detail == Detail::Full;
        let provenance = key_provenance(&prepared, &mut state.keys, answer);

        let mut per_rule: Vec<_> = per_rule.into_iter().map(Vec::into_iter).collect();
        for (prepared, provenance) in prepared.into_iter().zip(provenance) {
            emit(Finished {
                index: prepared.index,
                verdicts: per_rule.iter_mut().filter_map(Iterator::next).collect(),
                event: prepared.event,
                provenance,
            });
        }
        state
    }

    /// Parses, normalizes and enriches one event's text.
    fn prepare<'t>(
        &self,
        text: &'t str,
        index: u64,
        line: u64,
        keep: Keep,
    ) -> Result<Ready<'_, 't>, String> {
        if keep != Keep::Value {
            if let Some(ready) = self.prepare_outline(text, keep) {
                return Ok(ready);
            }
        }
        let value = input::parse_event(text, index, line, &self.limits).map_err(|e| e.message)?;
        let mut doc = to_ecs(value, text, index, line)?;
        let console = enrich::enrich(&mut doc);
        Ok(Ready {
            doc: Doc::Whole(doc),
            console,
            text: None,
        })
    }

    /// Reads an ECS event as its outline; `None` leaves it to the whole parse: the rules read
    /// fields they cannot name, the text is not an ECS event, or (for `Keep::Text`) it cannot
    /// be written as it is.
    fn prepare_outline<'t>(&self, text: &'t str, keep: Keep) -> Option<Ready<'_, 't>> {
        let mut keys = Vec::new();
        let mut outline =
            outline::read(text, self.paths.as_ref()?, self.limits.max_depth, &mut keys)?;
        let keys: Vec<&str> = keys.into_iter().map(|(key, _)| key).collect();
        if !is_ecs_by_keys(&keys) {
            return None;
        }

        let console = match outline.escaped("event.original") {
            Some(original) => enrich::console_escaped(&outline, original),
            None => enrich::console(&outline),
        };
        if let Console::Set(flag) = &console {
            if !outline.set(CONSOLE_FIELD, Value::String(flag.clone())) {
                return None;
            }
        }
        let text = match (keep, &console) {
            (Keep::Text, Console::Set(flag)) => Some(Cow::Owned(outline.with_console(text, flag)?)),
            (Keep::Text, _) if outline.canonical => Some(Cow::Borrowed(text)),
            (Keep::Text, _) => return None,
            _ => None,
        };
        Some(Ready {
            doc: Doc::Outline(outline),
            console,
            text,
        })
    }

    /// One rule's verdicts on every event of the batch.
    fn judge(
        &self,
        rule: &Rule,
        prepared: &[Prepared<'_, '_>],
        state: &mut new_terms::State,
        lean: bool,
    ) -> Vec<Judged> {
        let mut verdicts: Vec<Judged> = prepared
            .iter()
            .map(|item| match &item.event {
                Err(error) => Judged::Full(RuleVerdict::unreadable(&rule.name, error)),
                Ok(Ready { doc, console, .. }) => {
                    let caveats = self.caveats(rule, doc.fields(), console);
                    if lean {
                        let outcomes = rule.query.outcomes(doc.fields(), &self.schema);
                        if !outcomes.iter().all(|outcome| outcome.pass) {
                            return Judged::NoMatch { outcomes, caveats };
                        }
                    }
                    let explanation = rule.query.explain(doc.fields(), &self.schema);
                    Judged::Full(RuleVerdict::from_explanation(
                        &rule.name,
                        explanation,
                        caveats,
                    ))
                }
            })
            .collect();

        match &rule.kind {
            RuleKind::MatchOnly => {}
            RuleKind::Query => verdicts.iter_mut().for_each(|judged| {
                if let Judged::Full(verdict) = judged {
                    verdict.alert_on_match();
                }
            }),
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
        prepared: &[Prepared<'_, '_>],
        verdicts: &mut [Judged],
        state: &mut new_terms::State,
    ) {
        let mut positions = Vec::new();
        let mut candidates = Vec::new();
        for (position, (item, judged)) in prepared.iter().zip(verdicts.iter()).enumerate() {
            let Ok(Ready { doc, .. }) = &item.event else {
                continue;
            };
            if !matches!(judged, Judged::Full(verdict) if verdict.matched) {
                continue;
            }
            positions.push(position);
            candidates.push(Candidate {
                index: item.index,
                time: event_time(rule, doc.fields()),
                terms: terms(doc.fields(), fields),
            });
        }

        let decisions = state.decide(&rule.name, window, &candidates);
        let field_name = fields.join(" + ");
        for ((position, candidate), decision) in
            positions.into_iter().zip(candidates).zip(decisions)
        {
            let Some(Judged::Full(verdict)) = verdicts.get_mut(position) else {
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

    fn caveats(&self, rule: &Rule, event: &dyn Fields, console: &Console) -> Vec<String> {
        let mut caveats = Vec::new();
        for name in rule.query.field_names() {
            match self.schema.field_type(name) {
                FieldType::ConstantKeyword(constant) if !field::is_present(event, name) => {
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

    /// The result for one event on [`Engine::run`]'s road.
    fn assemble(&self, finished: Finished<'_, '_>, keep: Keep) -> EventResult {
        let mut verdicts: Vec<RuleVerdict> = finished
            .verdicts
            .into_iter()
            .filter_map(|judged| match judged {
                Judged::Full(verdict) => Some(verdict),
                Judged::NoMatch { .. } => None,
            })
            .collect();
        let (first, rules) = if verdicts.len() > 1 {
            (verdicts.first().cloned(), Some(verdicts))
        } else {
            (verdicts.pop(), None)
        };
        let first = first.unwrap_or_else(|| RuleVerdict::unreadable("", "no rule is loaded"));
        let (summary, error, event) = match finished.event {
            Err(error) => (None, Some(error), None),
            Ok(Ready { doc, .. }) => {
                let summary = Some(Summary::of(doc.fields()));
                match (keep, doc) {
                    (Keep::Nothing, _) | (_, Doc::Outline(_)) => (summary, None, None),
                    (_, Doc::Whole(doc)) => (summary, None, Some(doc)),
                }
            }
        };
        EventResult {
            index: finished.index,
            verdict: first,
            summary,
            error,
            event,
            rules,
            provenance: finished.provenance,
        }
    }

    /// Writes one event's result as JSON on the JSON roads, exactly as `serde_json` writes
    /// [`Engine::run`]'s result for it.
    fn write_result(
        &self,
        out: &mut String,
        finished: &Finished<'_, '_>,
        keep: Keep,
    ) -> serde_json::Result<()> {
        let verdicts = &finished.verdicts;
        let (doc, summary, error, event) = match &finished.event {
            Err(error) => (None, None, Some(error.as_str()), json::Event::None),
            Ok(Ready { doc, text, .. }) => {
                let event = match (keep, text, doc) {
                    (Keep::Nothing, _, _) => json::Event::None,
                    (_, Some(text), _) => json::Event::Text(text),
                    (_, None, Doc::Whole(value)) => json::Event::Value(value),
                    (_, None, Doc::Outline(_)) => json::Event::None,
                };
                let summary = match self.detail {
                    Detail::Full => Some(Summary::of(doc.fields())),
                    Detail::Brief => None,
                };
                (Some(doc.fields()), summary, None, event)
            }
        };
        let mut views: Vec<json::Verdict<'_>> = verdicts
            .iter()
            .zip(&self.rules)
            .filter_map(|(judged, rule)| match judged {
                Judged::Full(verdict) => Some(json::Verdict::Full(verdict)),
                // Only a readable event gets a verdict of no match, so `doc` is there.
                Judged::NoMatch { outcomes, caveats } => doc.map(|doc| json::Verdict::NoMatch {
                    rule,
                    outcomes,
                    caveats,
                    doc,
                }),
            })
            .collect();
        let unloaded;
        if views.is_empty() {
            unloaded = RuleVerdict::unreadable("", "no rule is loaded");
            views.push(json::Verdict::Full(&unloaded));
        }
        json::write_result(
            out,
            &json::ResultView {
                index: finished.index,
                verdicts: &views,
                summary: summary.as_ref(),
                error,
                event,
                provenance: finished.provenance.as_ref(),
                detail: self.detail,
            },
        )
    }
}

/// Records the batch's key facts, then answers for every event made with a temporary key, so
/// that an issuer anywhere in the batch is found.
fn key_provenance(
    prepared: &[Prepared<'_, '_>],
    ledger: &mut Ledger,
    answer: bool,
) -> Vec<Option<provenance::Provenance>> {
    let facts: Vec<Option<provenance::Facts>> = prepared
        .iter()
        .map(|item| {
            item.event
                .as_ref()
                .ok()
                .map(|ready| provenance::facts(item.index, ready.doc.fields()))
        })
        .collect();
    for facts in facts.iter().flatten() {
        ledger.record(facts);
    }
    let answers = facts
        .iter()
        .map(|facts| {
            facts
                .as_ref()
                .filter(|_| answer)
                .and_then(|f| ledger.provenance(f))
        })
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

/// Whether an object with these top-level keys is an ECS event for [`to_ecs`]: not a digest,
/// not a raw record, and [`is_ecs`].
fn is_ecs_by_keys(keys: &[&str]) -> bool {
    let has = |wanted: &[&str]| keys.iter().any(|key| wanted.contains(key));
    let event = keys
        .iter()
        .any(|key| *key == "event" || key.starts_with("event."));
    !has(&normalize::DIGEST_KEYS)
        && (event || !has(&normalize::RECORD_KEYS))
        && keys.iter().copied().any(is_ecs_key)
}

/// An ECS event holds `@timestamp` or a field of one of the ECS groups the rule reads.
fn is_ecs(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.keys().map(String::as_str).any(is_ecs_key)
}

/// Whether a top-level key is `@timestamp` or belongs to one of the ECS groups the rule reads.
fn is_ecs_key(key: &str) -> bool {
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
    .any(|group| key == *group || key.strip_prefix(group).is_some_and(|r| r.starts_with('.')))
}

/// Every field the engine reads from an event, or `None` when a rule reads fields it cannot
/// name in advance.
fn outline_paths(rules: &[Rule]) -> Option<Paths> {
    if !rules.iter().all(|rule| rule.query.names_every_field()) {
        return None;
    }
    let mut paths: Vec<String> = vec!["@timestamp".to_owned()];
    for rule in rules {
        paths.extend(rule.query.fields());
        paths.extend(rule.timestamp_override.iter().cloned());
        if let RuleKind::NewTerms { fields, .. } = &rule.kind {
            paths.extend(fields.iter().cloned());
        }
    }
    let fixed = enrich::FIELDS
        .iter()
        .chain(&Summary::FIELDS)
        .chain(&provenance::FIELDS);
    Some(Paths::new(
        paths.iter().map(String::as_str).chain(fixed.copied()),
    ))
}

/// The time new terms orders the event by: the rule's timestamp override, else `@timestamp`.
fn event_time(rule: &Rule, event: &dyn Fields) -> Option<time::Millis> {
    let parse = |path: &str| field::first_str(event, path).and_then(time::parse);
    rule.timestamp_override
        .as_deref()
        .and_then(parse)
        .or_else(|| parse("@timestamp"))
}

/// The event's new-terms values: each value of a single field, or each combination of values
/// of several fields.
fn terms(event: &dyn Fields, fields: &[String]) -> Vec<String> {
    let mut combos = vec![String::new()];
    for (i, name) in fields.iter().enumerate() {
        let values: Vec<String> = event
            .values(name)
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
