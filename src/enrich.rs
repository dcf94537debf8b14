//! The console flag, recovered from `event.original`.
//!
//! CloudTrail marks temporary credentials that a console login issued with the top-level record
//! field `"sessionCredentialFromConsole": "true"` (absent otherwise, since eventVersion 1.08).
//! Elastic's AWS integration keeps it as the keyword `aws.cloudtrail.session_credential_from_console`
//! from version 4.6.0 on; documents indexed before that hold it only inside the raw record in
//! `event.original`. [`enrich`] sets the field from there, so that a rule excluding console
//! sessions works on both.

use crate::field::{self, Fields};
use crate::outline::{self, Paths};
use memchr::memmem;
use serde_json::Value;
use std::sync::OnceLock;

/// The ECS field the console flag is written to.
pub const CONSOLE_FIELD: &str = "aws.cloudtrail.session_credential_from_console";

/// Every field [`enrich`] reads.
pub const FIELDS: [&str; 2] = [CONSOLE_FIELD, "event.original"];

/// The record field CloudTrail writes the console flag to.
const RECORD_FIELD: &str = "sessionCredentialFromConsole";

/// What [`enrich`] learned about the console flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Console {
    /// The event already held the field; it was left as it was.
    AlreadySet,
    /// The raw record carries the flag; the field was set to this value.
    Set(String),
    /// The raw record was read and carries no flag: not a console session.
    NotFlagged,
    /// The raw record could not be read, so console status is unknown; the text says why.
    Unknown(String),
}

impl Console {
    /// Whether console status is known, from the event or its raw record.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }
}

/// Sets [`CONSOLE_FIELD`] from the record in `event.original`, as Elastic's integration does:
/// the record's value as a keyword (`"true"`; a JSON `true`, which some test data holds, is
/// written as `"true"` too). A value already in the event is left alone. A missing or
/// unreadable `event.original` is not an error: the result says console status is unknown.
///
/// ```
/// use cloudtrail_triage::enrich::{enrich, Console};
/// use serde_json::json;
///
/// let mut event = json!({"event": {"original": r#"{"sessionCredentialFromConsole":"true"}"#}});
/// assert_eq!(enrich(&mut event), Console::Set("true".into()));
/// assert_eq!(event["aws"]["cloudtrail"]["session_credential_from_console"], "true");
/// ```
pub fn enrich(event: &mut Value) -> Console {
    let console = console(event);
    if let Console::Set(flag) = &console {
        field::insert(event, CONSOLE_FIELD, Value::String(flag.clone()));
    }
    console
}

/// What [`enrich`] learns about the console flag of `event`, without setting it.
pub fn console(event: &dyn Fields) -> Console {
    if event
        .values(CONSOLE_FIELD)
        .iter()
        .any(|value| !value.is_null())
    {
        return Console::AlreadySet;
    }

    match console_flag(event) {
        Ok(Some(flag)) => Console::Set(flag),
        Ok(None) => Console::NotFlagged,
        Err(reason) => Console::Unknown(reason),
    }
}

/// [`console`] for an event whose `event.original` is one string, given as it is written in
/// JSON (between its quotes, escapes not resolved), with no escape but `\"`, `\\`, `\/`,
/// `\b`, `\f`, `\n`, `\r`, `\t` and `\u` for a control character, as an
/// [`Outline`](crate::outline::Outline) keeps it.
///
/// None of those escapes stands for a letter, so the record names the flag exactly when its
/// written form does, and a written form that opens with `{` and closes with `}` is a record
/// that does too: most events are decided here without resolving the escapes of their record.
pub fn console_escaped(event: &dyn Fields, original: &str) -> Console {
    let already = event
        .values(CONSOLE_FIELD)
        .iter()
        .any(|value| !value.is_null());
    if !already && !names_flag(original) && original.starts_with('{') && original.ends_with('}') {
        return Console::NotFlagged;
    }
    console(event)
}

/// Whether a record's text names the flag anywhere: when it does not, the record cannot hold it.
fn names_flag(record: &str) -> bool {
    static FINDER: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    FINDER
        .get_or_init(|| memmem::Finder::new(RECORD_FIELD))
        .find(record.as_bytes())
        .is_some()
}

