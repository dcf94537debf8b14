//! The JavaScript surface: the only module that knows it runs in WebAssembly.
//!
//! Events cross the boundary as bytes and results come back as bytes, one result per line with
//! a byte per verdict beside them, so a batch costs one call, numbers past 2^53 survive the
//! trip untouched, and a caller that writes results out as they are never turns them into JS
//! strings.

use crate::input::{Limits, Start};
use crate::kql::{Query, QueryLimits};
use crate::rule::{LATEST, Rule, RuleInfo};
use crate::triage::{self, Detail, State};
use crate::verdict::Outcome;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// The largest results buffer an engine keeps for its next batch: batches of the CLI's
/// default size write well under 1 MiB.
const KEPT_CAPACITY: usize = 16 << 20;

/// What `new Engine(config)` takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    rules: Vec<RuleSpec>,
    #[serde(default)]
    enrich: bool,
    /// Brief results: see [`Detail::Brief`].
    #[serde(default)]
    brief: bool,
    #[serde(default)]
    limits: Option<LimitsSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    builtin: Option<String>,
    toml: Option<String>,
    query: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LimitsSpec {
    max_event_bytes: Option<usize>,
    max_depth: Option<usize>,
    max_query_bytes: Option<usize>,
    max_query_depth: Option<usize>,
}

/// Loaded rules and the new-terms state they have built so far.
#[wasm_bindgen]
pub struct Engine {
    engine: triage::Engine,
    state: State,
    enrich: bool,
    /// The verdicts of the last `runNdjson` or `runNdjsonKept` batch, one byte each.
    verdicts: Vec<u8>,
    /// The results of the last `runNdjsonKept` batch, in a buffer the next batch reuses.
    kept: String,
}

#[wasm_bindgen]
impl Engine {
    /// Loads the rules of `config` (`{rules: [{builtin} | {toml, name?} | {query, name?}],
    /// enrich?, brief?, limits?}`); throws an Error that says which rule failed and why.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Engine, JsError> {
        let config: Config = serde_wasm_bindgen::from_value(config)
            .map_err(|error| JsError::new(&format!("the engine's config is not valid: {error}")))?;
        let spec = config.limits.unwrap_or_default();
        let defaults = Limits::default();
        let limits = Limits {
            max_event_bytes: spec.max_event_bytes.unwrap_or(defaults.max_event_bytes),
            max_depth: spec.max_depth.unwrap_or(defaults.max_depth),
            ..defaults
        };
        let query_defaults = QueryLimits::default();
        let query_limits = QueryLimits {
            max_length: spec.max_query_bytes.unwrap_or(query_defaults.max_length),
            max_depth: spec.max_query_depth.unwrap_or(query_defaults.max_depth),
        };

        let mut rules = Vec::new();
        for (position, rule) in config.rules.into_iter().enumerate() {
            rules.push(load(rule, position, query_limits)?);
        }
        if rules.is_empty() {
            return Err(JsError::new("the engine's config names no rule"));
        }

