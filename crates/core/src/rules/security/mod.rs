//! Rules about production hardening: credentials, keystores, plaintext secrets.

pub(crate) mod default_credentials;
pub(crate) mod plaintext_password;

pub(crate) static RULES: &[&super::Rule] = &[&default_credentials::RULE, &plaintext_password::RULE];
