//! Rules about state every node must share (keystores, databases, users).

pub(crate) mod primary_keystore_mismatch;

pub(crate) static RULES: &[&super::Rule] = &[&primary_keystore_mismatch::RULE];
