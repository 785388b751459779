//! Rules about apimlint itself (suppression comments).

mod suppression_without_reason;
mod unused_suppression;

pub(crate) static RULES: &[&super::Rule] =
    &[&unused_suppression::RULE, &suppression_without_reason::RULE];
