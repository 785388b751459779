//! `invalid-value`: enumerated values, booleans and numbers, durations.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Fix};
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::catalog::Ty;
use crate::model::{KeyFact, KeyKind, Scalar, Sp, display_path, holds_placeholder};
use crate::redact::is_secret_key;
use crate::rules::{NodeCx, NodeRule};
use crate::schema::{Accepts, accepts, unit_ms, unit_name};

declare_rule! {
    id: "invalid-value",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(InvalidValue),
}

/// Values users write for a database type, and the one WSO2 knows.
const DB_ALIASES: [(&str, &str); 5] = [
    ("postgres", "postgre"),
    ("postgresql", "postgre"),
    ("sqlserver", "mssql"),
    ("oracledb", "oracle"),
    ("maria", "mariadb"),
];

pub(crate) struct InvalidValue;

/// A value its key does not accept.
pub(crate) struct State<'a> {
    kf: &'a KeyFact,
    value: &'a Sp<Scalar>,
    problem: Problem<'a>,
}

pub(crate) enum Problem<'a> {
    /// A key taking one of `allowed` holds no string.
    NotString { allowed: &'static [&'static str] },
    /// A string none of `allowed`: `suggestion` is the one it was probably
    /// meant to be (`sure`: a case or database alias fix).
    NotAllowed {
        s: &'a str,
        allowed: &'static [&'static str],
        suggestion: Option<&'static str>,
        sure: bool,
    },
    /// An empty string where one of `allowed` belongs: a value left to be
    /// filled in (WSO2's own charts write `""` for the values they leave to
    /// the user), an info.
    Empty { allowed: &'static [&'static str] },
    /// A boolean or numeric key holding a value of another type.
    WrongType(Ty),
    /// A duration key holding neither a string nor an integer; `unit` is the
    /// key's, where the catalog knows it.
    DurationType { unit: Option<&'static str> },
    /// A duration string WSO2 cannot read (`s`, trimmed).
    NotDuration {
        s: &'a str,
        unit: Option<&'static str>,
    },
    /// A non-zero duration that converts to 0 in the key's `unit`.
    BelowUnit { s: &'a str, unit: &'static str },
}

impl NodeRule for InvalidValue {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        cx.node
            .facts
            .keys
            .iter()
            .flatten()
            .filter(|kf| kf.kind == KeyKind::Value && !is_secret_key(&kf.name))
            .filter_map(|kf| {
                let value = kf.value.as_ref()?;
                let problem = check_key(kf, value)?;
                Some(State { kf, value, problem })
            })
            .collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, st: &State<'_>) -> Diagnostic {
        let (kf, value) = (st.kf, st.value);
        let shown = display_path(&kf.segs);
        let new = |msg: String| Diagnostic::new(&RULE, cx.file, value.span.clone(), msg);
        match &st.problem {
            Problem::NotString { allowed } => new(format!(
                "`{shown}` must be a string, not {}",
                value.value.type_name()
            ))
            .help(format!("use one of {}", code_list(*allowed)))
            .key(kf.path(), None),
            Problem::Empty { allowed } => new(format!(
                "`{shown}` is empty: WSO2 reads no value from it; it looks left to be filled in"
            ))
            .severity(Severity::Info)
            .help(format!("set one of {}", code_list(*allowed)))
            .key(kf.path(), Some("")),
            Problem::NotAllowed {
                s,
                allowed,
                suggestion,
                ..
            } => {
                let consequence = if is_db_type(kf) {
                    ": WSO2 infers no driver or URL for it"
                } else if kf.segs.last().is_some_and(|l| l == "type") && shown.contains("url_group")
                {
                    ": WSO2 treats any value but `loadbalance` as `failover`"
                } else {
                    ""
                };
                let d = new(format!(
                    "`{shown} = \"{s}\"` is not a value WSO2 knows{consequence}"
                ))
                .key(kf.path(), Some(*s));
                match suggestion {
                    Some(to) => d.help(format!("did you mean `{to}`?")),
                    None => d.help(format!("use one of {}", code_list(*allowed))),
                }
            }
            Problem::WrongType(ty) => {
                let want = match ty {
                    Ty::Boolean => "a boolean (`true` or `false`)",
                    Ty::Integer => "an integer",
                    _ => "a number",
                };
                let written = match &value.value {
                    Scalar::Str(s) => format!("`\"{s}\"`"),
                    other => other.type_name().to_owned(),
                };
                new(format!("`{shown}` must be {want}, not {written}"))
                    .help("WSO2 renders the value into its XML as written; a wrong type breaks the generated configuration or is silently read as the default")
                    .key(kf.path(), None)
            }
            Problem::DurationType { unit } => new(format!(
                "`{shown}` must be a duration, not {}",
                value.value.type_name()
            ))
            .help(how(*unit))
            .key(kf.path(), None),
            Problem::NotDuration { s, unit } => new(format!(
                "`{shown} = \"{s}\"` is not a duration WSO2 can read"
            ))
            .help(how(*unit))
            .key(kf.path(), Some(*s)),
            Problem::BelowUnit { s, unit } => new(format!(
                "`{shown} = \"{s}\"` is less than one {}: WSO2 refuses a value that converts to 0",
                unit_name(unit).trim_end_matches('s')
            ))
            .help(format!(
                "the key is read in {}; use at least `\"1{unit}\"`",
                unit_name(unit)
            ))
            .key(kf.path(), Some(*s)),
        }
    }

    fn action(cx: &NodeCx<'_>, st: &State<'_>) -> Option<Fix> {
        let Problem::NotAllowed {
            suggestion: Some(to),
            sure,
            ..
        } = &st.problem
        else {
            return None;
        };
        let applicability = if *sure {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        Some(Fix::replace_with_string(
            cx.file,
            st.kf.value_span()?,
            to,
            applicability,
        ))
    }
}

