//! Rules about apimlint itself (suppression comments, the project file).

pub(crate) mod project_entry_unmatched;
pub(crate) mod suppression_without_reason;
pub(crate) mod unused_suppression;

pub(crate) static RULES: &[&super::Rule] = &[
    &unused_suppression::RULE,
    &suppression_without_reason::RULE,
    &project_entry_unmatched::RULE,
];
