//! What value a key accepts, as apimlint checks it: the one model behind
//! `invalid-value` (which reports a value outside it) and `apimlint schema`
//! (which describes it as a JSON Schema for editors). Keeping both on this
//! function means the schema never rejects a value the linter accepts.
//!
//! A value holding a placeholder (`$ref{}`, `$env{}`, `$sys{}`, `$secret{}`,
//! `${}`) is accepted whatever the key ([`crate::model::holds_placeholder`]).

use crate::catalog::{Entry, Ty};
use crate::redact::is_secret_key;

/// Keystore and truststore types WSO2 accepts, in any case.
pub(crate) const KEYSTORE_TYPES: [&str; 2] = ["JKS", "PKCS12"];
/// Gateway environment types, case-sensitive.
pub(crate) const ENVIRONMENT_TYPES: [&str; 3] = ["hybrid", "production", "sandbox"];

/// What a key's value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    /// Any value: apimlint does not check it. The catalog calls it a
    /// string, an array or `any`, or only guessed its type from its name;
    /// or the key names a secret; or WSO2 does not read it.
    Anything,
    /// `true`/`false`, or the string `"true"`/`"false"` in any case.
    Boolean,
    /// An integer, or a string holding one (`" 42 "`).
    Integer,
    /// An integer or a float, or a string holding one.
    Number,
    /// A string among `values` (in any ASCII case when `case_free`).
    OneOf {
        values: &'static [&'static str],
        case_free: bool,
    },
    /// `server.server_role`: `invalid-server-role` checks it
    /// ([`crate::model::SERVER_ROLES`], [`crate::model::DEPRECATED_SERVER_ROLES`]).
    ServerRole,
    /// A duration read in `unit` (`d`, `h`, `m`, `s` or `ms`): an integer,
    /// a string holding a non-negative integer, or a string of one and a
    /// unit (`"30s"`, `"5 m"`).
    Duration { unit: &'static str },
    /// A duration whose unit the catalog does not know (`"unit": "time"`:
    /// keys added after the 4.0 pack the catalog's unit data comes from,
    /// which WSO2's own Helm charts write with units, `"2s"`): an integer,
    /// a string holding one, or a string of one and a unit. Nothing converts
    /// to 0 that the catalog could tell.
    AnyDuration,
}

/// The name of a duration unit of the catalog, in plural (`m` → `minutes`).
pub fn unit_name(unit: &str) -> &'static str {
    match unit {
        "d" => "days",
        "h" => "hours",
        "m" => "minutes",
        "s" => "seconds",
        _ => "milliseconds",
    }
}

/// Milliseconds in one unit of WSO2's UnitResolver suffixes.
pub(crate) fn unit_ms(unit: &str) -> Option<u64> {
    match unit {
        "d" => Some(86_400_000),
        "h" => Some(3_600_000),
        "m" => Some(60_000),
        "s" => Some(1000),
        "ms" => Some(1),
        _ => None,
    }
}

/// What the key at these catalog segments (`["apim", "gateway",
/// "environment[]", "type"]`) accepts; `entry` is its catalog entry
/// (`catalog::find`). Segments may be `*` (any user-named key).
pub fn accepts<S: AsRef<str>>(segs: &[S], entry: Option<&'static Entry>) -> Accepts {
    let seg = |n: usize| segs.get(n).map(AsRef::as_ref);
    if segs.last().is_some_and(|l| is_secret_key(l.as_ref())) {
        return Accepts::Anything;
    }
    match (segs.len(), seg(0), seg(1), seg(2), seg(3)) {
        (2, Some("server"), Some("server_role"), ..) => return Accepts::ServerRole,
        (3, Some("keystore" | "custom_keystore"), _, Some("type"), _)
        | (2, Some("truststore"), Some("type"), ..) => {
            return Accepts::OneOf {
                values: &KEYSTORE_TYPES,
                case_free: true,
            };
        }
        (4, Some("apim"), Some("gateway"), Some("environment[]"), Some("type")) => {
            return Accepts::OneOf {
                values: &ENVIRONMENT_TYPES,
                case_free: false,
            };
        }
        _ => {}
    }
    let Some(e) = entry else {
        return Accepts::Anything;
    };
    if e.closed && !e.values.is_empty() {
        return Accepts::OneOf {
            values: e.values,
            case_free: false,
        };
    }
    if e.unit == Some("time") {
        return Accepts::AnyDuration;
    }
    if let Some(unit) = e.unit {
        return unit
            .strip_prefix("time:")
            .filter(|u| unit_ms(u).is_some())
            .map_or(Accepts::Anything, |unit| Accepts::Duration { unit });
    }
    if e.heuristic {
        return Accepts::Anything;
    }
    match e.ty {
        Ty::Boolean => Accepts::Boolean,
        Ty::Integer => Accepts::Integer,
        Ty::Number => Accepts::Number,
        Ty::Any | Ty::String | Ty::Array => Accepts::Anything,
    }
}

