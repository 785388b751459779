//! Rules about whether a file can be read and parsed at all.

pub(crate) mod toml_syntax;
pub(crate) mod unreadable_file;

pub(crate) static RULES: &[&super::Rule] = &[&toml_syntax::RULE, &unreadable_file::RULE];
