//! The Qpid connection URL parser on any UTF-8 text: no panic, spans inside it.
#![no_main]

use apimlint_core::amqp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match amqp::parse(text) {
        Ok(u) => {
            assert!(text.get(u.userinfo_span.clone()).is_some());
            for b in &u.brokers {
                assert!(text.get(b.host_span.clone()).is_some());
                assert!(text.get(b.span.clone()).is_some());
                for o in &b.options {
                    assert!(text.get(o.value_span.clone()).is_some());
                }
            }
        }
        Err(e) => assert!(text.get(e.span.clone()).is_some()),
    }
});