/// The flag's keyword value in the raw record, `None` when the record has none.
fn console_flag(event: &dyn Fields) -> Result<Option<String>, String> {
    let originals = event.values("event.original");
    let original = match originals.first() {
        None => return Err("event.original is missing".to_owned()),
        Some(Value::String(text)) => text,
        Some(other) => return Err(format!("event.original is {}, not a string", kind(other))),
    };

    // Reading a whole record costs more than the rest of an event's evaluation; a record whose
    // text never names the flag cannot hold it, so only its outline is checked.
    if !names_flag(original) {
        let trimmed = original.trim();
        if trimmed.starts_with('{') && trimmed.ends_with('}') {
            return Ok(None);
        }
    }

    if let Some(flag) = flag_from_outline(original) {
        return Ok(flag);
    }
    let record: Value = serde_json::from_str(original)
        .map_err(|error| format!("event.original is not valid JSON: {error}"))?;
    let Value::Object(record) = record else {
        return Err(format!(
            "event.original holds {}, not a JSON object",
            kind(&record)
        ));
    };
    Ok(match record.get(RECORD_FIELD) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Bool(flag)) => Some(flag.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

/// The flag as [`console_flag`] reads it from the whole record, read from the record's outline
/// instead (see [`outline`]): `None` when the outline leaves the record to a full parse, or the
/// flag is a number, an array or an object, which are written as JSON.
fn flag_from_outline(original: &str) -> Option<Option<String>> {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    let paths = PATHS.get_or_init(|| Paths::new([RECORD_FIELD]));
    let record = original.trim_matches([' ', '\t', '\n', '\r']);
    let mut keys = Vec::new();
    let outline = outline::read(record, paths, usize::MAX, &mut keys)?;
    match keys.into_iter().find(|(key, _)| *key == RECORD_FIELD) {
        None | Some((_, b'n')) => Some(None),
        Some((_, b't')) => Some(Some("true".to_owned())),
        Some((_, b'f')) => Some(Some("false".to_owned())),
        Some((_, b'"')) => outline
            .values(RECORD_FIELD)
            .first()
            .and_then(|value| value.as_str())
            .map(|text| Some(text.to_owned())),
        Some(_) => None,
    }
}

/// A value's JSON type in words, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_original(original: Value) -> Value {
        json!({"event": {"original": original}, "aws": {"cloudtrail": {"event_version": "1.08"}}})
    }

    #[test]
    fn the_flag_is_read_from_the_raw_record() {
        let cases = [
            (json!(r#"{"eventVersion":"1.08","sessionCredentialFromConsole":"true"}"#), Console::Set("true".into())),
            (json!(r#"{"sessionCredentialFromConsole":true}"#), Console::Set("true".into())),
            (json!(r#"{"sessionCredentialFromConsole":"false"}"#), Console::Set("false".into())),
            (json!(r#"{"eventVersion":"1.08"}"#), Console::NotFlagged),
            (json!(r#" {"requestParameters":{"sessionCredentialFromConsole":"true"}} "#), Console::NotFlagged),
            (json!(r#"{"sessionCredentialFromConsole":null}"#), Console::NotFlagged),
            (json!("not json"), Console::Unknown("event.original is not valid JSON: expected ident at line 1 column 2".into())),
            (json!(r#"["sessionCredentialFromConsole"]"#), Console::Unknown("event.original holds an array, not a JSON object".into())),
            (json!(r#"{"sessionCredentialFromConsole":"true""#), Console::Unknown("event.original is not valid JSON: EOF while parsing an object at line 1 column 38".into())),
            (json!(42), Console::Unknown("event.original is a number, not a string".into())),
        ];
        for (original, expected) in cases {
            let mut event = with_original(original.clone());
            assert_eq!(enrich(&mut event), expected, "{original}");
            let written = field::first_str(&event, CONSOLE_FIELD);
            match &expected {
                Console::Set(value) => assert_eq!(written, Some(value.as_str())),
                _ => assert_eq!(written, None, "{original}"),
            }
        }
    }

    #[test]
    fn the_flag_reads_the_same_from_the_outline_as_from_the_whole_record() {
        let records = [
            r#"{"sessionCredentialFromConsole":"true"}"#,
            r#" {"eventVersion":"1.08","sessionCredentialFromConsole":"tr\"ue"} "#,
            r#"{"sessionCredentialFromConsole":["true"]}"#,
            r#"{"sessionCredentialFromConsole":[]}"#,
            r#"{"sessionCredentialFromConsole":{"a":1}}"#,
            r#"{"sessionCredentialFromConsole":1.50}"#,
            r#"{"sessionCredentialFromConsole":false}"#,
            r#"{"sessionCredentialFromConsole":null,"x":"sessionCredentialFromConsole"}"#,
            r#"{"sessionCredentialFromConsole":"true","sessionCredentialFromConsole":"false"}"#,
            r#"{"userIdentity":{"sessionCredentialFromConsole":"true"}}"#,
            r#"{"sessionCredentialFromConsole.x":"true","a":"\u00e9"}"#,
        ];
        for record in records {
            let whole: Value = serde_json::from_str(record).unwrap();
            let expected = match whole.get(RECORD_FIELD) {
                None | Some(Value::Null) => None,
                Some(Value::String(text)) => Some(text.clone()),
                Some(other) => Some(other.to_string()),
            };
            let event = json!({"event": {"original": record}});
            assert_eq!(console_flag(&event), Ok(expected), "{record}");
        }
    }

    #[test]
    fn a_missing_original_leaves_console_status_unknown() {
        let mut event = json!({"event": {"action": "CreateUser"}});
        assert_eq!(
            enrich(&mut event),
            Console::Unknown("event.original is missing".into())
        );
        assert!(!Console::Unknown(String::new()).is_known());
    }

    #[test]
    fn a_value_already_present_is_left_alone() {
        let original = r#"{"sessionCredentialFromConsole":"true"}"#;
        let mut event = json!({
            "event": {"original": original},
            "aws.cloudtrail.session_credential_from_console": "false"
        });
        assert_eq!(enrich(&mut event), Console::AlreadySet);
        assert_eq!(field::first_str(&event, CONSOLE_FIELD), Some("false"));
    }

    #[test]
    fn flat_dotted_events_are_read_and_written() {
        let mut event = json!({"event.original": r#"{"sessionCredentialFromConsole":"true"}"#});
        assert_eq!(enrich(&mut event), Console::Set("true".into()));
        assert_eq!(field::first_str(&event, CONSOLE_FIELD), Some("true"));
    }
}
