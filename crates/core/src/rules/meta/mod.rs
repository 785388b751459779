//! Rules about apimlint itself (suppression comments).

pub(crate) static RULES: &[&super::Rule] = &[];
