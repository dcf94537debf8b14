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

use crate::field;
use crate::schema::{FieldType, Schema};
use eval::Evaluator;
use serde::Serialize;
use serde_json::Value;

/// A parsed KQL query with the text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    text: String,
    root: Node,
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
        Ok(Self {
            text: text.to_owned(),
            root,
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
        self.root.fields()
    }

    /// Whether `doc` matches, fields typed by `schema`.
    pub fn matches(&self, doc: &Value, schema: &Schema) -> bool {
        Evaluator::new(schema).node(&self.root, doc)
    }

    /// Whether `doc` matches, with every top-level clause, the values it read and its result.
    pub fn explain(&self, doc: &Value, schema: &Schema) -> Explanation {
        let parts = match &self.root.kind {
            NodeKind::And(parts) => parts.iter().collect(),
            _ => vec![&self.root],
        };
        let clauses: Vec<Clause> = parts
            .into_iter()
            .map(|part| self.clause(part, doc, schema))
            .collect();
        let matched = clauses.iter().all(|clause| clause.pass);
        Explanation { matched, clauses }
    }

    fn clause(&self, node: &Node, doc: &Value, schema: &Schema) -> Clause {
        let mut evaluator = Evaluator::new(schema);
        let pass = evaluator.node(node, doc);
        let mut notes = evaluator.notes;

        let mut fields = Vec::new();
        for name in node.fields() {
            let values: Vec<Value> = field::values(doc, &name).into_iter().cloned().collect();
            if let FieldType::ConstantKeyword(constant) = schema.field_type(&name) {
                if values.iter().all(Value::is_null) {
                    notes.push(format!(
                        "{name} is missing from the event; Elasticsearch treats this \
                         constant_keyword field as \"{constant}\" for every document of the \
                         data stream"
                    ));
                }
            }
            fields.push(FieldValues {
                field: name,
                values,
            });
        }

        Clause {
            clause: self.snippet(node),
            pass,
            fields,
            notes,
        }
    }

    fn snippet(&self, node: &Node) -> String {
        let text: String = self
            .text
            .chars()
            .skip(node.span.start)
            .take(node.span.end.saturating_sub(node.span.start))
            .collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests;
