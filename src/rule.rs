//! Rules: from detection-rules TOML text, from a bare KQL query, or built in.
//!
//! The built-in versions `v1` … `v5` are the five query versions Elastic has published of
//! "AWS IAM API Calls via Temporary Session Tokens" (rule_id
//! `c70d9f0d-8cb6-4cfc-85df-a95c1ccf4eab`), each with the history window and date it shipped
//! with; `latest` names `v5`.
//!
//! ```
//! use cloudtrail_triage::rule::Rule;
//!
//! let rule = Rule::builtin("latest")?;
//! assert_eq!(rule.name, "v5");
//! assert_eq!(rule.history_window_days(), Some(7));
//! assert!(rule.query.fields().contains(&"source.ip".to_owned()));
//! # Ok::<(), cloudtrail_triage::rule::RuleError>(())
//! ```

use crate::kql::{ParseError, Query, QueryLimits};
use crate::time::{DAY, Millis};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The rule_id of the rule this tool is built around.
pub const RULE_ID: &str = "c70d9f0d-8cb6-4cfc-85df-a95c1ccf4eab";

/// The rule's title in Kibana.
pub const RULE_TITLE: &str = "AWS IAM API Calls via Temporary Session Tokens";

/// The field the rule's new-terms step watches.
pub const NEW_TERMS_FIELD: &str = "aws.cloudtrail.user_identity.arn";

/// The built-in version `latest` stands for.
pub const LATEST: &str = "v5";

/// The deepest nesting of arrays, inline tables and dotted keys a rule's TOML may have.
/// detection-rules files go four levels deep; the TOML reader recurses once per level, and a
/// thousand levels exhaust a WebAssembly stack.
pub const MAX_TOML_DEPTH: usize = 32;

/// A loaded rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// What results and the CLI call it: a version name, a file name, or `query`.
    pub name: String,
    /// The rule's title (`name` in detection-rules TOML).
    pub title: String,
    /// detection-rules' `rule_id`, when known.
    pub rule_id: Option<String>,
    /// The date of this version (`updated_date`), `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// The parsed query.
    pub query: Query,
    /// What turns a match into an alert.
    pub kind: RuleKind,
    /// The field whose time orders events (`timestamp_override`); `@timestamp` is the fallback.
    pub timestamp_override: Option<String>,
    /// Fields the rule asks an analyst to look at first.
    pub investigation_fields: Vec<String>,
}

/// What turns a match into an alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// Every match is an alert (a `query` rule).
    Query,
    /// A match is an alert only when its value of `fields` has not matched within `window`
    /// before it (a `new_terms` rule).
    #[allow(missing_docs)]
    NewTerms { fields: Vec<String>, window: Millis },
    /// A bare query given on its own: matches are reported, nothing alerts.
    MatchOnly,
}

/// What a rule's summary looks like to JavaScript and in the CLI's `--help`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleInfo {
    /// The rule's name in results.
    pub name: String,
    /// The rule's title.
    pub title: String,
    /// detection-rules' `rule_id`, when known.
    pub rule_id: Option<String>,
    /// The version's date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The query text.
    pub query: String,
    /// Always `kuery`.
    pub language: &'static str,
    /// `query` or `new_terms`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The fields a new-terms rule watches.
    pub new_terms_fields: Vec<String>,
    /// The new-terms history window, in days.
    pub history_window_days: Option<f64>,
    /// Whether this is the latest built-in version.
    pub latest: bool,
}