/// A `[database.*]` key: its `type` takes the database aliases.
fn is_db_type(kf: &KeyFact) -> bool {
    kf.segs.first().is_some_and(|f| f == "database")
}

/// What a duration key takes, for its help: in `unit` where it is known.
fn how(unit: Option<&str>) -> String {
    match unit {
        Some(t) => format!(
            "write a number of {} or a number with a unit: `d`, `h`, `m`, `s` or `ms` (`\"30{t}\"`)",
            unit_name(t)
        ),
        None => "write a number or a number with a unit: `d`, `h`, `m`, `s` or `ms` (`\"30s\"`)"
            .to_owned(),
    }
}

fn check_key<'a>(kf: &KeyFact, value: &'a Sp<Scalar>) -> Option<Problem<'a>> {
    if let Scalar::Str(s) = &value.value
        && holds_placeholder(s)
    {
        return None;
    }
    // what the key accepts: the model `apimlint schema` describes too
    let (allowed, case_free) = match accepts(&kf.segs, kf.entry()) {
        Accepts::OneOf { values, case_free } => (values, case_free),
        Accepts::Duration { unit } => return duration(value, Some(unit)),
        Accepts::AnyDuration => return duration(value, None),
        Accepts::Boolean => return wrong_type(value, Ty::Boolean),
        Accepts::Integer => return wrong_type(value, Ty::Integer),
        Accepts::Number => return wrong_type(value, Ty::Number),
        // `server_role` is invalid-server-role's business
        Accepts::ServerRole | Accepts::Anything => return None,
    };
    let Scalar::Str(s) = &value.value else {
        return Some(Problem::NotString { allowed });
    };
    if allowed.contains(&s.as_str()) {
        return None;
    }
    if s.trim().is_empty() {
        return Some(Problem::Empty { allowed });
    }
    let cased = allowed.iter().find(|a| a.eq_ignore_ascii_case(s)).copied();
    if case_free && cased.is_some() {
        return None;
    }
    let is_db_type = is_db_type(kf);
    let alias = DB_ALIASES
        .iter()
        .find(|(a, _)| is_db_type && a.eq_ignore_ascii_case(s))
        .map(|(_, to)| *to);
    let suggestion = alias
        .or(cased)
        .or_else(|| did_you_mean(s, allowed.iter().copied(), 2));
    Some(Problem::NotAllowed {
        s,
        allowed,
        suggestion,
        sure: alias.is_some() || cased.is_some(),
    })
}

/// A boolean or numeric key holding a value of another type.
fn wrong_type(value: &Sp<Scalar>, ty: Ty) -> Option<Problem<'static>> {
    let ok = match (ty, &value.value) {
        (Ty::Boolean, Scalar::Bool(_)) => true,
        (Ty::Boolean, Scalar::Str(s)) => {
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
        }
        (Ty::Boolean, _) => false,
        (Ty::Integer, Scalar::Int(_)) => true,
        (Ty::Integer, Scalar::Str(s)) => s.trim().parse::<i64>().is_ok(),
        (Ty::Integer, _) => false,
        (Ty::Number, Scalar::Int(_) | Scalar::Float(_)) => true,
        (Ty::Number, Scalar::Str(s)) => s.trim().parse::<f64>().is_ok(),
        (Ty::Number, _) => false,
        _ => true,
    };
    (!ok).then_some(Problem::WrongType(ty))
}

/// A duration key: a number, or a string `<number><d|h|m|s|ms>`; a non-zero
/// value that converts to 0 in the key's unit is an error: WSO2 refuses it at
/// startup. `unit` is `None` where the catalog does not know the key's unit
/// (a key added after the 4.0 pack its unit data comes from): any number with
/// a unit is accepted.
fn duration<'a>(value: &'a Sp<Scalar>, unit: Option<&'static str>) -> Option<Problem<'a>> {
    let target = match unit {
        Some(t) => Some((t, unit_ms(t)?)),
        None => None,
    };
    let s = match &value.value {
        Scalar::Int(_) => return None,
        Scalar::Str(s) => s.trim(),
        _ => return Some(Problem::DurationType { unit }),
    };
    if s.parse::<u64>().is_ok() {
        return None;
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let (num, suffix) = s.split_at(digits);
    let parsed = num.parse::<u64>().ok().zip(unit_ms(suffix.trim()));
    let Some((n, ms)) = parsed else {
        return Some(Problem::NotDuration { s, unit });
    };
    let (unit, target_ms) = target?;
    let total = n.saturating_mul(ms);
    (total > 0 && total / target_ms == 0).then_some(Problem::BelowUnit { s, unit })
}
