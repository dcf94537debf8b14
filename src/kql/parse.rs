//! A recursive-descent reader of Kibana's KQL grammar.
//!
//! It follows the grammar Kibana ships (`kuery.peg`) construct by construct, including its
//! surprises: `and`, `or` and `not` are keywords only with white space around them, so
//! `f: rock and roll` reads as `f: rock` and `f: roll`, while `f: rock&roll` is one value; an
//! unquoted value keeps its inner spaces; `*` is a wildcard only outside quotes.

use super::ast::{Literal, Node, NodeKind, Piece, RangeOp, ValueList};
use std::fmt;

/// Characters that end an unquoted literal unless escaped with `\`.
const SPECIAL: &[char] = &['\\', '(', ')', ':', '<', '>', '"', '*', '{', '}'];

/// How far a query may go before it is refused rather than read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryLimits {
    /// The longest query text, in bytes.
    pub max_length: usize,
    /// The deepest nesting of parentheses, `not` and nested field queries. Reading and
    /// evaluating recurse once per level, so a value past 96 acts as 96.
    pub max_depth: usize,
}

/// The deepest nesting any [`QueryLimits`] allows: a query this deep is read and evaluated
/// within a WebAssembly stack of 1 MiB.
const MAX_QUERY_DEPTH: usize = 96;

impl Default for QueryLimits {
    /// 64 KiB and 64 levels: detection rules are a few hundred bytes and a few levels deep.
    fn default() -> Self {
        Self {
            max_length: 64 * 1024,
            max_depth: 64,
        }
    }
}

/// Why a query could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong, e.g. `expected a value after ':' but found the end of the query`.
    pub message: String,
    /// Character offset of the spot, 0-based.
    pub offset: usize,
    /// Line of the spot, 1-based.
    pub line: usize,
    /// Column of the spot in characters, 1-based.
    pub column: usize,
    /// The query line holding the spot, shown above the caret.
    pub source_line: String,
}

impl fmt::Display for ParseError {
    /// Writes the message, the position, the query line and a caret under the spot.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let caret = " ".repeat(self.column.saturating_sub(1));
        write!(
            f,
            "{} at line {}, column {}\n  {}\n  {caret}^",
            self.message, self.line, self.column, self.source_line
        )
    }
}

impl std::error::Error for ParseError {}

/// Reads `text` as a KQL query.
pub fn parse(text: &str, limits: QueryLimits) -> Result<Node, ParseError> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
        limits,
    };
    if text.len() > limits.max_length {
        return Err(parser.error_at(
            0,
            format!(
                "the query is {} bytes long, more than the limit of {}",
                text.len(),
                limits.max_length
            ),
        ));
    }

    parser.skip_space();
    if parser.at_end() {
        return Ok(Node {
            kind: NodeKind::MatchAll,
            span: 0..0,
        });
    }
    let query = parser.or_query()?;
    parser.skip_space();
    if !parser.at_end() {
        return Err(parser.unexpected("'and', 'or' or the end of the query"));
    }
    Ok(query)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    limits: QueryLimits,
}

impl Parser {
    fn or_query(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let mut parts = vec![self.and_query()?];
        while self.keyword_with_spaces("or") {
            parts.push(self.and_query()?);
        }
        Ok(self.join(parts, start, NodeKind::Or))
    }

    fn and_query(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let mut parts = vec![self.not_query()?];
        while self.keyword_with_spaces("and") {
            parts.push(self.not_query()?);
        }
        Ok(self.join(parts, start, NodeKind::And))
    }

    fn join(&self, mut parts: Vec<Node>, start: usize, kind: fn(Vec<Node>) -> NodeKind) -> Node {
        if parts.len() == 1 {
            if let Some(only) = parts.pop() {
                return only;
            }
        }
        let end = parts.last().map_or(self.pos, |last| last.span.end);
        Node {
            kind: kind(parts),
            span: start..end,
        }
    }

