use super::*;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// Each item as `index:line:text` or `index:line:ERR message`, for one-line comparisons.
fn split(bytes: &[u8]) -> Vec<String> {
    let limits = Limits::default();
    decode(bytes, &limits)
        .items(Start::default(), &limits)
        .into_iter()
        .map(|item| match item.text {
            Ok(text) => format!("{}:{}:{text}", item.index, item.line),
            Err(error) => format!("{}:{}:ERR {error}", item.index, item.line),
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn every_shape_splits_into_events() {
    let cases: [(&[u8], &[&str]); 9] = [
        (
            b"{\"a\":1}\n{\"b\":2}\n",
            &["0:1:{\"a\":1}", "1:2:{\"b\":2}"],
        ),
        (
            b"{\"a\":1}\r\n\r\n  \n{\"b\":2}",
            &["0:1:{\"a\":1}", "1:4:{\"b\":2}"],
        ),
        (b"\xEF\xBB\xBF{\"a\":1}", &["0:1:{\"a\":1}"]),
        (
            b"[{\"a\":1}, {\"b\":[1,2]}]",
            &["0:1:{\"a\":1}", "1:1:{\"b\":[1,2]}"],
        ),
        (
            b"[\n  {\"a\":1},\n  {\"b\":\"],\"}\n]",
            &["0:2:{\"a\":1}", "1:3:{\"b\":\"],\"}"],
        ),
        (b"{\n  \"a\": 1\n}\n", &["0:1:{\n  \"a\": 1\n}"]),
        (
            b"{\"Records\": [{\"eventName\":\"A\"},\n{\"eventName\":\"B\"}]}",
            &["0:1:{\"eventName\":\"A\"}", "1:2:{\"eventName\":\"B\"}"],
        ),
        (
            b"{\"Records\":[{\"x\":1}]}\n{\"y\":2}\n",
            &["0:1:{\"x\":1}", "1:2:{\"y\":2}"],
        ),
        (b"", &[]),
    ];
    for (bytes, expected) in cases {
        assert_eq!(split(bytes), expected, "{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn what_follows_an_array_is_read_as_lines() {
    let cases: [(&[u8], &[&str]); 2] = [
        (
            b"[{\"a\":1}]\n{\"b\":2}\n{\"c\":3}",
            &["0:1:{\"a\":1}", "1:2:{\"b\":2}", "2:3:{\"c\":3}"],
        ),
        (b"[1] {\"b\":2}", &["0:1:1", "1:1:{\"b\":2}"]),
    ];
    for (bytes, expected) in cases {
        assert_eq!(split(bytes), expected, "{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn gzip_is_known_by_its_magic_bytes() {
    let plain = b"{\"Records\":[{\"a\":1},{\"b\":2}]}";
    assert_eq!(split(&gzip(plain)), split(plain));
    assert_eq!(
        split(&gzip(b"{\"a\":1}\n{\"b\":2}\n")),
        ["0:1:{\"a\":1}", "1:2:{\"b\":2}"]
    );
}

#[test]
fn a_truncated_gzip_keeps_the_events_before_the_cut() {
    let lines: String = (0..200)
        .map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}\n", "x".repeat(50)))
        .collect();
    let compressed = gzip(lines.as_bytes());
    let cut = compressed.get(..compressed.len() / 2).unwrap();
    let items = split(cut);
    let last = items.last().unwrap();
    assert!(
        last.contains("ERR the gzip data is damaged or cut off"),
        "{last}"
    );
    assert!(items.len() > 10 && items.len() < 200, "{}", items.len());
    assert!(items.iter().rev().skip(1).all(|item| !item.contains("ERR")));
}

#[test]
fn damage_costs_only_the_damaged_event() {
    let cases: [(&[u8], &[&str]); 5] = [
        (
            b"{\"a\":1}\n\xff\xfe\n{\"b\":2}",
            &[
                "0:1:{\"a\":1}",
                "1:2:ERR event 1 (line 2) is not valid UTF-8: byte 1 of the line starts an invalid sequence",
                "2:3:{\"b\":2}",
            ],
        ),
        (
            b"[{\"a\":1}, {\"b\":",
            &[
                "0:1:{\"a\":1}",
                "1:1:ERR the JSON array is cut off inside element 1 (line 1)",
            ],
        ),
        (
            b"[{\"a\":1},",
            &[
                "0:1:{\"a\":1}",
                "1:1:ERR the JSON array is cut off: it ends before its closing ']' (line 1)",
            ],
        ),
        (
            b"{\"Records\": \"nope\"}",
            &["0:1:ERR the file's \"Records\" holds a string, not an array of CloudTrail records"],
        ),
        (
            b"{\"a\":1}\n{\"b\":\n{\"c\":3}",
            &["0:1:{\"a\":1}", "1:2:{\"b\":", "2:3:{\"c\":3}"],
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(split(bytes), expected, "{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn events_past_the_limits_are_errors_of_their_own() {
    let limits = Limits {
        max_event_bytes: 10,
        ..Limits::default()
    };
    let decoded = decode(b"{\"a\":1}\n{\"long\":\"xxxxxxxx\"}\n", &limits);
    let items = decoded.items(Start { index: 5, line: 10 }, &limits);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].text, Ok("{\"a\":1}"));
    assert_eq!(
        items[1].text,
        Err(InputError::new(
            "event 6 (line 12) is 19 bytes, more than the limit of 10 bytes"
        ))
    );

    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let error = parse_event(&format!("{{\"a\":{deep}}}"), 0, 1, &Limits::default()).unwrap_err();
    assert_eq!(
        error.message,
        "event 0 (line 1) nests 101 levels deep, more than the limit of 64"
    );
}

#[test]
fn parse_event_names_the_event_and_quotes_it() {
    let limits = Limits::default();
    let cases = [
        (
            "{\"a\":",
            "event 3 (line 4) is not valid JSON: EOF while parsing a value at line 1 column 5 (starts with \"{\\\"a\\\":\")",
        ),
        ("[1,2]", "event 3 (line 4) is an array, not a JSON object"),
        (
            "\"text\"",
            "event 3 (line 4) is a string, not a JSON object",
        ),
        (
            "{\"a\":1} x",
            "event 3 (line 4) is not valid JSON: trailing characters at line 1 column 9 (starts with \"{\\\"a\\\":1} x\")",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            parse_event(text, 3, 4, &limits).unwrap_err().message,
            expected,
            "{text}"
        );
    }
    let big = parse_event("{\"n\":123456789012345678901234567890}", 0, 1, &limits).unwrap();
    assert_eq!(big.to_string(), "{\"n\":123456789012345678901234567890}");
}
