//! Evaluation of a parsed query against one document, with Elasticsearch's semantics.
//!
//! How a value compares depends on the field's type in the [`Schema`], exactly as Kibana's
//! query turns into Elasticsearch queries: `term`/`match` on keywords (exact, case-sensitive),
//! `match`/`match_phrase` on text, address or CIDR on ip, and so on. A value Elasticsearch would
//! reject (a word on an ip field, say) matches nothing here and leaves a note that says so.

use super::ast::{Literal, Node, NodeKind, Piece, RangeOp, ValueList, glob_match};
use crate::field::Fields;
use crate::schema::{FieldType, Schema};
use crate::time;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::net::IpAddr;

/// Evaluation state: the schema, and the notes a clause leaves for its explanation.
pub(crate) struct Evaluator<'a> {
    pub schema: &'a Schema,
    pub notes: Vec<String>,
}

impl<'a> Evaluator<'a> {
    pub fn new(schema: &'a Schema) -> Self {
        Self {
            schema,
            notes: Vec::new(),
        }
    }

    pub fn node(&mut self, node: &Node, doc: &dyn Fields) -> bool {
        match &node.kind {
            NodeKind::MatchAll => true,
            NodeKind::Or(parts) => parts.iter().any(|part| self.node(part, doc)),
            NodeKind::And(parts) => parts.iter().all(|part| self.node(part, doc)),
            NodeKind::Not(inner) => !self.node(inner, doc),
            NodeKind::Field { field, values } => {
                self.over_fields(field, doc, |this, path| this.values(path, values, doc))
            }
            NodeKind::Range { field, op, value } => {
                self.over_fields(field, doc, |this, path| this.range(path, *op, value, doc))
            }
            NodeKind::Nested { field, query } => doc
                .values(&field.text)
                .into_iter()
                .filter(|element| element.is_object())
                .any(|element| self.node(query, element)),
            NodeKind::FreeText(values) => {
                let paths = doc.whole().map(leaf_paths).unwrap_or_default();
                paths.iter().any(|path| self.values(path, values, doc))
            }
        }
    }

    /// Runs `test` on the field, or on every field of the document a wildcard name matches.
    fn over_fields(
        &mut self,
        field: &Literal,
        doc: &dyn Fields,
        mut test: impl FnMut(&mut Self, &str) -> bool,
    ) -> bool {
        match &field.pattern {
            None => test(self, &field.text),
            Some(pieces) => {
                let mut paths = doc.whole().map(leaf_paths).unwrap_or_default();
                for (name, _) in self.schema.fields() {
                    if !paths.iter().any(|known| known == name) {
                        paths.push(name.to_owned());
                    }
                }
                paths.retain(|path| glob_match(pieces, path));
                paths.iter().any(|path| test(self, path))
            }
        }
    }

    fn values(&mut self, path: &str, list: &ValueList, doc: &dyn Fields) -> bool {
        match list {
            ValueList::Or(parts) => parts.iter().any(|part| self.values(path, part, doc)),
            ValueList::And(parts) => parts.iter().all(|part| self.values(path, part, doc)),
            ValueList::Not(inner) => !self.values(path, inner, doc),
            ValueList::Value(literal) => self.term(path, literal, doc),
        }
    }

    fn term(&mut self, path: &str, literal: &Literal, doc: &dyn Fields) -> bool {
        let kind = self.schema.field_type(path);
        let seen = doc.values(path);

        if let FieldType::ConstantKeyword(constant) = kind {
            if seen.iter().all(|value| value.is_null()) {
                return literal.is_lone_wildcard() || literal.matches(constant);
            }
        }
        if literal.is_lone_wildcard() {
            if *kind == FieldType::Ip {
                return self.ip_exists(path, &seen);
            }
            return seen.iter().any(|value| exists(value));
        }

        match kind {
            FieldType::Keyword | FieldType::ConstantKeyword(_) => seen
                .iter()
                .filter_map(|value| keyword_str(value))
                .any(|text| literal.matches(&text)),
            FieldType::Text => seen
                .iter()
                .filter_map(|value| keyword_str(value))
                .any(|text| text_matches(literal, &text)),
            FieldType::Ip => self.ip_term(path, literal, &seen),
            FieldType::Boolean => self.boolean_term(path, literal, &seen),
            FieldType::Date => {
                let Some(wanted) = self.date_value(path, literal) else {
                    return false;
                };
                seen.iter()
                    .filter_map(|value| date_of(value))
                    .any(|date| date == wanted)
            }
            FieldType::Number => {
                let Some(wanted) = self.number_value(path, literal) else {
                    return false;
                };
                seen.iter()
                    .filter_map(|value| number_of(value))
                    .any(|n| n == wanted)
            }
        }
    }