    fn not_query(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        if self.not_keyword() {
            self.descend(start)?;
            let inner = self.sub_query();
            self.depth -= 1;
            let inner = inner?;
            let end = inner.span.end;
            return Ok(Node {
                kind: NodeKind::Not(Box::new(inner)),
                span: start..end,
            });
        }
        self.sub_query()
    }

    fn sub_query(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        if !self.eat('(') {
            return self.nested_or_expression();
        }

        self.descend(start)?;
        self.skip_space();
        if self.peek() == Some(')') {
            return Err(self.unexpected("a query inside the parentheses"));
        }
        let inner = self.or_query()?;
        self.skip_space();
        if !self.eat(')') {
            return Err(self.unclosed(start, '(', ')'));
        }
        self.depth -= 1;
        Ok(Node {
            kind: inner.kind,
            span: start..self.pos,
        })
    }

    fn nested_or_expression(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let Some(field) = self.literal()? else {
            return Err(self.unexpected("a field name, a value or '('"));
        };

        let after_field = self.pos;
        self.skip_space();
        if self.eat(':') {
            self.skip_space();
            if self.eat('{') {
                return self.nested(start, field);
            }
            return self.field_values(start, field);
        }
        if let Some(op) = self.range_op() {
            self.skip_space();
            let Some(value) = self.literal()? else {
                return Err(self.unexpected(&format!("a value after '{}'", op.symbol())));
            };
            let kind = NodeKind::Range { field, op, value };
            return Ok(Node {
                kind,
                span: start..self.pos,
            });
        }

        self.pos = after_field;
        let kind = NodeKind::FreeText(ValueList::Value(field));
        Ok(Node {
            kind,
            span: start..self.pos,
        })
    }

    fn nested(&mut self, start: usize, field: Literal) -> Result<Node, ParseError> {
        let brace = self.pos - 1;
        self.descend(brace)?;
        self.skip_space();
        if self.peek() == Some('}') {
            return Err(self.unexpected("a query inside the braces"));
        }
        let query = self.or_query()?;
        self.skip_space();
        if !self.eat('}') {
            return Err(self.unclosed(brace, '{', '}'));
        }
        self.depth -= 1;
        let kind = NodeKind::Nested {
            field,
            query: Box::new(query),
        };
        Ok(Node {
            kind,
            span: start..self.pos,
        })
    }

    fn field_values(&mut self, start: usize, field: Literal) -> Result<Node, ParseError> {
        let values = self.list_of_values("a value after ':'")?;
        Ok(Node {
            kind: NodeKind::Field { field, values },
            span: start..self.pos,
        })
    }

    fn list_of_values(&mut self, expected: &str) -> Result<ValueList, ParseError> {
        let start = self.pos;
        if self.eat('(') {
            self.descend(start)?;
            self.skip_space();
            if self.peek() == Some(')') {
                return Err(self.unexpected("a value inside the parentheses"));
            }
            let list = self.or_values()?;
            self.skip_space();
            if !self.eat(')') {
                return Err(self.unclosed(start, '(', ')'));
            }
            self.depth -= 1;
            return Ok(list);
        }
        match self.literal()? {
            Some(value) => Ok(ValueList::Value(value)),
            None => Err(self.unexpected(expected)),
        }
    }

    fn or_values(&mut self) -> Result<ValueList, ParseError> {
        let mut parts = vec![self.and_values()?];
        while self.keyword_with_spaces("or") {
            parts.push(self.and_values()?);
        }
        Ok(single_or(parts, ValueList::Or))
    }

    fn and_values(&mut self) -> Result<ValueList, ParseError> {
        let mut parts = vec![self.not_values()?];
        while self.keyword_with_spaces("and") {
            parts.push(self.not_values()?);
        }
        Ok(single_or(parts, ValueList::And))
    }

    fn not_values(&mut self) -> Result<ValueList, ParseError> {
        let start = self.pos;
        if self.not_keyword() {
            self.descend(start)?;
            let inner = self.list_of_values("a value after 'not'");
            self.depth -= 1;
            return Ok(ValueList::Not(Box::new(inner?)));
        }
        self.list_of_values("a value")
    }