/// Why a rule could not be loaded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RuleError {
    /// The text is not TOML; carries the TOML reader's message.
    Toml(String),
    /// A field the rule needs is absent, e.g. `rule.query`.
    MissingField(&'static str),
    /// `rule.language` is not `kuery`: only KQL queries are evaluated.
    UnsupportedLanguage(String),
    /// `rule.type` is not `query` or `new_terms`.
    UnsupportedType(String),
    /// `history_window_start` is not of the form `now-14d`.
    HistoryWindow(String),
    /// The query does not parse.
    Query(ParseError),
    /// A built-in name other than `v1` … `v5` and `latest`.
    UnknownBuiltin(String),
    /// The TOML nests arrays, inline tables and dotted keys more than [`MAX_TOML_DEPTH`] levels
    /// deep; carries the depth found.
    TooDeep(usize),
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Toml(message) => write!(f, "the rule is not valid TOML: {message}"),
            Self::MissingField(field) => write!(f, "the rule has no {field}"),
            Self::UnsupportedLanguage(language) => write!(
                f,
                "the rule's language is \"{language}\"; only kuery (KQL) rules can be evaluated"
            ),
            Self::UnsupportedType(kind) => write!(
                f,
                "the rule's type is \"{kind}\"; only query and new_terms rules can be evaluated"
            ),
            Self::HistoryWindow(value) => write!(
                f,
                "the rule's history_window_start is \"{value}\"; expected the form now-14d \
                 (units s, m, h, d, w)"
            ),
            Self::Query(error) => write!(f, "the rule's query does not parse: {error}"),
            Self::UnknownBuiltin(name) => write!(
                f,
                "there is no built-in rule \"{name}\"; choose one of v1, v2, v3, v4, v5, latest"
            ),
            Self::TooDeep(depth) => write!(
                f,
                "the rule's TOML nests arrays, inline tables and dotted keys {depth} levels deep, \
                 more than the limit of {MAX_TOML_DEPTH}"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

impl From<ParseError> for RuleError {
    fn from(error: ParseError) -> Self {
        Self::Query(error)
    }
}

struct Builtin {
    name: &'static str,
    date: &'static str,
    window_days: i64,
    query: &'static str,
}

const V1_QUERY: &str = "event.dataset: aws.cloudtrail
    and event.provider: (\"iam.amazonaws.com\")
    and aws.cloudtrail.user_identity.type: \"IAMUser\"
    and aws.cloudtrail.user_identity.access_key_id: ASIA*";

const V2_QUERY: &str = "event.dataset: aws.cloudtrail
    and event.provider: (\"iam.amazonaws.com\")
    and event.outcome: \"success\"
    and aws.cloudtrail.user_identity.type: \"IAMUser\"
    and aws.cloudtrail.user_identity.access_key_id: ASIA*";

const V3_QUERY: &str = "event.dataset: aws.cloudtrail
    and event.provider: (\"iam.amazonaws.com\")
    and event.outcome: \"success\"
    and aws.cloudtrail.user_identity.type: \"IAMUser\"
    and aws.cloudtrail.user_identity.access_key_id: ASIA*
    and source.ip: *
    and not user_agent.original : \"AWS Internal\"";

const V4_QUERY: &str = "event.dataset: aws.cloudtrail
    and event.provider: (\"iam.amazonaws.com\")
    and event.outcome: \"success\"
    and aws.cloudtrail.user_identity.type: \"IAMUser\"
    and aws.cloudtrail.user_identity.access_key_id: ASIA*
    and source.ip: *
    and not user_agent.original : \"AWS Internal\"
    and not aws.cloudtrail.session_credential_from_console: true";

const V5_QUERY: &str = "data_stream.dataset: aws.cloudtrail
    and event.provider: (\"iam.amazonaws.com\")
    and event.outcome: \"success\"
    and aws.cloudtrail.user_identity.type: \"IAMUser\"
    and aws.cloudtrail.user_identity.access_key_id: ASIA*
    and source.ip: *
    and not user_agent.original : \"AWS Internal\"
    and not aws.cloudtrail.session_credential_from_console: true";

/// The published query versions. v3's query shipped with a 14-day window and was re-released
/// on 2025-12-18 with 7 days; v5's re-release on 2026-07-20 changed only severity and risk.
const BUILTINS: [Builtin; 5] = [
    Builtin {
        name: "v1",
        date: "2025-04-24",
        window_days: 14,
        query: V1_QUERY,
    },
    Builtin {
        name: "v2",
        date: "2025-07-15",
        window_days: 14,
        query: V2_QUERY,
    },
    Builtin {
        name: "v3",
        date: "2025-11-24",
        window_days: 14,
        query: V3_QUERY,
    },
    Builtin {
        name: "v4",
        date: "2026-02-26",
        window_days: 7,
        query: V4_QUERY,
    },
    Builtin {
        name: "v5",
        date: "2026-04-10",
        window_days: 7,
        query: V5_QUERY,
    },
];

impl Rule {
    /// A built-in version by name: `v1` … `v5`, or `latest`.
    pub fn builtin(name: &str) -> Result<Self, RuleError> {
        let wanted = if name == "latest" { LATEST } else { name };
        let builtin = BUILTINS
            .iter()
            .find(|builtin| builtin.name == wanted)
            .ok_or_else(|| RuleError::UnknownBuiltin(name.to_owned()))?;
        Ok(Self {
            name: builtin.name.to_owned(),
            title: RULE_TITLE.to_owned(),
            rule_id: Some(RULE_ID.to_owned()),
            date: Some(builtin.date.to_owned()),
            query: Query::parse(builtin.query)?,
            kind: RuleKind::NewTerms {
                fields: vec![NEW_TERMS_FIELD.to_owned()],
                window: builtin.window_days * DAY,
            },
            timestamp_override: Some("event.ingested".to_owned()),
            investigation_fields: Vec::new(),
        })
    }

    /// Every built-in version, oldest first (`latest` is not repeated).
    pub fn builtins() -> Vec<Self> {
        BUILTINS
            .iter()
            .filter_map(|builtin| Self::builtin(builtin.name).ok())
            .collect()
    }

    /// A bare KQL query: its matches are reported and nothing alerts.
    pub fn from_query(text: &str, limits: QueryLimits) -> Result<Self, RuleError> {
        Ok(Self {
            name: "query".to_owned(),
            title: "KQL query".to_owned(),
            rule_id: None,
            date: None,
            query: Query::parse_with_limits(text, limits)?,
            kind: RuleKind::MatchOnly,
            timestamp_override: None,
            investigation_fields: Vec::new(),
        })
    }

    /// A rule from the text of a detection-rules TOML file, called `name` in results.
    ///
    /// Reads `rule.query`, `rule.language` (must be `kuery`), `rule.type` (`query` or
    /// `new_terms`), `rule.new_terms` with its history window, `rule.timestamp_override`,
    /// `rule.rule_id`, `rule.name`, `rule.investigation_fields` and `metadata.updated_date`.
    pub fn from_toml(text: &str, name: &str, limits: QueryLimits) -> Result<Self, RuleError> {
        let depth = toml_depth(text);
        if depth > MAX_TOML_DEPTH {
            return Err(RuleError::TooDeep(depth));
        }
        let file: TomlFile =
            basic_toml::from_str(text).map_err(|error| RuleError::Toml(error.to_string()))?;
        let rule = file.rule.ok_or(RuleError::MissingField("[rule] table"))?;

        let language = rule.language.unwrap_or_else(|| "kuery".to_owned());
        if language != "kuery" {
            return Err(RuleError::UnsupportedLanguage(language));
        }
        let query_text = rule.query.ok_or(RuleError::MissingField("rule.query"))?;
        let query = Query::parse_with_limits(&query_text, limits)?;

        let kind = match rule.kind.as_deref().unwrap_or("query") {
            "query" => RuleKind::Query,
            "new_terms" => new_terms_kind(rule.new_terms)?,
            other => return Err(RuleError::UnsupportedType(other.to_owned())),
        };
        let date = file
            .metadata
            .and_then(|metadata| metadata.updated_date)
            .map(|date| date.replace('/', "-"));

        Ok(Self {
            name: name.to_owned(),
            title: rule.name.unwrap_or_else(|| name.to_owned()),
            rule_id: rule.rule_id,
            date,
            query,
            kind,
            timestamp_override: rule.timestamp_override,
            investigation_fields: rule
                .investigation_fields
                .map(|f| f.field_names)
                .unwrap_or_default(),
        })
    }

    /// The new-terms history window in days, for a new-terms rule.
    pub fn history_window_days(&self) -> Option<i64> {
        match self.kind {
            RuleKind::NewTerms { window, .. } => Some(window / DAY),
            _ => None,
        }
    }

    /// A summary for JavaScript and the CLI.
    pub fn info(&self) -> RuleInfo {
        let (kind, fields, window) = match &self.kind {
            RuleKind::Query => ("query", Vec::new(), None),
            RuleKind::MatchOnly => ("query", Vec::new(), None),
            RuleKind::NewTerms { fields, window } => (
                "new_terms",
                fields.clone(),
                Some(*window as f64 / DAY as f64),
            ),
        };
        RuleInfo {
            name: self.name.clone(),
            title: self.title.clone(),
            rule_id: self.rule_id.clone(),
            date: self.date.clone(),
            query: self.query.text().to_owned(),
            language: "kuery",
            kind,
            new_terms_fields: fields,
            history_window_days: window,
            latest: self.name == LATEST && self.rule_id.as_deref() == Some(RULE_ID),
        }
    }
}

fn new_terms_kind(new_terms: Option<TomlNewTerms>) -> Result<RuleKind, RuleError> {
    let new_terms = new_terms.ok_or(RuleError::MissingField("rule.new_terms"))?;
    let fields = new_terms.value.filter(|fields| !fields.is_empty());
    let fields = fields.ok_or(RuleError::MissingField("rule.new_terms.value"))?;
    let start = new_terms
        .history_window_start
        .into_iter()
        .flatten()
        .find_map(|entry| entry.value)
        .ok_or(RuleError::MissingField(
            "rule.new_terms.history_window_start",
        ))?;
    let window = parse_window(&start).ok_or(RuleError::HistoryWindow(start))?;
    Ok(RuleKind::NewTerms { fields, window })
}

/// `now-14d` and the like as a span of milliseconds.
fn parse_window(text: &str) -> Option<Millis> {
    let span = text.trim().strip_prefix("now-")?;
    let split = span.find(|c: char| !c.is_ascii_digit())?;
    let (count, unit) = span.split_at(split);
    let count: i64 = count.parse().ok()?;
    let unit: Millis = match unit {
        "s" => 1000,
        "m" => 60_000,
        "h" | "H" => 3_600_000,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return None,
    };
    count.checked_mul(unit).filter(|window| *window > 0)
}

/// How deep arrays, inline tables and dotted keys nest in TOML `text`, counted without reading
/// it: the table a header opens, the dots of the line and the open brackets, strings and
/// comments skipped. It may count a dot in a number too, which only ever errs on the deep side.
fn toml_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut deepest, mut brackets, mut table, mut dots) = (0, 0usize, 0, 0);
    let (mut line_start, mut header) = (true, false);
    let mut pos = 0;
    while let Some(&byte) = bytes.get(pos) {
        match byte {
            b'"' | b'\'' => {
                pos = skip_toml_string(bytes, pos);
                line_start = false;
                continue;
            }
            b'#' => {
                while bytes.get(pos).is_some_and(|&b| b != b'\n') {
                    pos += 1;
                }
                continue;
            }
            b'\n' => {
                if header {
                    table = dots + 1;
                }
                (dots, line_start, header) = (0, true, false);
            }
            b'[' if line_start && brackets == 0 => {
                (header, table) = (true, 0);
                brackets += 1;
            }
            b'[' | b'{' => brackets += 1,
            b']' | b'}' => brackets = brackets.saturating_sub(1),
            b'.' => dots += 1,
            _ => {}
        }
        if !byte.is_ascii_whitespace() {
            line_start = false;
        }
        deepest = deepest.max(table + dots + brackets);
        pos += 1;
    }
    deepest
}

/// The position after the TOML string that opens at `pos`: basic or literal, on one line or
/// on many; the end of the text when it is never closed.
fn skip_toml_string(bytes: &[u8], pos: usize) -> usize {
    let quote = bytes.get(pos).copied().unwrap_or(b'"');
    let triple = [quote; 3];
    let opens_triple = |at: usize| {
        bytes
            .get(at..)
            .is_some_and(|rest| rest.starts_with(&triple))
    };
    let multi_line = opens_triple(pos);

    let mut at = pos + if multi_line { 3 } else { 1 };
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' if quote == b'"' => at += 2,
            b'\n' if !multi_line => return at,
            _ if multi_line && opens_triple(at) => return at + 3,
            _ if !multi_line && byte == quote => return at + 1,
            _ => at += 1,
        }
    }
    at
}

#[derive(Deserialize)]
struct TomlFile {
    metadata: Option<TomlMetadata>,
    rule: Option<TomlRule>,
}

#[derive(Deserialize)]
struct TomlMetadata {
    updated_date: Option<String>,
}

#[derive(Deserialize)]
struct TomlRule {
    name: Option<String>,
    rule_id: Option<String>,
    query: Option<String>,
    language: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    timestamp_override: Option<String>,
    new_terms: Option<TomlNewTerms>,
    investigation_fields: Option<TomlInvestigationFields>,
}

#[derive(Deserialize)]
struct TomlNewTerms {
    value: Option<Vec<String>>,
    history_window_start: Option<Vec<TomlWindowStart>>,
}

#[derive(Deserialize)]
struct TomlWindowStart {
    value: Option<String>,
}

#[derive(Deserialize)]
struct TomlInvestigationFields {
    field_names: Vec<String>,
}

#[cfg(test)]
mod tests;