    fn ip_term(&mut self, path: &str, literal: &Literal, seen: &[&Value]) -> bool {
        let Some(block) = literal
            .pattern
            .is_none()
            .then(|| Cidr::parse(&literal.text))
            .flatten()
        else {
            self.note(format!(
                "{path} is an ip field and \"{}\" is neither an address nor a CIDR block; \
                 Elasticsearch rejects this query",
                literal.text
            ));
            return false;
        };
        seen.iter()
            .filter_map(|value| value.as_str())
            .filter_map(|text| text.parse::<IpAddr>().ok())
            .any(|address| block.contains(address))
    }

    /// An ip field holds only addresses: a document whose value is not one would have been
    /// rejected, or indexed without the field, so such a value does not count as present.
    fn ip_exists(&mut self, path: &str, seen: &[&Value]) -> bool {
        let mut present = false;
        for value in seen.iter().filter(|value| !value.is_null()) {
            match value.as_str().map(str::parse::<IpAddr>) {
                Some(Ok(_)) => present = true,
                _ => self.note(format!(
                    "{path} holds {value}, which is not an IP address; Elasticsearch would not \
                     index it as {path}"
                )),
            }
        }
        present
    }

    fn boolean_term(&mut self, path: &str, literal: &Literal, seen: &[&Value]) -> bool {
        let wanted = match literal.text.as_str() {
            "true" => true,
            "false" => false,
            other => {
                self.note(format!(
                    "{path} is a boolean field and \"{other}\" is not true or false; \
                     Elasticsearch rejects this query"
                ));
                return false;
            }
        };
        seen.iter()
            .filter_map(|value| boolean_of(value))
            .any(|b| b == wanted)
    }

    fn range(&mut self, path: &str, op: RangeOp, literal: &Literal, doc: &dyn Fields) -> bool {
        let kind = self.schema.field_type(path);
        let seen = doc.values(path);
        let holds = |ordering: Ordering| match op {
            RangeOp::Lt => ordering == Ordering::Less,
            RangeOp::Lte => ordering != Ordering::Greater,
            RangeOp::Gt => ordering == Ordering::Greater,
            RangeOp::Gte => ordering != Ordering::Less,
        };

        match kind {
            FieldType::Number => {
                let Some(bound) = self.number_value(path, literal) else {
                    return false;
                };
                seen.iter()
                    .filter_map(|value| number_of(value))
                    .any(|n| n.partial_cmp(&bound).is_some_and(holds))
            }
            FieldType::Date => {
                let Some(bound) = self.date_value(path, literal) else {
                    return false;
                };
                seen.iter()
                    .filter_map(|value| date_of(value))
                    .any(|d| holds(d.cmp(&bound)))
            }
            FieldType::Ip => {
                let Some(bound) = literal.text.parse::<IpAddr>().ok().map(ip_bits) else {
                    self.note(format!(
                        "{path} is an ip field and \"{}\" is not an address; \
                         Elasticsearch rejects this query",
                        literal.text
                    ));
                    return false;
                };
                seen.iter()
                    .filter_map(|value| value.as_str()?.parse::<IpAddr>().ok())
                    .any(|address| holds(ip_bits(address).cmp(&bound)))
            }
            FieldType::Boolean => {
                let bound = literal.text == "true";
                seen.iter()
                    .filter_map(|value| boolean_of(value))
                    .any(|b| holds(b.cmp(&bound)))
            }
            FieldType::ConstantKeyword(constant) if seen.iter().all(|v| v.is_null()) => {
                holds(constant.as_str().cmp(literal.text.as_str()))
            }
            FieldType::Keyword | FieldType::ConstantKeyword(_) | FieldType::Text => seen
                .iter()
                .filter_map(|value| keyword_str(value))
                .any(|text| holds(text.as_ref().cmp(literal.text.as_str()))),
        }
    }

