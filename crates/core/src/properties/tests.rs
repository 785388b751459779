#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::{NoteKind, read};

fn kv(src: &str) -> Vec<(String, String)> {
    read(src)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The seed's / WSO2 page's `jndi-region2.properties` (indented as printed).
const DOCS: &str = "    connectionfactory.TopicConnectionFactory = amqp://admin:admin@clientid/carbon?brokerlist='tcp://<region2-cp-host>:5672'
    
    topic.tokenRevocation = tokenRevocation
    topic.keyManager = keyManager
    topic.notification = notification
    topic.asyncWebhooksData = asyncWebhooksData
    
";

/// BechtelCanDoIt/WSO2-APIM-Multi-DC-Simulator, `cp/dc1/repository/conf/jndi-region2.properties`.
const SIMULATOR: &str = "connectionfactory.TopicConnectionFactory = amqp://admin:admin@clientid/carbon?brokerlist='tcp://wso2apim-cp-dc2:5672?retries='5'%26connectdelay='50';'

topic.tokenRevocation = tokenRevocation
topic.keyManager = keyManager
topic.notification = notification
topic.asyncWebhooksData = asyncWebhooksData
";

#[test]
fn wso2_jndi_files() {
    for src in [DOCS, SIMULATOR] {
        let p = read(src).unwrap();
        assert_eq!(p.entries.len(), 5);
        assert!(p.notes.is_empty());
        let cf = p.get("connectionfactory.TopicConnectionFactory").unwrap();
        assert!(
            cf.value
                .starts_with("amqp://admin:admin@clientid/carbon?brokerlist='tcp://")
        );
        assert_eq!(&src[cf.key_span.clone()], cf.key);
        assert_eq!(&src[cf.value_span.clone()], cf.value);
        let n = p.get("topic.notification").unwrap();
        assert_eq!(n.value, "notification");
        assert_eq!(&src[n.value_span.clone()], "notification");
    }
}

#[test]
fn separators_and_comments() {
    let src = "a=1\nb:2\nc 3\nd\t=\t4\ne  :  5\nf\n g = = 6\n#h=7\n  !i=8\nj=#9\nk\\=l=10\nm\\ n:11\n\\:o=12\n";
    assert_eq!(
        kv(src),
        pairs(&[
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("e", "5"),
            ("f", ""),
            ("g", "= 6"),
            ("j", "#9"),
            ("k=l", "10"),
            ("m n", "11"),
            (":o", "12"),
        ])
    );
}

#[test]
fn escapes() {
    let src = "a=x\\ty\\nz\\r\\f\\q\\\\\\u0041\\u00e9\nb=\\uD83D\\uDE00\n";
    assert_eq!(
        kv(src),
        pairs(&[("a", "x\ty\nz\r\u{c}q\\A\u{e9}"), ("b", "\u{1F600}")])
    );
    let p = read("a=\\uD83Dx\n").unwrap();
    assert_eq!(p.entries[0].value, "\u{fffd}x");
    assert_eq!(p.notes[0].kind, NoteKind::LoneSurrogate);
}

#[test]
fn malformed_unicode_escape_is_a_located_error() {
    for (src, span) in [
        ("a=b\\u12G4\n", "\\u12G4"),
        ("a=b\\u12", "\\u12"),
        ("k\\uZ=v\n", "\\uZ"),
    ] {
        let e = read(src).unwrap_err();
        assert_eq!(&src[e.span.clone()], span, "{src}");
        assert!(e.message.contains("\\uxxxx"));
    }
    let src = "x=1\ny=\\u004";
    assert_eq!(read(src).unwrap_err().line_col(src).line, 2);
}

#[test]
fn continuations() {
    let src = "key = a, \\\n      b, \\\r\n\t c\nnext = \\\\\nlast = d\\\\\\\n  e\n";
    let p = read(src).unwrap();
    assert_eq!(
        p.entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect::<Vec<_>>(),
        [("key", "a, b, c"), ("next", "\\"), ("last", "d\\e")]
    );
    // the value's span covers the lines it spans
    assert_eq!(
        &src[p.entries[0].value_span.clone()],
        "a, \\\n      b, \\\r\n\t c"
    );
    // a continued line starting with `#` is no comment
    assert_eq!(kv("a=1\\\n#2\n"), pairs(&[("a", "1#2")]));
    // a comment ending in a backslash continues nothing
    assert_eq!(kv("#a\\\nb=1\n"), pairs(&[("b", "1")]));
    // an empty line after a continuation ends it
    assert_eq!(kv("a=1\\\n\nb=2\n"), pairs(&[("a", "1"), ("b", "2")]));
    // the key itself may continue
    let src = "ke\\\n  y=v";
    let p = read(src).unwrap();
    assert_eq!(p.entries[0].key, "key");
    assert_eq!(&src[p.entries[0].key_span.clone()], "ke\\\n  y");
}

#[test]
fn only_continuations_and_a_backslash_at_the_end() {
    // Java: a file of continuations ending in a line end holds nothing
    assert!(read("\\\n\\\n\\\n").unwrap().entries.is_empty());
    // ... ending in the backslash itself: one entry with an empty key and value
    let p = read("\\\n\\\n\\").unwrap();
    assert_eq!(kv("\\\n\\\n\\"), pairs(&[("", "")]));
    let kinds: Vec<_> = p.notes.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [NoteKind::TrailingBackslash, NoteKind::EmptyKey]);
    assert_eq!(p.notes[0].span, 4..5);
    // a lone backslash at the end of a value is dropped
    let src = "a=b\\";
    let p = read(src).unwrap();
    assert_eq!(p.entries[0].value, "b");
    assert_eq!(&src[p.entries[0].value_span.clone()], "b");
    assert_eq!(p.notes[0].kind, NoteKind::TrailingBackslash);
    assert!(read("").unwrap().entries.is_empty());
    assert!(read("\n\r\n  \t\n# c\n!d").unwrap().entries.is_empty());
}

#[test]
fn crlf_and_cr_line_ends() {
    let src = "a=1\r\nb=2\rc=3\r\n";
    assert_eq!(kv(src), pairs(&[("a", "1"), ("b", "2"), ("c", "3")]));
    let p = read(src).unwrap();
    assert_eq!(p.entries[1].value_span, 7..8);
    assert_eq!(p.entries[2].value_span, 11..12);
}

#[test]
fn duplicates_last_wins_and_are_noted() {
    let src = "topic.notification = a\ntopic.notification = b\n";
    let p = read(src).unwrap();
    assert_eq!(p.get("topic.notification").unwrap().value, "b");
    assert_eq!(p.notes.len(), 1);
    assert_eq!(p.notes[0].kind, NoteKind::Duplicate);
    assert_eq!(p.notes[0].span, 23..41);
    assert_eq!(p.notes[0].related, Some(0..18));
}

#[test]
fn bom_is_part_of_the_first_key() {
    let src = "\u{feff}connectionfactory.X = y\n";
    let p = read(src).unwrap();
    assert_eq!(p.notes[0].kind, NoteKind::Bom);
    assert!(p.get("connectionfactory.X").is_none());
    assert_eq!(p.entries[0].key_span.start, 0);
}

#[test]
fn empty_values_have_a_span_at_the_line_end() {
    let src = "a =   \nb";
    let p = read(src).unwrap();
    assert_eq!(p.entries[0].value, "");
    assert_eq!(p.entries[0].value_span, 6..6);
    assert_eq!(p.entries[1].value_span, 8..8);
}
