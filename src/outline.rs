//! An event read for the rules without building all of it.
//!
//! Building a whole [`Value`] costs more than everything else done with an ECS event, and the
//! rules, the summary, enrichment and provenance read a couple of dozen of its fields. [`read`]
//! checks the whole text in one pass and keeps only what is found under the [`Paths`] it is
//! given: an [`Outline`] answers [`Fields::values`] for those paths exactly as the whole
//! document would (every spelling, nested, flat dotted or mixed, in document order, arrays
//! flattened), and knows nothing else. The engine reads an event as an outline only when every
//! field its rules read can be named in advance (no free text, no wildcard field names).
//!
//! Whatever an outline cannot promise to read as serde_json would is left to a full parse:
//! text that is not valid JSON (whose error only serde_json words), keys with escapes, a key
//! repeated in an object (serde_json keeps the last value at the first place), `\u` escapes
//! other than control characters, nesting past the limit.
//!
//! An outline also tells whether the text is *canonical*, the bytes serde_json writes for the
//! document it holds (no white space between tokens, escapes only where serde_json writes
//! them, numbers as serde_json writes them back), and where the console flag would go in it: a
//! canonical event is written out as its own text with the flag spliced in, instead of being
//! parsed and serialized whole.

use crate::field::{self, Fields};
use crate::json;
use serde_json::Value;
use std::cell::OnceCell;

/// The nesting past which an outline leaves an event to the full parse, below serde_json's own
/// limit of 128.
const MAX_DEPTH: usize = 100;

/// The last part of [`CONSOLE_FIELD`](crate::enrich::CONSOLE_FIELD), the key written inside
/// `aws.cloudtrail`.
const FLAG: &str = "session_credential_from_console";

/// A node no path goes on below, for values read only to check them.
static LEAF: Node = Node {
    ends: Vec::new(),
    children: Vec::new(),
};

/// The dotted field paths an outline keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paths {
    list: Vec<String>,
    /// The paths as a tree of their dot-separated parts: a key is matched by walking it down
    /// the tree, not by comparing it with every path.
    tree: Node,
}

/// A part of some paths: the paths that end here, and the parts that follow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Node {
    ends: Vec<usize>,
    children: Vec<(String, Node)>,
}

impl Paths {
    /// Paths to keep, repeats ignored.
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut list: Vec<String> = Vec::new();
        for path in paths {
            if !list.iter().any(|known| known == path) {
                list.push(path.to_owned());
            }
        }

        let mut tree = Node::default();
        for (index, path) in list.iter().enumerate() {
            let mut node = &mut tree;
            for part in path.split('.') {
                let at = match node.children.iter().position(|(name, _)| name == part) {
                    Some(at) => at,
                    None => {
                        node.children.push((part.to_owned(), Node::default()));
                        node.children.len() - 1
                    }
                };
                let Some((_, child)) = node.children.get_mut(at) else {
                    break;
                };
                node = child;
            }
            node.ends.push(index);
        }
        Self { list, tree }
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.list.iter().position(|known| known == path)
    }
}

impl Node {
    /// Where `key` leads from this node: the node its last part reaches, when every part is
    /// there. A flat dotted key walks several parts at once.
    fn walk(&self, key: &str) -> Option<&Node> {
        key.split('.').try_fold(self, |node, part| {
            let first = part.as_bytes().first();
            node.children
                .iter()
                .find(|(name, _)| name.as_bytes().first() == first && name == part)
                .map(|(_, child)| child)
        })
    }

    /// Every path below this node: its index and what is left of it below the node.
    fn below(&self, prefix: &str, out: &mut Vec<(usize, String)>) {
        for (name, child) in &self.children {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            out.extend(child.ends.iter().map(|index| (*index, path.clone())));
            child.below(&path, out);
        }
    }
}

/// The values an event holds under each of the [`Paths`] it was read for.
#[derive(Clone, Debug)]
pub struct Outline<'p, 't> {
    paths: &'p Paths,
    /// Every value found, with the index of its path, in document order.
    values: Vec<(usize, Kept<'t>)>,
    /// Whether the text is exactly what serde_json writes for the whole document.
    pub canonical: bool,
    site: Site,
}

/// A value found: made, or a string with escapes kept as written until it is read (the longest
/// of them, `event.original`, is mostly not read at all).
#[derive(Clone, Debug)]
enum Kept<'t> {
    Value(Value),
    Escaped(&'t str, OnceCell<Value>),
}

impl Kept<'_> {
    fn value(&self) -> &Value {
        match self {
            Self::Value(value) => value,
            Self::Escaped(raw, decoded) => {
                // The scan let through only escapes `unescape` resolves.
                decoded.get_or_init(|| Value::String(unescape(raw).unwrap_or_default()))
            }
        }
    }
}