    fn date_value(&mut self, path: &str, literal: &Literal) -> Option<time::Millis> {
        let parsed = time::parse(&literal.text);
        if parsed.is_none() {
            self.note(format!(
                "{path} is a date field and \"{}\" is not a date; Elasticsearch rejects this query",
                literal.text
            ));
        }
        parsed
    }

    fn number_value(&mut self, path: &str, literal: &Literal) -> Option<f64> {
        let parsed = literal.text.trim().parse::<f64>().ok();
        if parsed.is_none() {
            self.note(format!(
                "{path} is a numeric field and \"{}\" is not a number; \
                 Elasticsearch rejects this query",
                literal.text
            ));
        }
        parsed
    }

    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// An exists test: any value but null; an object counts when it holds a value.
pub(crate) fn exists(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().any(exists),
        Value::Object(map) => map.values().any(exists),
        _ => true,
    }
}

/// What a keyword field indexes for a value: strings as written, numbers and booleans as
/// their text; nothing for null and objects.
pub fn keyword_text(value: &Value) -> Option<String> {
    keyword_str(value).map(Cow::into_owned)
}

/// [`keyword_text`], borrowed where the value is already text.
fn keyword_str(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

fn boolean_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::String(text) if text == "true" => Some(true),
        Value::String(text) if text == "false" || text.is_empty() => Some(false),
        _ => None,
    }
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.to_string().parse().ok(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn date_of(value: &Value) -> Option<time::Millis> {
    match value {
        Value::String(text) => time::parse(text),
        Value::Number(number) => number.as_i64(),
        _ => None,
    }
}

/// The words Elasticsearch's standard analyzer would index, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '\'')
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `match` (any word), `match_phrase` (the words in a row) or a wildcard on analyzed text.
fn text_matches(literal: &Literal, text: &str) -> bool {
    let indexed = words(text);
    if let Some(pieces) = &literal.pattern {
        let lowered: Vec<Piece> = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => Piece::Text(text.to_lowercase()),
                Piece::Any => Piece::Any,
            })
            .collect();
        return indexed.iter().any(|word| glob_match(&lowered, word));
    }

    let wanted = words(&literal.text);
    if wanted.is_empty() {
        return false;
    }
    if literal.quoted {
        return indexed
            .windows(wanted.len())
            .any(|window| window == wanted.as_slice());
    }
    wanted.iter().any(|word| indexed.contains(word))
}

/// An address or a CIDR block, as 128-bit numbers with IPv4 mapped into IPv6 the way
/// Elasticsearch stores it.
struct Cidr {
    network: u128,
    mask: u128,
}

impl Cidr {
    fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u32>().ok()?)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let prefix = match (address, prefix) {
            (_, None) => 128,
            (IpAddr::V4(_), Some(bits)) if bits <= 32 => 96 + bits,
            (IpAddr::V6(_), Some(bits)) if bits <= 128 => bits,
            _ => return None,
        };
        let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
        Some(Self {
            network: ip_bits(address) & mask,
            mask,
        })
    }

    fn contains(&self, address: IpAddr) -> bool {
        ip_bits(address) & self.mask == self.network
    }
}

fn ip_bits(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// Every dotted path under which the document holds a value, in document order, without
/// repeats; used by free text and wildcard field names.
pub(crate) fn leaf_paths(doc: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    walk(doc, &mut String::new(), &mut paths);
    paths
}

fn walk(value: &Value, prefix: &mut String, paths: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let len = prefix.len();
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(key);
                walk(child, prefix, paths);
                prefix.truncate(len);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, prefix, paths);
            }
        }
        _ => {
            if !prefix.is_empty() && !paths.iter().any(|known| known == prefix) {
                paths.push(prefix.clone());
            }
        }
    }
}
