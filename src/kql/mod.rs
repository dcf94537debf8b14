//! Kibana Query Language: parsing, and evaluation with Elasticsearch's semantics.
//!
//! The whole language is read: `field: value`, quoted and unquoted values (unquoted values may
//! hold spaces), escapes, wildcards, `field: *`, value lists `f: (a or b and not c)`, `and`,
//! `or` and `not` in any case, parentheses, ranges, nested `f: { … }` and free text.
//!
//! ```
//! use cloudtrail_triage::kql::Query;
//! use cloudtrail_triage::schema::Schema;
//! use serde_json::json;
//!
//! let query = Query::parse(r#"event.provider: "iam.amazonaws.com" and source.ip: 10.0.0.0/8"#)?;
//! let event = json!({"event": {"provider": "iam.amazonaws.com"}, "source.ip": "10.1.2.3"});
//! assert!(query.matches(&event, &Schema::cloudtrail()));
//!
//! let error = Query::parse("event.provider: (iam").unwrap_err();
//! assert_eq!(error.message, "expected ')' to close the '(' at line 1, column 17 but found the end of the query");
//! # Ok::<(), cloudtrail_triage::kql::ParseError>(())
//! ```

mod ast;
mod eval;
mod parse;

pub use ast::{Literal, Node, NodeKind, Piece, RangeOp, Span, ValueList};
pub use eval::keyword_text;
pub use parse::{ParseError, QueryLimits};

use crate::field::Fields;
use crate::schema::{FieldType, Schema};
use eval::Evaluator;
use serde::Serialize;
use serde_json::Value;

/// A parsed KQL query with the text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    text: String,
    root: Node,
    /// What every explanation repeats, worked out once: the fields the query names, and each
    /// top-level clause as written with its fields.
    fields: Vec<String>,
    clauses: Vec<ClauseText>,
}

/// A top-level clause as written, and the fields it names.
#[derive(Clone, Debug, PartialEq)]
struct ClauseText {
    snippet: String,
    fields: Vec<String>,
}

/// How one document fared against a query, clause by clause.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// Whether the whole query matched.
    pub matched: bool,
    /// The top-level clauses: the parts of a top-level `and`, or the whole query.
    pub clauses: Vec<Clause>,
}

/// One top-level clause: what it asks, what the document holds, and whether it passed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clause {
    /// The clause as written, white space folded to single spaces.
    pub clause: String,
    /// Whether the document satisfies the clause.
    pub pass: bool,
    /// The fields the clause reads, each with the values the document holds.
    pub fields: Vec<FieldValues>,
    /// Anything that decided the clause in a way worth knowing: a constant_keyword field
    /// assumed, a value Elasticsearch would reject.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The values a document holds under one field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldValues {
    /// The field's name as the query wrote it.
    pub field: String,
    /// Every value under the field, arrays flattened; empty when the field is missing.
    pub values: Vec<Value>,
}

impl Query {
    /// Reads a query within the default [`QueryLimits`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        Self::parse_with_limits(text, QueryLimits::default())
    }

    /// Reads a query; a query longer or deeper than `limits` is an error at its position.
    pub fn parse_with_limits(text: &str, limits: QueryLimits) -> Result<Self, ParseError> {
        let root = parse::parse(text, limits)?;
        let clauses = top_level(&root)
            .into_iter()
            .map(|node| ClauseText {
                snippet: snippet(text, node),
                fields: node.fields(),
            })
            .collect();
        Ok(Self {
            text: text.to_owned(),
            fields: root.fields(),
            root,
            clauses,
        })
    }

    /// The query text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed query.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Every field the query names, in order, without repeats.
    pub fn fields(&self) -> Vec<String> {
        self.fields.clone()
    }

    /// [`Query::fields`] without the copy.
    pub(crate) fn field_names(&self) -> &[String] {
        &self.fields
    }

    /// Whether every field the query can read is among [`Query::fields`]. Free text looks in
    /// every field of a document, and a wildcard field name in every field it matches, so a
    /// query with either reads fields no list can name before the document is seen.
    pub fn names_every_field(&self) -> bool {
        self.root.names_every_field()
    }

    /// Whether `doc` matches, fields typed by `schema`.
    pub fn matches(&self, doc: &Value, schema: &Schema) -> bool {
        Evaluator::new(schema).node(&self.root, doc)
    }

    /// [`Query::explain`] without the values each clause read: whether each top-level clause
    /// passes, with its notes.
    pub(crate) fn outcomes(&self, doc: &dyn Fields, schema: &Schema) -> Vec<ClauseOutcome> {
        top_level(&self.root)
            .into_iter()
            .zip(&self.clauses)
            .map(|(part, text)| clause_outcome(part, text, doc, schema))
            .collect()
    }

    /// Each top-level clause as [`Clause::clause`] writes it, with the fields it names.
    pub(crate) fn clause_texts(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.clauses
            .iter()
            .map(|text| (text.snippet.as_str(), text.fields.as_slice()))
    }

    /// Whether `doc` matches, with every top-level clause, the values it read and its result.
    pub fn explain(&self, doc: &dyn Fields, schema: &Schema) -> Explanation {
        let clauses: Vec<Clause> = top_level(&self.root)
            .into_iter()
            .zip(&self.clauses)
            .map(|(part, text)| clause(part, text, doc, schema))
            .collect();
        let matched = clauses.iter().all(|clause| clause.pass);
        Explanation { matched, clauses }
    }
}

/// The top-level clauses: the parts of a top-level `and`, or the whole query.
fn top_level(root: &Node) -> Vec<&Node> {
    match &root.kind {
        NodeKind::And(parts) => parts.iter().collect(),
        _ => vec![root],
    }
}

fn clause(node: &Node, text: &ClauseText, doc: &dyn Fields, schema: &Schema) -> Clause {
    let outcome = clause_outcome(node, text, doc, schema);
    let fields = text
        .fields
        .iter()
        .map(|name| FieldValues {
            field: name.clone(),
            values: doc.values(name).into_iter().cloned().collect(),
        })
        .collect();
    Clause {
        clause: text.snippet.clone(),
        pass: outcome.pass,
        fields,
        notes: outcome.notes,
    }
}

/// Whether a clause passes, and its notes: the evaluator's, then one for each constant_keyword
/// field the event does not hold.
fn clause_outcome(
    node: &Node,
    text: &ClauseText,
    doc: &dyn Fields,
    schema: &Schema,
) -> ClauseOutcome {
    let mut evaluator = Evaluator::new(schema);
    let pass = evaluator.node(node, doc);
    let mut notes = evaluator.notes;

    for name in &text.fields {
        if let FieldType::ConstantKeyword(constant) = schema.field_type(name) {
            if doc.values(name).iter().all(|value| value.is_null()) {
                notes.push(format!(
                    "{name} is missing from the event; Elasticsearch treats this \
                     constant_keyword field as \"{constant}\" for every document of the \
                     data stream"
                ));
            }
        }
    }
    ClauseOutcome { pass, notes }
}

/// How a document fared against one top-level clause, without the values it read: with the
/// document at hand, enough to write the clause's part of an [`Explanation`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ClauseOutcome {
    /// Whether the document satisfies the clause.
    pub pass: bool,
    /// As [`Clause::notes`].
    pub notes: Vec<String>,
}

/// The query text of `node`, white space folded to single spaces.
fn snippet(text: &str, node: &Node) -> String {
    let text: String = text
        .chars()
        .skip(node.span.start)
        .take(node.span.end.saturating_sub(node.span.start))
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