/// Where the objects on the way to the console flag end in the text.
#[derive(Clone, Debug, Default, PartialEq)]
struct Site {
    top: Option<End>,
    aws: Slot,
    cloudtrail: Slot,
    flag: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
enum Slot {
    #[default]
    Missing,
    Object(End),
    Other,
}

/// The offset of an object's closing brace, and whether the object is empty.
#[derive(Clone, Copy, Debug, PartialEq)]
struct End {
    at: usize,
    empty: bool,
}

/// Reads the outline of the JSON object `text` (white space trimmed) for `paths`, and adds its
/// top-level keys, in order, to `keys`, each with the first byte of its value (`"` for a
/// string, `{`, `[`, `t`, `f`, `n`, or the first of a number); `None` when the text is left to a
/// full parse, as it is when it nests objects and arrays deeper than `max_depth`.
pub fn read<'p, 't>(
    text: &'t str,
    paths: &'p Paths,
    max_depth: usize,
    keys: &mut Vec<(&'t str, u8)>,
) -> Option<Outline<'p, 't>> {
    let mut scan = Scan {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        max_depth: max_depth.min(MAX_DEPTH),
        canonical: true,
        keys: Vec::new(),
        top_keys: keys,
        values: Vec::with_capacity(2 * paths.list.len()),
        site: Site::default(),
    };

    if scan.peek() != Some(b'{') {
        return None;
    }
    scan.object(&paths.tree, Chain::Top)?;
    if scan.pos != scan.bytes.len() {
        return None;
    }
    Some(Outline {
        paths,
        values: scan.values,
        canonical: scan.canonical,
        site: scan.site,
    })
}

impl Fields for Outline<'_, '_> {
    fn values(&self, path: &str) -> Vec<&Value> {
        let Some(index) = self.paths.index(path) else {
            debug_assert!(false, "{path} is read but is not among the outline's paths");
            return Vec::new();
        };
        self.values
            .iter()
            .filter(|(at, _)| *at == index)
            .map(|(_, kept)| kept.value())
            .collect()
    }

    fn whole(&self) -> Option<&Value> {
        None
    }
}

impl<'t> Outline<'_, 't> {
    /// Sets `path` to `value` as [`field::insert`] sets it in the whole document, where the
    /// path holds nothing yet; `false`, and nothing set, when it already holds a value.
    pub fn set(&mut self, path: &str, value: Value) -> bool {
        let Some(index) = self.paths.index(path) else {
            return false;
        };
        if self.values.iter().any(|(at, _)| *at == index) {
            return false;
        }
        self.values.push((index, Kept::Value(value)));
        true
    }

    /// The string `path` holds as its only value, as written between its quotes (escapes not
    /// resolved), when it holds escapes.
    pub fn escaped(&self, path: &str) -> Option<&'t str> {
        let index = self.paths.index(path)?;
        let mut found = self.values.iter().filter(|(at, _)| *at == index);
        match (found.next(), found.next()) {
            (Some((_, Kept::Escaped(raw, _))), None) => Some(raw),
            _ => None,
        }
    }

    /// The event's text with [`CONSOLE_FIELD`](crate::enrich::CONSOLE_FIELD) set to `flag`
    /// where [`field::insert`] puts it in the whole document; `None` when the text is not
    /// canonical or the place is not one of the three plain ones (inside `aws.cloudtrail`, a
    /// new `cloudtrail` inside `aws`, a new `aws` at the end).
    pub fn with_console(&self, text: &str, flag: &str) -> Option<String> {
        if !self.canonical || self.site.flag {
            return None;
        }
        let value = serde_json::to_string(flag).ok()?;
        let (end, insert) = match (&self.site.aws, &self.site.cloudtrail) {
            (Slot::Object(_), Slot::Object(end)) => (*end, format!("\"{FLAG}\":{value}")),
            (Slot::Object(end), Slot::Missing) => {
                (*end, format!("\"cloudtrail\":{{\"{FLAG}\":{value}}}"))
            }
            (Slot::Missing, _) => (
                self.site.top?,
                format!("\"aws\":{{\"cloudtrail\":{{\"{FLAG}\":{value}}}}}"),
            ),
            _ => return None,
        };

        let (before, after) = text.split_at_checked(end.at)?;
        let comma = if end.empty { "" } else { "," };
        let mut out = String::with_capacity(text.len() + insert.len() + 1);
        out.push_str(before);
        out.push_str(comma);
        out.push_str(&insert);
        out.push_str(after);
        Some(out)
    }
}

