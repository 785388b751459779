//! Property tests of the readers of a node's other files (`xml`,
//! `properties`, `amqp`): whatever the input, they return (never panic,
//! never hang), and every span they give lies inside the text on character
//! boundaries. Inputs are arbitrary strings and strings built from the
//! fragments these formats are made of (so that deep, valid-looking
//! structures are reached, not only early errors).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::ops::Range;

use apimlint_core::xml::wso2::{read_event_publisher, read_user_store};
use apimlint_core::xml::{Event, Reader};
use apimlint_core::{amqp, properties};
use proptest::prelude::*;

fn ok_span(text: &str, r: &Range<usize>, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what}: {r:?} outside {} bytes",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what}: {r:?} not on char boundaries"
    );
    Ok(())
}

const XML_BITS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "<a",
    "</a>",
    "<a>",
    "<eventPublisher",
    "<from",
    "<to",
    "<mapping",
    "<property",
    "</property>",
    "<UserStoreManager",
    "<Property",
    " name=\"DomainName\"",
    " name='x'",
    " xmlns=\"http://wso2.org/carbon/eventpublisher\"",
    " xmlns:p='u'",
    "<p:a",
    " streamName=\"s\"",
    " version=\"1\"",
    " type=\"json\"",
    " eventAdapterType=\"jms\"",
    " processing=\"disable\"",
    "=",
    "\"",
    "'",
    "&amp;",
    "&#x41;",
    "&#65;",
    "&lol;",
    "&",
    ";",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version='1.0'?>",
    "<?",
    "?>",
    "<!DOCTYPE r [",
    "<!ENTITY x 'y'>",
    "]>",
    "é",
    "€",
    "\u{feff}",
    "\r\n",
    "\n",
    " ",
    "\t",
    "text",
    "é&#xE9;",
];

const PROP_BITS: &[&str] = &[
    "a", "key", "=", ":", " ", "\t", "\u{c}", "\\", "\\\n", "\\\r\n", "\n", "\r", "\r\n", "#", "!",
    "\\u", "\\u00e9", "\\uD83D", "\\uDE00", "\\uZZ", "é", "€", "\u{feff}", "\\t", "\\=", "0041",
];

const URL_BITS: &[&str] = &[
    "amqp://",
    "tcp://",
    "ssl://",
    "u:p@",
    "@",
    "clientid",
    "/carbon",
    "/",
    "?",
    "brokerlist=",
    "'",
    "''",
    "&",
    "%26",
    "%",
    "%4",
    "%e9",
    ";",
    ",",
    "h",
    "[::1]",
    "[",
    "]",
    ":",
    "5672",
    "99999",
    "?retries='5'",
    "=",
    "é",
    "€",
];

fn built(bits: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(bits), 0..max).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>/=&;#a-z'\"\\\\: \t\r\n!?\\[\\]%é€-]{0,200}",
    ]
}

fn check_xml(text: &str) -> Result<(), TestCaseError> {
    for e in Reader::new(text) {
        match e {
            Ok(Event::Start {
                name_span,
                attrs,
                span,
                ..
            }) => {
                ok_span(text, &name_span, "name")?;
                ok_span(text, &span, "start tag")?;
                for a in attrs {
                    ok_span(text, &a.name_span, "attr name")?;
                    ok_span(text, &a.value_span, "attr value")?;
                }
            }
            Ok(Event::End { span, .. }) => ok_span(text, &span, "element")?,
            Ok(Event::Text { span, .. }) => ok_span(text, &span, "text")?,
            Err(e) => ok_span(text, &e.span, "xml error")?,
        }
    }
    match read_event_publisher(text) {
        Ok(p) => {
            for s in [
                &p.name.span,
                &p.stream_name.span,
                &p.stream_version.span,
                &p.mapping_type.span,
                &p.adapter_type.span,
            ] {
                ok_span(text, s, "publisher")?;
            }
            for pr in &p.properties {
                ok_span(text, &pr.name_span, "property name")?;
                ok_span(text, &pr.value_span, "property value")?;
            }
        }
        Err(e) => ok_span(text, &e.span, "publisher error")?,
    }
    match read_user_store(text) {
        Ok(u) => {
            ok_span(text, &u.domain_name.span, "domain")?;
            for s in &u.secret_spans {
                ok_span(text, s, "secret")?;
            }
        }
        Err(e) => ok_span(text, &e.span, "user store error")?,
    }
    Ok(())
}