    /// A quoted string or an unquoted literal; `None` when neither starts here.
    fn literal(&mut self) -> Result<Option<Literal>, ParseError> {
        if self.peek() == Some('"') {
            return self.quoted().map(Some);
        }
        self.unquoted()
    }

    fn quoted(&mut self) -> Result<Literal, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(self.error_at(start, "the quoted string is never closed".into()));
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(Literal {
                        text,
                        quoted: true,
                        pattern: None,
                    });
                }
                Some('\\') => {
                    let escape_at = self.pos;
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\')) => {
                            text.push(c);
                            self.pos += 1;
                        }
                        Some('u') => match self.unicode_escape(escape_at) {
                            Ok(c) => text.push(c),
                            Err(_) => text.push('\\'),
                        },
                        Some(c @ ('t' | 'r' | 'n')) => {
                            text.push(whitespace_escape(c));
                            self.pos += 1;
                        }
                        _ => text.push('\\'),
                    }
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn unquoted(&mut self) -> Result<Option<Literal>, ParseError> {
        let mut text = String::new();
        let mut pieces = Vec::new();
        let mut current = String::new();
        let mut has_wildcard = false;
        let mut consumed = false;

        while let Some(c) = self.peek() {
            if c == '\\' {
                let escape_at = self.pos;
                self.pos += 1;
                let escaped = self.escaped_in_unquoted(escape_at)?;
                text.push_str(&escaped);
                current.push_str(&escaped);
                consumed = true;
                continue;
            }
            if c == '*' {
                self.pos += 1;
                text.push('*');
                if !current.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut current)));
                }
                pieces.push(Piece::Any);
                has_wildcard = true;
                consumed = true;
                continue;
            }
            if SPECIAL.contains(&c) || self.keyword_ahead() {
                break;
            }
            text.push(c);
            current.push(c);
            self.pos += 1;
            consumed = true;
        }

        if !consumed {
            return Ok(None);
        }
        let trimmed_end = text.trim_end().len();
        let trailing = text.len() - trimmed_end;
        text.truncate(trimmed_end);
        if trailing > 0 && !current.is_empty() {
            let keep = current.len().saturating_sub(trailing);
            current.truncate(keep);
        }
        if text.trim_start().len() != text.len() {
            text = text.trim_start().to_owned();
        }
        if text.is_empty() {
            return Ok(None);
        }
        if !current.is_empty() {
            pieces.push(Piece::Text(current));
        }
        let pattern = has_wildcard.then_some(pieces);
        Ok(Some(Literal {
            text,
            quoted: false,
            pattern,
        }))
    }

    fn escaped_in_unquoted(&mut self, escape_at: usize) -> Result<String, ParseError> {
        if let Some(word) = ["or", "and", "not"]
            .into_iter()
            .find(|word| self.word_at(word))
        {
            let text: String = self.chars.iter().skip(self.pos).take(word.len()).collect();
            self.pos += word.len();
            return Ok(text);
        }
        match self.peek() {
            Some('u') => Ok(self.unicode_escape(escape_at)?.to_string()),
            Some(c @ ('t' | 'r' | 'n')) => {
                self.pos += 1;
                Ok(whitespace_escape(c).to_string())
            }
            Some(c) if SPECIAL.contains(&c) => {
                self.pos += 1;
                Ok(c.to_string())
            }
            Some(c) => Err(self.error_at(
                escape_at,
                format!(
                    "'\\{c}' is not an escape; escape only \\ ( ) : < > \" * {{ }} and keywords"
                ),
            )),
            None => Err(self.error_at(escape_at, "the query ends with a lone '\\'".into())),
        }
    }

    fn unicode_escape(&mut self, escape_at: usize) -> Result<char, ParseError> {
        let hex: String = self.chars.iter().skip(self.pos + 1).take(4).collect();
        let code = (hex.len() == 4)
            .then(|| u32::from_str_radix(&hex, 16).ok())
            .flatten()
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                self.pos += 5;
                Ok(c)
            }
            None => Err(self.error_at(
                escape_at,
                "'\\u' must be followed by four hexadecimal digits".into(),
            )),
        }
    }

    fn range_op(&mut self) -> Option<RangeOp> {
        let op = match (self.peek(), self.peek_at(1)) {
            (Some('<'), Some('=')) => RangeOp::Lte,
            (Some('>'), Some('=')) => RangeOp::Gte,
            (Some('<'), _) => RangeOp::Lt,
            (Some('>'), _) => RangeOp::Gt,
            _ => return None,
        };
        self.pos += op.symbol().len();
        Some(op)
    }

    /// `or`/`and` as an operator: white space, the word in any case, white space.
    fn keyword_with_spaces(&mut self, word: &str) -> bool {
        let start = self.pos;
        if !self.skip_space() || !self.word_at(word) {
            self.pos = start;
            return false;
        }
        self.pos += word.len();
        if !self.skip_space() {
            self.pos = start;
            return false;
        }
        true
    }

    /// `not` as an operator: the word in any case followed by white space.
    fn not_keyword(&mut self) -> bool {
        if !self.word_at("not") || !self.peek_at(3).is_some_and(is_space) {
            return false;
        }
        self.pos += 3;
        self.skip_space();
        true
    }

    /// Whether an operator keyword starts here, which ends an unquoted literal.
    fn keyword_ahead(&self) -> bool {
        let mut probe = self.pos;
        while self.chars.get(probe).copied().is_some_and(is_space) {
            probe += 1;
        }
        let spaced = probe > self.pos;
        let word_then_space = |word: &str| {
            self.word_at_pos(probe, word)
                && self
                    .chars
                    .get(probe + word.len())
                    .copied()
                    .is_some_and(is_space)
        };
        (spaced && (word_then_space("or") || word_then_space("and"))) || word_then_space("not")
    }

    fn word_at(&self, word: &str) -> bool {
        self.word_at_pos(self.pos, word)
    }

    fn word_at_pos(&self, pos: usize, word: &str) -> bool {
        word.chars().enumerate().all(|(i, w)| {
            self.chars
                .get(pos + i)
                .is_some_and(|c| c.eq_ignore_ascii_case(&w))
        })
    }

    fn descend(&mut self, at: usize) -> Result<(), ParseError> {
        self.depth += 1;
        let max_depth = self.limits.max_depth.min(MAX_QUERY_DEPTH);
        if self.depth > max_depth {
            return Err(self.error_at(
                at,
                format!("the query nests deeper than the limit of {max_depth} levels"),
            ));
        }
        Ok(())
    }

    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the query".to_owned(),
            Some(c) => format!("'{c}'"),
        }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        self.error_at(
            self.pos,
            format!("expected {expected} but found {}", self.found()),
        )
    }

    fn unclosed(&self, open_at: usize, open: char, close: char) -> ParseError {
        let (line, column) = self.line_column(open_at);
        let message = format!(
            "expected '{close}' to close the '{open}' at line {line}, column {column} but found {}",
            self.found()
        );
        self.error_at(self.pos, message)
    }

    fn error_at(&self, offset: usize, message: String) -> ParseError {
        let (line, column) = self.line_column(offset);
        let source_line = self
            .chars
            .split(|&c| c == '\n')
            .nth(line - 1)
            .map(|chars| chars.iter().collect::<String>().replace('\r', ""))
            .unwrap_or_default();
        ParseError {
            message,
            offset,
            line,
            column,
            source_line,
        }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = self.chars.get(..offset).unwrap_or(&self.chars);
        let line = 1 + before.iter().filter(|&&c| c == '\n').count();
        let column = 1 + before.iter().rev().take_while(|&&c| c != '\n').count();
        (line, column)
    }
}

fn single_or(mut parts: Vec<ValueList>, many: fn(Vec<ValueList>) -> ValueList) -> ValueList {
    match (parts.pop(), parts.is_empty()) {
        (Some(only), true) => only,
        (Some(last), false) => {
            parts.push(last);
            many(parts)
        }
        (None, _) => many(parts),
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{a0}')
}

fn whitespace_escape(c: char) -> char {
    match c {
        't' => '\t',
        'r' => '\r',
        _ => '\n',
    }
}
