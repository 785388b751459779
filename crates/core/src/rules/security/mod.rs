//! Rules about production hardening: credentials, keystores, plaintext secrets.

pub(crate) static RULES: &[&super::Rule] = &[];
