//! The XML reader and WSO2's event publisher / user store readers on any
//! UTF-8 text: no panic, spans inside the text.
#![no_main]

use apimlint_core::xml::wso2::{read_event_publisher, read_user_store};
use apimlint_core::xml::{Event, Reader};
use libfuzzer_sys::fuzz_target;

fn inside(text: &str, r: &std::ops::Range<usize>) {
    assert!(r.start <= r.end && text.get(r.clone()).is_some(), "{r:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for e in Reader::new(text) {
        match e {
            Ok(Event::Start { span, attrs, .. }) => {
                inside(text, &span);
                for a in attrs {
                    inside(text, &a.name_span);
                    inside(text, &a.value_span);
                }
            }
            Ok(Event::End { span, .. } | Event::Text { span, .. }) => inside(text, &span),
            Err(e) => inside(text, &e.span),
        }
    }
    match read_event_publisher(text) {
        Ok(p) => p.properties.iter().for_each(|p| inside(text, &p.value_span)),
        Err(e) => inside(text, &e.span),
    }
    match read_user_store(text) {
        Ok(u) => inside(text, &u.domain_name.span),
        Err(e) => inside(text, &e.span),
    }
});
