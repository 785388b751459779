//! Rules about apimlint itself (suppression comments).

pub(crate) mod suppression_without_reason;
pub(crate) mod unused_suppression;

pub(crate) static RULES: &[&super::Rule] =
    &[&unused_suppression::RULE, &suppression_without_reason::RULE];