/// An ECMA-262 regular expression (the dialect of JSON Schema's `pattern`)
/// matching a string holding a placeholder, as `holds_placeholder` finds one.
pub(crate) const PLACEHOLDER_PATTERN: &str = r"\$(?:ref|secret|env|sys)?\{";

/// `s` matched in any ASCII case, for a regex without flags (JSON Schema's
/// dialect has none): `JKS` → `[Jj][Kk][Ss]`; other characters escaped.
fn any_case(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            out.push('[');
            out.push(c.to_ascii_uppercase());
            out.push(c.to_ascii_lowercase());
            out.push(']');
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

impl Accepts {
    /// An ECMA-262 regular expression matching exactly the strings this
    /// accepts, placeholders included; `None` when it accepts every string.
    /// The linter parses with Rust (`str::trim`, `parse::<i64>()`, …); the
    /// expressions transcribe that and may accept a little more (an integer
    /// out of `i64`'s range, Unicode spaces Rust does not trim), never less.
    pub fn string_pattern(&self) -> Option<String> {
        let own = match self {
            Accepts::Anything => return None,
            Accepts::Boolean => format!("^(?:{}|{})$", any_case("true"), any_case("false")),
            Accepts::Integer => r"^\s*[+-]?[0-9]+\s*$".to_owned(),
            Accepts::Number => format!(
                r"^\s*[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|{}|{})\s*$",
                any_case("inf") + "(?:" + &any_case("inity") + ")?",
                any_case("nan")
            ),
            Accepts::OneOf { values, case_free } => {
                let alts: Vec<String> = values
                    .iter()
                    .map(|v| if *case_free { any_case(v) } else { escape(v) })
                    .collect();
                format!("^(?:{})$", alts.join("|"))
            }
            Accepts::ServerRole => {
                let alts: Vec<String> = crate::model::SERVER_ROLES
                    .iter()
                    .chain(crate::model::DEPRECATED_SERVER_ROLES.iter())
                    .map(|v| escape(v))
                    .collect();
                format!("^(?:{})$", alts.join("|"))
            }
            Accepts::Duration { .. } | Accepts::AnyDuration => {
                r"^\s*\+?[0-9]+\s*$|^\s*[0-9]+\s*(?:d|h|m|s|ms)\s*$".to_owned()
            }
        };
        Some(format!("{own}|{PLACEHOLDER_PATTERN}"))
    }
}

/// `s` as a regex matching itself.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ' ') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn of(path: &str) -> Accepts {
        let segs = catalog::split(path);
        accepts(&segs, catalog::find(&segs))
    }

    #[test]
    fn keys_accept_what_invalid_value_checks() {
        assert_eq!(of("server.server_role"), Accepts::ServerRole);
        assert_eq!(of("server.offset"), Accepts::Integer);
        assert_eq!(of("apim.event_hub.enable"), Accepts::Boolean);
        assert_eq!(
            of("truststore.type"),
            Accepts::OneOf {
                values: &KEYSTORE_TYPES,
                case_free: true
            }
        );
        assert_eq!(
            of("apim.gateway.environment[].type"),
            Accepts::OneOf {
                values: &ENVIRONMENT_TYPES,
                case_free: false
            }
        );
        assert!(matches!(
            of("database.*.type"),
            Accepts::OneOf { values, case_free: false } if values.contains(&"postgre")
        ));
        assert_eq!(
            of("apim.cache.jwt_claim.expiry_time"),
            Accepts::Duration { unit: "s" }
        );
        // added after the 4.0 pack: a duration of a unit the catalog cannot know
        assert_eq!(
            of("apim.gateway_notification.deployment_ack.batch_interval"),
            Accepts::AnyDuration
        );
        assert_eq!(
            of("transport.receiver.session_timeout"),
            Accepts::Duration { unit: "m" }
        );
        // strings, secrets and keys WSO2 does not read are not checked
        assert_eq!(of("server.hostname"), Accepts::Anything);
        assert_eq!(of("super_admin.password"), Accepts::Anything);
        assert_eq!(of("encryption.key"), Accepts::Anything);
        // a boolean about tokens is no secret: it is checked
        assert_eq!(
            of("apim.oauth_config.enable_token_hashing"),
            Accepts::Boolean
        );
        assert_eq!(of("no.such.key"), Accepts::Anything);
    }

    #[test]
    fn patterns_accept_placeholders_and_escape_values() {
        let p = Accepts::Integer.string_pattern().unwrap_or_default();
        assert!(p.ends_with(PLACEHOLDER_PATTERN), "{p}");
        assert_eq!(Accepts::Anything.string_pattern(), None);
        assert_eq!(any_case("PKCS12"), "[Pp][Kk][Cc][Ss]12");
        assert_eq!(escape("mb.store_db"), r"mb\.store_db");
        let roles = Accepts::ServerRole.string_pattern().unwrap_or_default();
        assert!(roles.contains("api-publisher-deprecated"), "{roles}");
    }
}
