//! JSON values as Elastic's ingest pipeline holds and prints them.
//!
//! The pipeline parses a record into Java collections and then works on those: it drops empty
//! values, and it stores `requestParameters` and its siblings as the text Java prints for a map
//! (`{userName=bob, tags=[a, b]}`). A query on `aws.cloudtrail.request_parameters` compares that
//! text exactly, so it must come out character for character, key order included.
//!
//! Elasticsearch's JSON parser builds a `java.util.HashMap` for every object. A `HashMap` iterates
//! its keys by the bucket their hash code falls in, and the number of buckets depends on how many
//! keys were ever put in it, so the printed order is neither the record's order nor sorted.
//! [`ordered_keys`] computes it.

use serde_json::{Map, Number, Value};

/// The number of UTF-16 code units in `text`, which is what Java's `String.length()` counts.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Whether the pipeline's first script drops `value`: `null`, `""`, and objects or arrays that
/// hold nothing else once their own empty values are dropped.
pub fn is_dropped(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Object(map) => map.values().all(is_dropped),
        Value::Array(items) => items.iter().all(is_dropped),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `value` without the values the pipeline drops, or `None` when nothing is left.
pub fn prune(value: &Value) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let kept: Map<String, Value> = map
                .iter()
                .filter_map(|(key, child)| Some((key.clone(), prune(child)?)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(prune).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => (!is_dropped(other)).then(|| other.clone()),
    }
}

/// The text Java's `toString()` gives for `value` once the pipeline has dropped its empty values.
///
/// Objects print as `{key=value, ...}` in `HashMap` order, arrays as `[a, b]`, strings bare,
/// integers in decimal and fractions as Java prints a `double`.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&render_number(number)),
        Value::String(text) => out.push_str(text),
        Value::Array(items) => {
            out.push('[');
            let kept = items.iter().filter(|item| !is_dropped(item));
            for (index, item) in kept.enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            let kept = ordered_keys(&keys)
                .into_iter()
                .filter_map(|key| Some((key, map.get(key)?)))
                .filter(|(_, child)| !is_dropped(child));
            for (index, (key, child)) in kept.enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                write_value(child, out);
            }
            out.push('}');
        }
    }
}

/// `keys`, distinct and in the order they were put into a fresh `java.util.HashMap`, rearranged
/// into the order that map iterates them.
///
/// A `HashMap` starts with 16 buckets and doubles them whenever it holds more than three
/// quarters as many keys, or when a ninth key lands in one bucket of a table under 64 buckets.
/// A key's bucket is its spread hash code modulo the final bucket count; keys sharing a bucket
/// keep the order they were put in, and a resize never reorders them.
///
/// Java turns a bucket of nine or more keys in a table of 64 or more buckets into a tree, which
/// iterates in a different order; that needs dozens of colliding keys in one object, which no
/// CloudTrail record holds, so the order given here is the list order in that case too.
pub fn ordered_keys<'a>(keys: &[&'a str]) -> Vec<&'a str> {
    iteration_order(keys)
        .into_iter()
        .filter_map(|position| keys.get(position).copied())
        .collect()
}

/// The positions in `keys` in the order [`ordered_keys`] gives.
pub fn iteration_order(keys: &[&str]) -> Vec<usize> {
    let hashes: Vec<u32> = keys.iter().map(|key| spread(java_hash(key))).collect();
    let mask = bucket_count(&hashes) - 1;

    let mut order: Vec<(usize, usize)> = hashes
        .iter()
        .enumerate()
        .map(|(position, hash)| (*hash as usize & mask, position))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, position)| position).collect()
}