fn check_properties(text: &str) -> Result<(), TestCaseError> {
    match properties::read(text) {
        Ok(p) => {
            for e in &p.entries {
                ok_span(text, &e.key_span, "key")?;
                ok_span(text, &e.value_span, "value")?;
                prop_assert!(
                    e.key_span.end <= e.value_span.start
                        || e.value_span.is_empty()
                        || e.key_span.is_empty()
                );
            }
            for n in &p.notes {
                ok_span(text, &n.span, "note")?;
                if let Some(r) = &n.related {
                    ok_span(text, r, "related")?;
                }
            }
        }
        Err(e) => ok_span(text, &e.span, "properties error")?,
    }
    Ok(())
}

fn check_url(text: &str) -> Result<(), TestCaseError> {
    match amqp::parse(text) {
        Ok(u) => {
            ok_span(text, &u.userinfo_span, "userinfo")?;
            let opts = u
                .options
                .iter()
                .chain(u.brokers.iter().flat_map(|b| b.options.iter()));
            for o in opts {
                ok_span(text, &o.name_span, "option name")?;
                ok_span(text, &o.value_span, "option value")?;
            }
            for b in &u.brokers {
                ok_span(text, &b.span, "broker")?;
                ok_span(text, &b.host_span, "host")?;
                if let Some(p) = &b.port_span {
                    ok_span(text, p, "port")?;
                }
            }
        }
        Err(e) => ok_span(text, &e.span, "url error")?,
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn xml_never_panics_and_spans_hold(t in prop_oneof![any_text(), built(XML_BITS, 60)]) {
        check_xml(&t)?;
    }

    #[test]
    fn properties_never_panic_and_spans_hold(t in prop_oneof![any_text(), built(PROP_BITS, 60)]) {
        check_properties(&t)?;
    }

    #[test]
    fn urls_never_panic_and_spans_hold(t in prop_oneof![any_text(), built(URL_BITS, 40)]) {
        check_url(&t)?;
    }
}

/// Parse speed on 1 MiB inputs (printed with `--nocapture`; no assertion on time).
#[test]
fn one_mebibyte_inputs_are_read() {
    let mut xml = String::from(
        "<eventPublisher name='p' xmlns='http://wso2.org/carbon/eventpublisher'><from streamName='s' version='1'/><mapping type='json'/><to eventAdapterType='jms'>",
    );
    while xml.len() < 1 << 20 {
        xml.push_str(
            "<property name=\"transport.jms.Destination\">notification &amp; more</property>\n",
        );
    }
    xml.push_str("</to></eventPublisher>");
    let t = std::time::Instant::now();
    let p = read_event_publisher(&xml).unwrap();
    eprintln!(
        "xml: {} bytes, {} properties in {:?}",
        xml.len(),
        p.properties.len(),
        t.elapsed()
    );
    let mut props = String::new();
    let mut i = 0;
    while props.len() < 1 << 20 {
        props.push_str(&format!(
            "topic.t{i} = value\\\n    continued \\u00e9\n# comment\n"
        ));
        i += 1;
    }
    let t = std::time::Instant::now();
    let p = properties::read(&props).unwrap();
    eprintln!(
        "properties: {} bytes, {} entries in {:?}",
        props.len(),
        p.entries.len(),
        t.elapsed()
    );
    assert_eq!(p.entries.len(), i);
    let mut url = String::from("amqp://u:p@c/v?brokerlist='");
    while url.len() < 1 << 20 {
        url.push_str("tcp://host.example.com:5672?retries='5'%26connectdelay='50';");
    }
    url.push('\'');
    let t = std::time::Instant::now();
    let u = amqp::parse(&url).unwrap();
    eprintln!(
        "amqp: {} bytes, {} brokers in {:?}",
        url.len(),
        u.brokers.len(),
        t.elapsed()
    );
    assert!(u.brokers.len() > 10_000);
}
