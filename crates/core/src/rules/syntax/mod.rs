//! Rules about whether a file can be read and parsed at all.

pub(crate) mod properties_syntax;
pub(crate) mod toml_syntax;
pub(crate) mod unreadable_file;
pub(crate) mod xml_syntax;

pub(crate) static RULES: &[&super::Rule] = &[
    &toml_syntax::RULE,
    &unreadable_file::RULE,
    &xml_syntax::RULE,
    &properties_syntax::RULE,
];
