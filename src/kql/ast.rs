//! The parsed form of a KQL query.

use std::ops::Range;

/// Character offsets into the query text (not bytes), end exclusive.
pub type Span = Range<usize>;

/// A query or one of its parts, with the span of query text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the part asks.
    pub kind: NodeKind,
    /// Where in the query text it was read from.
    pub span: Span,
}

/// What a query part asks of a document.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// The empty query, which every document matches.
    MatchAll,
    /// At least one part matches.
    Or(Vec<Node>),
    /// Every part matches.
    And(Vec<Node>),
    /// The part does not match (a missing field does not match, so `not f: v` holds).
    Not(Box<Node>),
    /// `field: values`: the field holds a value that satisfies `values`.
    #[allow(missing_docs)]
    Field { field: Literal, values: ValueList },
    /// `field < value` and the other comparisons.
    #[allow(missing_docs)]
    Range {
        field: Literal,
        op: RangeOp,
        value: Literal,
    },
    /// `field: { query }`: one element of `field` satisfies the whole inner query.
    #[allow(missing_docs)]
    Nested { field: Literal, query: Box<Node> },
    /// A value without a field, looked for in every field.
    FreeText(ValueList),
}

/// The value side of `field: …`: one value, or values joined with `and`, `or` and `not` in
/// parentheses, each tested against the same field.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueList {
    /// Any of the values.
    Or(Vec<ValueList>),
    /// Every one of the values.
    And(Vec<ValueList>),
    /// Not the value.
    Not(Box<ValueList>),
    /// One value.
    Value(Literal),
}

/// A field name or a value as written: quoted or not, escapes resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// The text with escapes resolved; an unquoted literal is trimmed of surrounding spaces.
    pub text: String,
    /// Written in double quotes: compared literally, `*` included.
    pub quoted: bool,
    /// For an unquoted literal holding an unescaped `*`: the pattern, split at each `*`.
    pub pattern: Option<Vec<Piece>>,
}

/// A piece of a wildcard pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Characters that must appear as written.
    Text(String),
    /// `*`: any run of characters, none included.
    Any,
}

/// The comparison of a range expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeOp {
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
}

impl RangeOp {
    /// The operator as written in a query.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Lte => "<=",
            Self::Gt => ">",
            Self::Gte => ">=",
        }
    }
}

impl Literal {
    /// Whether this is the unquoted `*` that, as a value, asks only that the field exists.
    pub fn is_lone_wildcard(&self) -> bool {
        matches!(self.pattern.as_deref(), Some([Piece::Any]))
    }

    /// Whether `candidate` matches: the pattern for an unquoted wildcard (anchored at both ends,
    /// case-sensitive), the exact text otherwise.
    pub fn matches(&self, candidate: &str) -> bool {
        match &self.pattern {
            Some(pieces) => glob_match(pieces, candidate),
            None => self.text == candidate,
        }
    }
}

/// Anchored glob matching with `*` only, without backtracking blow-up: each text piece is
/// found at its leftmost place after the previous one, which is enough when only `*` exists.
pub fn glob_match(pieces: &[Piece], candidate: &str) -> bool {
    let texts: Vec<&str> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Text(text) => Some(text.as_str()),
            Piece::Any => None,
        })
        .collect();
    let starts_any = matches!(pieces.first(), Some(Piece::Any));
    let ends_any = matches!(pieces.last(), Some(Piece::Any));

    if texts.is_empty() {
        return starts_any || candidate.is_empty();
    }
    if !starts_any && !ends_any && texts.len() == 1 {
        return texts.first() == Some(&candidate);
    }

    let mut rest = candidate;
    let last = texts.len() - 1;
    for (i, text) in texts.iter().enumerate() {
        if i == 0 && !starts_any {
            match rest.strip_prefix(text) {
                Some(after) => rest = after,
                None => return false,
            }
        } else if i == last && !ends_any {
            return rest.ends_with(text);
        } else {
            match rest.find(text) {
                Some(at) => rest = rest.get(at + text.len()..).unwrap_or(""),
                None => return false,
            }
        }
    }
    true
}

impl Node {
    /// Every field name the query refers to, in order of appearance, without repeats.
    pub fn fields(&self) -> Vec<String> {
        let mut fields = Vec::new();
        self.collect_fields(&mut fields);
        fields
    }

    /// Whether the fields this part reads are all named in [`Node::fields`]: no free text and
    /// no wildcard field names, except inside a nested query, which reads only the nested
    /// field's own values.
    pub fn names_every_field(&self) -> bool {
        match &self.kind {
            NodeKind::MatchAll => true,
            NodeKind::FreeText(_) => false,
            NodeKind::Field { field, .. }
            | NodeKind::Range { field, .. }
            | NodeKind::Nested { field, .. } => field.pattern.is_none(),
            NodeKind::Not(inner) => inner.names_every_field(),
            NodeKind::Or(parts) | NodeKind::And(parts) => parts.iter().all(Node::names_every_field),
        }
    }

    fn collect_fields(&self, fields: &mut Vec<String>) {
        let mut add = |name: &str| {
            if !fields.iter().any(|known| known == name) {
                fields.push(name.to_owned());
            }
        };
        match &self.kind {
            NodeKind::MatchAll | NodeKind::FreeText(_) => {}
            NodeKind::Field { field, .. } | NodeKind::Range { field, .. } => add(&field.text),
            NodeKind::Nested { field, query } => {
                add(&field.text);
                for inner in query.fields() {
                    let name = format!("{}.{inner}", field.text);
                    if !fields.contains(&name) {
                        fields.push(name);
                    }
                }
            }
            NodeKind::Not(inner) => inner.collect_fields(fields),
            NodeKind::Or(parts) | NodeKind::And(parts) => {
                for part in parts {
                    part.collect_fields(fields);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Vec<Piece> {
        let mut pieces = Vec::new();
        for (i, part) in text.split('*').enumerate() {
            if i > 0 {
                pieces.push(Piece::Any);
            }
            if !part.is_empty() {
                pieces.push(Piece::Text(part.to_owned()));
            }
        }
        pieces
    }

    #[test]
    fn glob_is_anchored_and_case_sensitive() {
        let cases = [
            ("ASIA*", "ASIAXYZ", true),
            ("ASIA*", "ASIA", true),
            ("ASIA*", "asiaXYZ", false),
            ("ASIA*", "XASIA", false),
            ("*Internal", "AWS Internal", true),
            ("*Internal", "AWS Internals", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXcYb", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*", "", true),
            ("**", "x", true),
            ("*b*", "abc", true),
            ("*b*", "ac", false),
        ];
        for (glob, candidate, expected) in cases {
            assert_eq!(
                glob_match(&pattern(glob), candidate),
                expected,
                "{glob} ~ {candidate}"
            );
        }
    }
}