fn java_hash(text: &str) -> u32 {
    text.encode_utf16().fold(0u32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

fn spread(hash: u32) -> u32 {
    hash ^ (hash >> 16)
}

/// How many buckets a `HashMap` has after the keys with these spread hashes were put in it.
fn bucket_count(hashes: &[u32]) -> usize {
    const TREEIFY_THRESHOLD: usize = 8;
    const MIN_TREEIFY_CAPACITY: usize = 64;

    let mut buckets = 16;
    let mut sizes = bucket_sizes(&[], buckets);
    for (index, hash) in hashes.iter().enumerate() {
        let Some(size) = sizes.get_mut(*hash as usize & (buckets - 1)) else {
            continue;
        };
        let crowded = *size >= TREEIFY_THRESHOLD && buckets < MIN_TREEIFY_CAPACITY;
        *size += 1;
        let inserted = index + 1;
        if crowded {
            buckets *= 2;
        }
        if inserted > buckets / 4 * 3 {
            buckets *= 2;
        }
        if sizes.len() != buckets {
            sizes = bucket_sizes(hashes.get(..inserted).unwrap_or(hashes), buckets);
        }
    }
    buckets
}

/// How many of `hashes` fall in each of `buckets` buckets.
fn bucket_sizes(hashes: &[u32], buckets: usize) -> Vec<usize> {
    let mut sizes = vec![0; buckets];
    for hash in hashes {
        if let Some(size) = sizes.get_mut(*hash as usize & (buckets - 1)) {
            *size += 1;
        }
    }
    sizes
}

/// A JSON number as Java prints what Elasticsearch's parser made of it: integers become `int`,
/// `long` or `BigInteger` and print as written; anything with a fraction or an exponent becomes
/// a `double`.
fn render_number(number: &Number) -> String {
    let text = number.to_string();
    if text.contains(['.', 'e', 'E']) {
        return match text.parse::<f64>() {
            Ok(double) => render_double(double),
            Err(_) => text,
        };
    }
    if text == "-0" { "0".to_owned() } else { text }
}

/// Java's `Double.toString`: the shortest digits that read back as the same `double`, written
/// plainly between 10^-3 and 10^7 and as `d.dddE±n` outside, always with a digit after the point.
fn render_double(double: f64) -> String {
    if double.is_nan() {
        return "NaN".to_owned();
    }
    if double.is_infinite() {
        return if double > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_owned();
    }
    if double == 0.0 {
        return if double.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .to_owned();
    }

    let sign = if double < 0.0 { "-" } else { "" };
    let magnitude = double.abs();
    let scientific = format!("{magnitude:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (first, rest) = digits.split_at(digits.len().min(1));

    if !(1e-3..1e7).contains(&magnitude) {
        let rest = if rest.is_empty() { "0" } else { rest };
        return format!("{sign}{first}.{rest}E{exponent}");
    }
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exponent as usize + 1;
    match (digits.get(..point), digits.get(point..)) {
        (Some(whole), Some(fraction)) if !fraction.is_empty() => {
            format!("{sign}{whole}.{fraction}")
        }
        _ => {
            let zeros = "0".repeat(point.saturating_sub(digits.len()));
            format!("{sign}{digits}{zeros}.0")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_codes_are_java_string_hash_codes() {
        // Values of `String.hashCode()` as the Java documentation's formula gives them.
        let cases = [
            ("", 0),
            ("a", 97),
            ("Aa", 2112),
            ("BB", 2112),
            ("hello", 99_162_322),
        ];
        for (text, hash) in cases {
            assert_eq!(java_hash(text), hash, "{text}");
        }
        assert_eq!(java_hash("polygenelubricants"), 0x8000_0000);
    }

    #[test]
    fn keys_iterate_by_bucket_then_insertion() {
        // Single characters hash to their code: `A` is 65, `P` is 80, `a` is 97, `q` is 113.
        let thirteen = [
            "A", "P", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L",
        ];
        let nine_in_one_bucket = ["!", "1", "A", "Q", "a", "q", "\u{c1}", "\u{d1}", "\u{e1}"];
        let cases: [(&[&str], &[&str]); 5] = [
            // 16 buckets: `a` and `q` share bucket 1 and keep their order.
            (&["c", "q", "a", "b"], &["q", "a", "b", "c"]),
            (&["Aa", "BB"], &["Aa", "BB"]),
            (&["BB", "Aa"], &["BB", "Aa"]),
            // A thirteenth key grows the table to 32 buckets: `P` moves from bucket 0 to 16.
            (
                &thirteen,
                &[
                    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "P",
                ],
            ),
            // A ninth key in one bucket of a 16-bucket table doubles it, splitting the bucket.
            (
                &nine_in_one_bucket,
                &["!", "A", "a", "\u{c1}", "\u{e1}", "1", "Q", "q", "\u{d1}"],
            ),
        ];
        for (inserted, iterated) in cases {
            assert_eq!(ordered_keys(inserted), iterated, "{inserted:?}");
        }
        assert_eq!(ordered_keys(&thirteen[..2]), ["P", "A"]);
    }

    #[test]
    fn dropped_keys_still_size_the_table() {
        // `P` prints before `A` in a 16-bucket map; a thirteenth key, even a null one the
        // pipeline drops, has grown the table to 32 buckets, where `A` comes first.
        let mut map = Map::new();
        for key in ["A", "P", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"] {
            map.insert(key.to_owned(), json!(1));
        }
        assert!(render(&Value::Object(map.clone())).starts_with("{P=1, A=1, "));

        map.insert("L".to_owned(), Value::Null);
        let text = render(&Value::Object(map));
        assert!(text.starts_with("{A=1, B=1, "), "{text}");
        assert!(text.ends_with(", K=1, P=1}"), "{text}");
    }

    #[test]
    fn values_print_as_java_prints_them() {
        let cases = [
            (
                json!({"a": "x y", "b": [1, "two", true], "c": {"d": null, "e": ""}}),
                "{a=x y, b=[1, two, true]}",
            ),
            (json!([]), "[]"),
            (json!({"list": [null, "", {}], "n": 0}), "{n=0}"),
            (
                json!(12345678901234567890123u128),
                "12345678901234567890123",
            ),
            (serde_json::from_str::<Value>("-0").unwrap(), "0"),
            (serde_json::from_str::<Value>("1.50").unwrap(), "1.5"),
            (serde_json::from_str::<Value>("100.0").unwrap(), "100.0"),
            (serde_json::from_str::<Value>("1E2").unwrap(), "100.0"),
            (serde_json::from_str::<Value>("0.001").unwrap(), "0.001"),
            (serde_json::from_str::<Value>("0.0001").unwrap(), "1.0E-4"),
            (
                serde_json::from_str::<Value>("12345678.9").unwrap(),
                "1.23456789E7",
            ),
            (serde_json::from_str::<Value>("1e7").unwrap(), "1.0E7"),
            (serde_json::from_str::<Value>("-2.5e-7").unwrap(), "-2.5E-7"),
            (
                serde_json::from_str::<Value>("9999999.0").unwrap(),
                "9999999.0",
            ),
            (serde_json::from_str::<Value>("-0.0").unwrap(), "-0.0"),
        ];
        for (value, text) in cases {
            assert_eq!(render(&value), text, "{value}");
        }
    }

    #[test]
    fn prune_drops_what_the_pipeline_drops() {
        let record =
            json!({"a": null, "b": "", "c": {"d": [null, ""]}, "e": [0, false, " "], "f": {}});
        assert_eq!(prune(&record), Some(json!({"e": [0, false, " "]})));
        assert_eq!(prune(&json!({"a": {"b": null}})), None);
    }

    #[test]
    fn java_counts_utf16_units() {
        assert_eq!(utf16_len("añ😀"), 4);
    }
}
