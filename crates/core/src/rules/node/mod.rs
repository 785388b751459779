//! Rules about what one node's file says.

pub(crate) mod invalid_server_role;
pub(crate) mod role_unknown;
pub(crate) mod unknown_key;

pub(crate) static RULES: &[&super::Rule] = &[
    &invalid_server_role::RULE,
    &role_unknown::RULE,
    &unknown_key::RULE,
];
