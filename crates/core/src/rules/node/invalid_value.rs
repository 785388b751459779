//! `invalid-value`: enumerated values, booleans and numbers, durations.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Fix};
use crate::base::files::FileId;
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::catalog::Ty;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyFact, KeyKind, Scalar, Sp, display_path, holds_placeholder};
use crate::redact::is_secret_key;
use crate::schema::{Accepts, accepts, unit_ms, unit_name};

declare_rule! {
    id: "invalid-value",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Node(check),
}

/// Values users write for a database type, and the one WSO2 knows.
const DB_ALIASES: [(&str, &str); 5] = [
    ("postgres", "postgre"),
    ("postgresql", "postgre"),
    ("sqlserver", "mssql"),
    ("oracledb", "oracle"),
    ("maria", "mariadb"),
];

fn fix(file: FileId, kf: &KeyFact, new: &str, safe: bool) -> Option<Fix> {
    let applicability = if safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Some(Fix::replace_with_string(
        file,
        kf.value_span()?,
        new,
        applicability,
    ))
}

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    for kf in node.facts.keys.iter().flatten() {
        if kf.kind != KeyKind::Value || is_secret_key(&kf.name) {
            continue;
        }
        if let Some(d) = check_key(i, kf) {
            acc.push(d);
        }
    }
}

fn check_key(file: FileId, kf: &KeyFact) -> Option<Diagnostic> {
    let value = kf.value.as_ref()?;
    if let Scalar::Str(s) = &value.value
        && holds_placeholder(s)
    {
        return None;
    }
    let span = value.span.clone();
    // what the key accepts: the model `apimlint schema` describes too
    let (allowed, case_free) = match accepts(&kf.segs, kf.entry()) {
        Accepts::OneOf { values, case_free } => (values, case_free),
        Accepts::Duration { unit } => {
            return duration(file, kf, &display_path(&kf.segs), Some(unit));
        }
        Accepts::AnyDuration => return duration(file, kf, &display_path(&kf.segs), None),
        Accepts::Boolean => return wrong_type(file, kf, value, Ty::Boolean),
        Accepts::Integer => return wrong_type(file, kf, value, Ty::Integer),
        Accepts::Number => return wrong_type(file, kf, value, Ty::Number),
        // `server_role` is invalid-server-role's business
        Accepts::ServerRole | Accepts::Anything => return None,
    };
    let shown = display_path(&kf.segs);
    let Scalar::Str(s) = &value.value else {
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                span,
                format!(
                    "`{shown}` must be a string, not {}",
                    value.value.type_name()
                ),
            )
            .help(format!("use one of {}", code_list(allowed)))
            .key(kf.path(), None),
        );
    };
    if allowed.contains(&s.as_str()) {
        return None;
    }
    let cased = allowed.iter().find(|a| a.eq_ignore_ascii_case(s)).copied();
    if case_free && cased.is_some() {
        return None;
    }
    let is_db_type = kf.segs.first().is_some_and(|f| f == "database");
    let alias = DB_ALIASES
        .iter()
        .find(|(a, _)| is_db_type && a.eq_ignore_ascii_case(s))
        .map(|(_, to)| *to);
    let suggestion = alias
        .or(cased)
        .or_else(|| did_you_mean(s, allowed.iter().copied(), 2));
    let consequence = if is_db_type {
        ": WSO2 infers no driver or URL for it"
    } else if kf.segs.last().is_some_and(|l| l == "type") && shown.contains("url_group") {
        ": WSO2 treats any value but `loadbalance` as `failover`"
    } else {
        ""
    };
    let mut d = Diagnostic::new(
        &RULE,
        file,
        span,
        format!("`{shown} = \"{s}\"` is not a value WSO2 knows{consequence}"),
    )
    .key(kf.path(), Some(s));
    d = match suggestion {
        Some(to) => {
            let sure = alias.is_some() || cased.is_some();
            let d = d.help(format!("did you mean `{to}`?"));
            match fix(file, kf, to, sure) {
                Some(f) => d.fix(f),
                None => d,
            }
        }
        None => d.help(format!("use one of {}", code_list(allowed))),
    };
    Some(d)
}

/// A boolean or numeric key holding a value of another type.
fn wrong_type(file: FileId, kf: &KeyFact, value: &Sp<Scalar>, ty: Ty) -> Option<Diagnostic> {
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
    if ok {
        return None;
    }
    let want = match ty {
        Ty::Boolean => "a boolean (`true` or `false`)",
        Ty::Integer => "an integer",
        _ => "a number",
    };
    let written = match &value.value {
        Scalar::Str(s) => format!("`\"{s}\"`"),
        other => other.type_name().to_owned(),
    };
    Some(
        Diagnostic::new(
            &RULE,
            file,
            value.span.clone(),
            format!("`{}` must be {want}, not {written}", display_path(&kf.segs)),
        )
        .help("WSO2 renders the value into its XML as written; a wrong type breaks the generated configuration or is silently read as the default")
        .key(kf.path(), None),
    )
}

/// A duration key: a number, or a string `<number><d|h|m|s|ms>`; a non-zero
/// value that converts to 0 in the key's unit is an error: WSO2 refuses it at
/// startup. `target` is `None` where the catalog does not know the key's unit
/// (a key added after the 4.0 pack its unit data comes from): any number with
/// a unit is accepted.
fn duration(file: FileId, kf: &KeyFact, shown: &str, target: Option<&str>) -> Option<Diagnostic> {
    let value = kf.value.as_ref()?;
    let target = match target {
        Some(t) => Some((t, unit_ms(t)?)),
        None => None,
    };
    let how = match target {
        Some((t, _)) => format!(
            "write a number of {} or a number with a unit: `d`, `h`, `m`, `s` or `ms` (`\"30{t}\"`)",
            unit_name(t)
        ),
        None => "write a number or a number with a unit: `d`, `h`, `m`, `s` or `ms` (`\"30s\"`)"
            .to_owned(),
    };
    let s = match &value.value {
        Scalar::Int(_) => return None,
        Scalar::Str(s) => s.trim(),
        other => {
            return Some(
                Diagnostic::new(
                    &RULE,
                    file,
                    value.span.clone(),
                    format!("`{shown}` must be a duration, not {}", other.type_name()),
                )
                .help(how)
                .key(kf.path(), None),
            );
        }
    };
    if s.parse::<u64>().is_ok() {
        return None;
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let (num, suffix) = s.split_at(digits);
    let parsed = num.parse::<u64>().ok().zip(unit_ms(suffix.trim()));
    let Some((n, ms)) = parsed else {
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                value.span.clone(),
                format!("`{shown} = \"{s}\"` is not a duration WSO2 can read"),
            )
            .help(how)
            .key(kf.path(), Some(s)),
        );
    };
    let (target, target_ms) = target?;
    let total = n.saturating_mul(ms);
    if total > 0 && total / target_ms == 0 {
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                value.span.clone(),
                format!(
                    "`{shown} = \"{s}\"` is less than one {}: WSO2 refuses a value that converts to 0",
                    unit_name(target).trim_end_matches('s')
                ),
            )
            .help(format!("the key is read in {}; use at least `\"1{target}\"`", unit_name(target)))
            .key(kf.path(), Some(s)),
        );
    }
    None
}
