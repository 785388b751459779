//! Rules about what one node's file says.

pub(crate) mod invalid_server_role;
pub(crate) mod invalid_url;
pub(crate) mod invalid_value;
pub(crate) mod key_not_in_version;
pub(crate) mod keystore_password_mismatch;
pub(crate) mod reference_not_resolved_here;
pub(crate) mod role_section_mismatch;
pub(crate) mod role_unknown;
pub(crate) mod secrets_not_last;
pub(crate) mod undefined_secret;
pub(crate) mod unencrypted_secret;
pub(crate) mod unknown_key;
pub(crate) mod unresolved_reference;

pub(crate) static RULES: &[&super::Rule] = &[
    &invalid_server_role::RULE,
    &role_unknown::RULE,
    &unknown_key::RULE,
    &key_not_in_version::RULE,
    &invalid_value::RULE,
    &invalid_url::RULE,
    &unresolved_reference::RULE,
    &reference_not_resolved_here::RULE,
    &undefined_secret::RULE,
    &unencrypted_secret::RULE,
    &secrets_not_last::RULE,
    &keystore_password_mismatch::RULE,
    &role_section_mismatch::RULE,
];