/// Which object on the way to the console flag is being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    Top,
    Aws,
    Cloudtrail,
    Off,
}

impl Chain {
    /// The chain position of the value under `key` in an object at this position.
    fn next(self, key: &str) -> Self {
        match (self, key) {
            (Self::Top, "aws") => Self::Aws,
            (Self::Aws, "cloudtrail") => Self::Cloudtrail,
            _ => Self::Off,
        }
    }
}

struct Scan<'t, 'k> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    canonical: bool,
    /// The raw keys of the objects being read, to find repeated keys.
    keys: Vec<&'t [u8]>,
    top_keys: &'k mut Vec<(&'t str, u8)>,
    /// What is found under the paths, in document order.
    values: Vec<(usize, Kept<'t>)>,
    site: Site,
}

impl<'t> Scan<'t, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
            self.canonical = false;
        }
    }

    /// An object, keeping what it holds under the paths that go on below `node`.
    fn object(&mut self, node: &Node, chain: Chain) -> Option<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return None;
        }
        self.pos += 1;
        let first_key = self.keys.len();

        self.space();
        let empty = self.peek()? == b'}';
        if !empty {
            loop {
                self.space();
                let key = self.key(first_key)?;
                self.space();
                if self.peek()? != b':' {
                    return None;
                }
                self.pos += 1;
                self.space();
                if chain == Chain::Top {
                    self.top_keys.push((key, self.peek()?));
                }
                self.member(key, node, chain)?;

                self.space();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.keys.truncate(first_key);

        let end = End {
            at: self.pos,
            empty,
        };
        match chain {
            Chain::Top => self.site.top = Some(end),
            Chain::Aws => self.site.aws = Slot::Object(end),
            Chain::Cloudtrail => self.site.cloudtrail = Slot::Object(end),
            Chain::Off => {}
        }
        self.pos += 1;
        self.depth -= 1;
        Some(())
    }

    /// A key: a string without escapes, not repeated in its object, whose earlier keys start
    /// at `first` in `keys`.
    fn key(&mut self, first: usize) -> Option<&'t str> {
        if self.peek()? != b'"' {
            return None;
        }
        let (start, end, escaped) = self.string()?;
        let raw = self.bytes.get(start..end)?;
        if escaped || self.keys.get(first..)?.contains(&raw) {
            return None;
        }
        self.keys.push(raw);
        self.text.get(start..end)
    }

    /// One member's value: kept whole when a path ends at its key, read for the paths that go
    /// on below it, checked and dropped otherwise.
    fn member(&mut self, key: &str, node: &Node, chain: Chain) -> Option<()> {
        let next = chain.next(key);
        if chain == Chain::Cloudtrail && key == FLAG {
            self.site.flag = true;
        }
        let Some(node) = node.walk(key) else {
            return self.skip();
        };

        if !node.ends.is_empty() {
            if next != Chain::Off {
                self.set_slot(next, Slot::Other);
            }
            return self.keep(node);
        }
        match self.peek()? {
            b'{' => self.object(node, next),
            b'[' => self.array(node),
            _ => {
                if next != Chain::Off {
                    self.set_slot(next, Slot::Other);
                }
                self.skip()
            }
        }
    }

    /// A value at which paths end, kept whole for them (and read for any that go on below it).
    fn keep(&mut self, node: &Node) -> Option<()> {
        // The usual case: one path ends here, none goes on, and the value is kept as it is.
        if let ([index], true) = (node.ends.as_slice(), node.children.is_empty()) {
            if self.peek()? == b'"' {
                let (start, end, escaped) = self.string()?;
                let raw = self.text.get(start..end)?;
                let kept = match escaped {
                    true => Kept::Escaped(raw, OnceCell::new()),
                    false => Kept::Value(Value::String(raw.to_owned())),
                };
                self.values.push((*index, kept));
                return Some(());
            }
            let value = self.value()?;
            push_leaves(*index, value, &mut self.values);
            return Some(());
        }

        let value = self.value()?;
        let mut below = Vec::new();
        node.below("", &mut below);
        for index in &node.ends {
            push_leaves(*index, value.clone(), &mut self.values);
        }
        for (index, path) in below {
            for found in field::values(&value, &path) {
                self.values.push((index, Kept::Value(found.clone())));
            }
        }
        Some(())
    }

    fn set_slot(&mut self, chain: Chain, slot: Slot) {
        match chain {
            Chain::Aws => self.site.aws = slot,
            Chain::Cloudtrail => self.site.cloudtrail = slot,
            Chain::Top | Chain::Off => {}
        }
    }

    /// An array, whose objects (at any depth of arrays) are read for the paths below `node`, as
    /// field lookup flattens arrays.
    fn array(&mut self, node: &Node) -> Option<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return None;
        }
        self.pos += 1;

        self.space();
        if self.peek()? != b']' {
            loop {
                self.space();
                match self.peek()? {
                    b'{' => self.object(node, Chain::Off)?,
                    b'[' => self.array(node)?,
                    _ => self.skip()?,
                }
                self.space();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Some(())
    }

    /// A value kept whole: strings and literals made here, anything else by serde_json from its
    /// checked text.
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' => {
                let (start, end, escaped) = self.string()?;
                let raw = self.text.get(start..end)?;
                let text = if escaped {
                    unescape(raw)?
                } else {
                    raw.to_owned()
                };
                Some(Value::String(text))
            }
            b't' => self.literal(b"true").map(|()| Value::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Value::Bool(false)),
            b'n' => self.literal(b"null").map(|()| Value::Null),
            _ => {
                let start = self.pos;
                self.skip()?;
                serde_json::from_str(self.text.get(start..self.pos)?).ok()
            }
        }
    }

    /// Checks any value and moves past it.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(&LEAF, Chain::Off),
            b'[' => self.array(&LEAF),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    /// A number as JSON spells it. serde_json keeps a number's text, except that it writes an
    /// exponent as `e` followed by a sign.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.canonical &= self.peek() == Some(b'e');
            self.pos += 1;
            match self.peek()? {
                b'+' | b'-' => self.pos += 1,
                _ => self.canonical = false,
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// A string: the offsets of its contents, and whether it holds escapes.
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.pos = json::special(self.bytes, self.pos);
            match self.peek()? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                _ => return None,
            }
        }
        let end = self.pos;
        self.pos += 1;
        Some((start, end, escaped))
    }

    /// An escape; `\u` only for a control character, the one escape serde_json writes with it.
    fn escape(&mut self) -> Option<()> {
        let kind = *self.bytes.get(self.pos + 1)?;
        self.pos += 2;
        match kind {
            b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => Some(()),
            b'/' => {
                self.canonical = false;
                Some(())
            }
            b'u' => {
                let hex = self.bytes.get(self.pos..self.pos + 4)?;
                let code = std::str::from_utf8(hex).ok()?;
                let code = u8::from_str_radix(code.strip_prefix("00")?, 16).ok()?;
                if code >= 0x20 {
                    return None;
                }
                let short = matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d);
                let lower = hex.iter().all(|byte| !byte.is_ascii_uppercase());
                self.canonical &= !short && lower;
                self.pos += 4;
                Some(())
            }
            _ => None,
        }
    }
}

/// A value as field lookup finds it under a path that ends at it: arrays flattened.
fn push_leaves<'t>(index: usize, value: Value, found: &mut Vec<(usize, Kept<'t>)>) {
    match value {
        Value::Array(items) => items
            .into_iter()
            .for_each(|item| push_leaves(index, item, found)),
        _ => found.push((index, Kept::Value(value))),
    }
}

/// The text of a string's contents, escapes resolved; `raw` holds only the escapes
/// [`Scan::escape`] lets through.
fn unescape(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut start = 0;
    loop {
        let at = json::special(bytes, start);
        out.push_str(raw.get(start..at)?);
        if at >= bytes.len() {
            return Some(out);
        }
        let (decoded, length) = match bytes.get(at + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let code = u32::from_str_radix(raw.get(at + 2..at + 6)?, 16).ok()?;
                (char::from_u32(code)?, 6)
            }
            _ => return None,
        };
        out.push(decoded);
        start = at + length;
    }
}
