//! The Java properties reader on any UTF-8 text: no panic, spans inside the text.
#![no_main]

use apimlint_core::properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match properties::read(text) {
        Ok(p) => {
            for e in &p.entries {
                assert!(text.get(e.key_span.clone()).is_some());
                assert!(text.get(e.value_span.clone()).is_some());
            }
            for n in &p.notes {
                assert!(text.get(n.span.clone()).is_some());
            }
        }
        Err(e) => assert!(text.get(e.span.clone()).is_some()),
    }
});