        let detail = if config.brief {
            Detail::Brief
        } else {
            Detail::Full
        };
        Ok(Self {
            engine: triage::Engine::new(rules)
                .with_limits(limits)
                .with_detail(detail),
            state: State::default(),
            enrich: config.enrich,
            verdicts: Vec::new(),
            kept: String::new(),
        })
    }

    /// Triages a batch: the results as UTF-8 bytes, one per event in input order, each on a
    /// line of its own (a newline after each); `verdicts()` then tells each result's verdicts.
    /// `first_index` and `first_line` place the batch within a longer input.
    #[wasm_bindgen(js_name = runNdjson)]
    pub fn run_ndjson(&mut self, input: &[u8], first_index: f64, first_line: f64) -> Vec<u8> {
        self.run_ndjson_kept(input, first_index, first_line);
        std::mem::take(&mut self.kept).into_bytes()
    }

    /// Like `runNdjson`, but the results stay in the core's memory, `keptAt()` bytes from the
    /// start of `coreMemory()`, until the next call; returns their length. A caller that copies
    /// them into a buffer of its own, reused from batch to batch, leaves no garbage behind.
    #[wasm_bindgen(js_name = runNdjsonKept)]
    pub fn run_ndjson_kept(&mut self, input: &[u8], first_index: f64, first_line: f64) -> usize {
        let state = std::mem::take(&mut self.state);
        let mut buffer = std::mem::take(&mut self.kept);
        // The next batch writes over the last one's text: a fresh string for each batch, made
        // while the last one is still held, doubled the wasm memory of a long run. A buffer
        // grown for one large document is let go rather than held for good.
        if buffer.capacity() > KEPT_CAPACITY {
            buffer = String::new();
        }
        let start = start(first_index, first_line);
        let batch = self
            .engine
            .run_ndjson(input, start, state, self.enrich, buffer);
        self.state = batch.state;
        self.verdicts = batch.verdicts.into_iter().map(verdict_code).collect();
        self.kept = batch.text;
        self.kept.len()
    }

    /// Where the results of the last `runNdjsonKept` start in `coreMemory()`.
    #[wasm_bindgen(js_name = keptAt)]
    pub fn kept_at(&self) -> *const u8 {
        self.kept.as_ptr()
    }

    /// The verdicts of the last `runNdjson` or `runNdjsonKept` batch: for each result in order,
    /// one byte per loaded rule in order: 0 alert, 1 repeat, 2 match, 3 no match, 4 error (the
    /// event could not be read).
    pub fn verdicts(&self) -> Vec<u8> {
        self.verdicts.clone()
    }

    /// The new-terms state as JSON, to carry to another engine.
    pub fn state(&self) -> String {
        serde_json::to_string(&self.state).unwrap_or_default()
    }

    /// Restores a state that `state()` wrote.
    #[wasm_bindgen(js_name = setState)]
    pub fn set_state(&mut self, json: &str) -> Result<(), JsError> {
        self.state = serde_json::from_str(json)
            .map_err(|error| JsError::new(&format!("the new-terms state is not valid: {error}")))?;
        Ok(())
    }

    /// The loaded rules, as `{name, title, rule_id, date, query, language, type,
    /// new_terms_fields, history_window_days, latest}` objects.
    pub fn rules(&self) -> Result<JsValue, JsError> {
        let infos: Vec<RuleInfo> = self.engine.rules().iter().map(Rule::info).collect();
        to_js(&infos)
    }
}

fn start(first_index: f64, first_line: f64) -> Start {
    Start {
        index: first_index.max(0.0) as u64,
        line: first_line.max(0.0) as u64,
    }
}

fn verdict_code(verdict: Outcome) -> u8 {
    match verdict {
        Outcome::Alert => 0,
        Outcome::Repeat => 1,
        Outcome::Match => 2,
        Outcome::NoMatch => 3,
        Outcome::Error => 4,
    }
}

fn load(spec: RuleSpec, position: usize, limits: QueryLimits) -> Result<Rule, JsError> {
    let rule = match (spec.builtin, spec.toml, spec.query) {
        (Some(name), None, None) => Rule::builtin(&name),
        (None, Some(text), None) => {
            let name = spec
                .name
                .unwrap_or_else(|| format!("rule {}", position + 1));
            Rule::from_toml(&text, &name, limits)
        }
        (None, None, Some(text)) => Rule::from_query(&text, limits).map(|mut rule| {
            if let Some(name) = spec.name {
                rule.name = name;
            }
            rule
        }),
        _ => {
            return Err(JsError::new(&format!(
                "rule {} must give exactly one of builtin, toml and query",
                position + 1
            )));
        }
    };
    rule.map_err(|error| JsError::new(&error.to_string()))
}

/// The built-in versions, oldest first; the latest has `latest: true`.
#[wasm_bindgen(js_name = builtinRules)]
pub fn builtin_rules() -> Result<JsValue, JsError> {
    let infos: Vec<RuleInfo> = Rule::builtins().iter().map(Rule::info).collect();
    to_js(&infos)
}

/// The name `latest` stands for.
#[wasm_bindgen(js_name = latestVersion)]
pub fn latest_version() -> String {
    LATEST.to_owned()
}

/// The core's `WebAssembly.Memory`, where `Engine.keptAt()` points.
#[wasm_bindgen(js_name = coreMemory)]
pub fn core_memory() -> JsValue {
    wasm_bindgen::memory()
}

#[derive(Serialize)]
struct QueryProblem {
    message: String,
    offset: usize,
    line: usize,
    column: usize,
    display: String,
}

/// `null` for a valid query, else `{message, offset, line, column, display}` where `display`
/// holds the message, the query line and a caret under the spot.
#[wasm_bindgen(js_name = checkQuery)]
pub fn check_query(text: &str) -> Result<JsValue, JsError> {
    match Query::parse(text) {
        Ok(_) => Ok(JsValue::NULL),
        Err(error) => to_js(&QueryProblem {
            display: error.to_string(),
            message: error.message,
            offset: error.offset,
            line: error.line,
            column: error.column,
        }),
    }
}

/// The crate's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| JsError::new(&error.to_string()))
}
