//! `apimlint schema`: a JSON Schema (draft-07) of `deployment.toml`,
//! generated from the key catalog (`apimlint_core::catalog`) and from what
//! `invalid-value` accepts (`apimlint_core::schema::accepts`), for editors
//! without apimlint's extension (taplo, Even Better TOML, tombi).
//!
//! Every known key is described; nothing unknown is forbidden
//! (`additionalProperties` stays open: unknown keys are `unknown-key`'s
//! business, with did-you-mean). A value is rejected only where
//! `invalid-value` rejects it, so the schema never refuses what the linter
//! accepts; tables are objects, arrays of tables arrays of objects.

use std::io::{self, Write};

use apimlint_core::catalog::versions::{self, ApimVersion};
use apimlint_core::catalog::{self, Entry, Ty};
use apimlint_core::redact::is_secret_key;
use apimlint_core::schema::{Accepts, accepts, unit_name};
use apimlint_core::{DEPRECATED_SERVER_ROLES, SERVER_ROLES};
use serde_json::{Map, Value, json};

/// Every JSON type a TOML value can have: the `type` of a key apimlint does
/// not check (no `type` at all would make editors offer `{ }` for it).
const ANY_TYPE: [&str; 5] = ["string", "number", "boolean", "array", "object"];

thread_local! {
    /// `--apim-version`: the one version whose keys the schema lists.
    static VERSION: std::cell::Cell<Option<ApimVersion>> = const { std::cell::Cell::new(None) };
}

/// Whether the chosen version (if any) reads the path at `segs`.
fn in_version(segs: &[String]) -> bool {
    let Some(v) = VERSION.with(std::cell::Cell::get) else {
        return true;
    };
    catalog::find(segs).is_none_or(|e| versions::reads(e.path, v))
}

/// "Since 4.5.0." / "Up to 4.3.0." for a key not every version reads.
fn since(e: &Entry) -> String {
    match versions::span(e.path) {
        None => String::new(),
        Some((a, b)) => {
            let last = ApimVersion::all().last();
            match (a == ApimVersion::all().next().unwrap_or(a), Some(b) == last) {
                (true, true) => String::new(),
                (false, true) => format!(" Since API-M {a}."),
                (true, false) => format!(" Up to API-M {b}."),
                (false, false) => format!(" API-M {a} to {b}."),
            }
        }
    }
}

/// The schema document (of one API-M version's keys, or of every version's).
pub fn schema(version: Option<ApimVersion>) -> Value {
    VERSION.with(|c| c.set(version));
    let mut root = table(&[]);
    root.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    root.insert(
        "$id".into(),
        json!(format!(
            "urn:apimlint:deployment-toml:{}",
            env!("CARGO_PKG_VERSION")
        )),
    );
    let title = version.map_or_else(
        || "WSO2 API Manager deployment.toml".to_owned(),
        |v| format!("WSO2 API Manager {v} deployment.toml"),
    );
    root.insert("title".into(), json!(title));
    root.insert(
        "description".into(),
        json!(
            "The keys WSO2 API-M 4.x reads, from apimlint's key catalog (`apimlint schema`). \
             Keys not listed are allowed: `apimlint` reports them (`unknown-key`, with did-you-mean). \
             A value holding a placeholder (`$ref{…}`, `$env{…}`, `$sys{…}`, `$secret{…}`) is always accepted."
        ),
    );
    Value::Object(root)
}

/// Print the schema: pretty, keys sorted, one final newline.
pub fn write(out: &mut dyn Write, version: Option<ApimVersion>) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&schema(version)).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

/// `segs` plus one more segment.
fn with(segs: &[String], seg: &str) -> Vec<String> {
    let mut v = segs.to_vec();
    v.push(seg.to_owned());
    v
}

/// A TOML key as the catalog writes it (`'org.wso2.X'`) as a JSON property.
fn unquote(seg: &str) -> &str {
    seg.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(seg)
}

/// A path as users write it: `database.<name>.type`, `apim.gateway.environment.name`.
fn shown(segs: &[String]) -> String {
    let plain: Vec<&str> = segs
        .iter()
        .map(|s| match s.trim_end_matches("[]") {
            "*" => "<name>",
            s => s,
        })
        .collect();
    catalog::join(&plain)
}

/// The object schema of the table at `segs` (the root when empty; an array
/// member when the last segment ends in `[]`).
fn table(segs: &[String]) -> Map<String, Value> {
    let kids = catalog::children(segs);
    let mut props = Map::new();
    for kid in &kids {
        if kid.ends_with("[]") || *kid == "*" || !in_version(&with(segs, kid)) {
            continue;
        }
        props.insert(unquote(kid).to_owned(), node(&with(segs, kid)));
    }
    let mut obj = Map::new();
    obj.insert("type".into(), json!("object"));
    if !props.is_empty() {
        obj.insert("properties".into(), Value::Object(props));
    }
    // `*`: any user-named key (a database name, a map key)
    if kids.contains(&"*") {
        obj.insert("additionalProperties".into(), node(&with(segs, "*")));
    }
    if !segs.is_empty() {
        let open = catalog::find(segs).is_some_and(|e| e.open);
        let shown = shown(segs);
        let text = match segs.last() {
            Some(l) if l.ends_with("[]") => format!("One `[[{shown}]]` entry."),
            _ => format!("The table `[{shown}]`."),
        };
        let text = if open {
            format!("{text} A free-form map: WSO2 reads every key in it.")
        } else {
            text
        };
        obj.insert("description".into(), json!(text));
    }
    obj
}

/// The schema of the key, table or array of tables at `segs`.
fn node(segs: &[String]) -> Value {
    let entry = catalog::find(segs);
    let Some(last) = segs.last() else {
        return Value::Object(table(segs));
    };
    let member = with(
        segs.get(..segs.len() - 1).unwrap_or(&[]),
        &format!("{last}[]"),
    );
    let plain = !catalog::children(segs).is_empty();
    let aot = entry.is_some_and(|e| e.aot) || !catalog::children(&member).is_empty();
    if !aot {
        return match entry {
            Some(e) if e.key && !plain => Value::Object(value(segs, e)),
            _ => Value::Object(table(segs)),
        };
    }
    let items = Value::Object(table(&member));
    let shown = shown(segs);
    let mut obj = Map::new();
    if plain {
        // WSO2 reads both `[x]` and `[[x]]` here (the templates differ)
        let mut t = table(segs);
        t.insert("type".into(), json!(["array", "object"]));
        t.insert(
            "description".into(),
            json!(format!(
                "The table `[{shown}]`, or an array of tables `[[{shown}]]`."
            )),
        );
        obj = t;
    } else {
        obj.insert("type".into(), json!("array"));
        obj.insert(
            "description".into(),
            json!(format!(
                "An array of tables: write each entry as `[[{shown}]]`."
            )),
        );
    }
    obj.insert("items".into(), items);
    Value::Object(obj)
}

fn ty_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Any => "any value",
        Ty::String => "a string",
        Ty::Boolean => "a boolean",
        Ty::Integer => "an integer",
        Ty::Number => "a number",
        Ty::Array => "an array",
    }
}

fn code_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The schema of a value.
fn value(segs: &[String], e: &'static Entry) -> Map<String, Value> {
    let leaf = segs.last().map_or("", String::as_str);
    let mut acc = accepts(segs, Some(e));
    // a user-named key may name a secret, which `invalid-value` never checks
    if leaf == "*" {
        acc = Accepts::Anything;
    }
    let mut obj = Map::new();
    let pattern = acc.string_pattern().map(Value::String);
    let text = accepted(&mut obj, acc, e, pattern.as_ref());
    if !matches!(acc, Accepts::OneOf { .. } | Accepts::ServerRole)
        && let Some(p) = pattern
    {
        obj.insert("pattern".into(), p);
    }
    let text = with_examples_and_default(&mut obj, e, acc, leaf, text);
    if !text.is_empty() {
        obj.insert("description".into(), json!(text));
    }
    obj
}

/// The `type` (and `anyOf`, for a list of values) of what `acc` accepts,
/// into `obj`; returns the sentence that says it.
fn accepted(
    obj: &mut Map<String, Value>,
    acc: Accepts,
    e: &Entry,
    pattern: Option<&Value>,
) -> String {
    match acc {
        Accepts::Anything => anything(obj, e),
        Accepts::Boolean => {
            obj.insert("type".into(), json!(["boolean", "string"]));
            "`true` or `false` (the strings `\"true\"` and `\"false\"` are accepted too)."
                .to_owned()
        }
        Accepts::Integer => {
            obj.insert("type".into(), json!(["integer", "string"]));
            "An integer (a string holding one is accepted too).".to_owned()
        }
        Accepts::Number => {
            obj.insert("type".into(), json!(["number", "string"]));
            "A number (a string holding one is accepted too).".to_owned()
        }
        Accepts::Duration { unit } => {
            obj.insert("type".into(), json!(["integer", "string"]));
            format!(
                "A duration in {}: a number, or a string of a number and a unit `d`, `h`, `m`, `s` or `ms` (`\"30{unit}\"`).",
                unit_name(unit)
            )
        }
        Accepts::AnyDuration => {
            obj.insert("type".into(), json!(["integer", "string"]));
            "A duration: a number, or a string of a number and a unit `d`, `h`, `m`, `s` or `ms` (`\"30s\"`).".to_owned()
        }
        Accepts::OneOf { values, case_free } => {
            obj.insert("type".into(), json!("string"));
            obj.insert(
                "anyOf".into(),
                json!([{ "enum": values }, { "type": "string", "pattern": pattern }]),
            );
            format!(
                "One of {}{}.",
                code_list(values),
                if case_free { " (in any case)" } else { "" }
            )
        }
        Accepts::ServerRole => server_role(obj, pattern),
    }
}

/// A value apimlint does not check: every JSON type, the catalog's first
/// (editors offer it first); the sentence says the catalog's type, if any.
fn anything(obj: &mut Map<String, Value>, e: &Entry) -> String {
    // what the catalog says first: editors offer it first
    let first = match e.ty {
        Ty::String => "string",
        Ty::Array => "array",
        Ty::Boolean => "boolean",
        Ty::Integer => "integer",
        Ty::Number | Ty::Any => "number",
    };
    let types: Vec<&str> = if e.ty == Ty::Any {
        ANY_TYPE.to_vec()
    } else {
        std::iter::once(first)
            .chain(ANY_TYPE.iter().copied().filter(|t| *t != first))
            .collect()
    };
    obj.insert("type".into(), json!(types));
    if e.heuristic {
        format!("Probably {} (guessed from the key's name).", ty_name(e.ty))
    } else if e.ty == Ty::Any {
        String::new()
    } else {
        format!("{}.", capitalized(ty_name(e.ty)))
    }
}

/// `server.server_role`: the roles (the deprecated ones documented as such)
/// or any string matching `pattern`.
fn server_role(obj: &mut Map<String, Value>, pattern: Option<&Value>) -> String {
    let roles: Vec<&str> = SERVER_ROLES
        .iter()
        .chain(DEPRECATED_SERVER_ROLES.iter())
        .copied()
        .collect();
    let docs: Vec<Option<&str>> = roles
        .iter()
        .map(|r| {
            DEPRECATED_SERVER_ROLES
                .contains(r)
                .then_some("A deprecated 4.0 role: 4.x runs the publisher and developer portal in `control-plane`.")
        })
        .collect();
    obj.insert("type".into(), json!("string"));
    obj.insert(
        "anyOf".into(),
        json!([
            { "enum": roles, "x-taplo": { "docs": { "enumValues": docs } } },
            { "type": "string", "pattern": pattern },
        ]),
    );
    format!(
        "The node's profile: one of {} (deprecated: {}). Any other value runs the node as an all-in-one.",
        code_list(&SERVER_ROLES),
        code_list(&DEPRECATED_SERVER_ROLES)
    )
}

/// `text` followed by the catalog's example values (for a value apimlint
/// does not check), WSO2's default (of the chosen version; none for a
/// secret) and the versions reading the key; the examples and the default
/// go into `obj` too.
fn with_examples_and_default(
    obj: &mut Map<String, Value>,
    e: &Entry,
    acc: Accepts,
    leaf: &str,
    mut text: String,
) -> String {
    // values the catalog lists without claiming they are all
    if !e.values.is_empty() && matches!(acc, Accepts::Anything) && e.ty != Ty::Boolean {
        obj.insert("examples".into(), json!(e.values));
        text = join(&text, &format!("For example {}.", code_list(e.values)));
    }
    // the chosen version's default, where versions differ
    let versioned = VERSION
        .with(std::cell::Cell::get)
        .and_then(|v| versions::default_in(e.path, v));
    if let Some(d) = versioned.or(e.default).filter(|_| !is_secret_key(leaf)) {
        obj.insert("default".into(), default(d, e.ty));
        text = join(&text, &format!("WSO2's default: `{d}`."));
    }
    let since = since(e);
    if !since.is_empty() {
        text = join(&text, since.trim());
    }
    text
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a} {b}")
    }
}

/// A catalog default (text, JSON for non-strings) as a JSON value.
fn default(text: &str, ty: Ty) -> Value {
    if ty != Ty::String
        && let Ok(v) = serde_json::from_str::<Value>(text)
        && !v.is_string()
        && !v.is_null()
    {
        return v;
    }
    json!(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_keys_tables_arrays_and_wildcards() {
        let s = schema(None);
        let role = &s["properties"]["server"]["properties"]["server_role"];
        assert_eq!(role["anyOf"][0]["enum"][1], "control-plane");
        let offset = &s["properties"]["server"]["properties"]["offset"];
        assert_eq!(offset["type"], json!(["integer", "string"]));
        let env = &s["properties"]["apim"]["properties"]["gateway"]["properties"]["environment"];
        assert_eq!(env["type"], "array");
        assert_eq!(env["items"]["properties"]["type"]["type"], "string");
        let db = &s["properties"]["database"]["additionalProperties"];
        assert_eq!(
            db["properties"]["port"]["type"],
            json!(["integer", "string"])
        );
        let apim_db = &s["properties"]["database"]["properties"]["apim_db"];
        assert!(apim_db["properties"]["type"]["anyOf"].is_array());
        let quoted = &s["properties"]["system"]["properties"]["parameter"]["properties"];
        assert!(quoted.get("org.wso2.CipherTransformation").is_some());
        assert_eq!(s["additionalProperties"], Value::Null);
    }

    #[test]
    fn defaults_keep_their_type() {
        assert_eq!(default("true", Ty::Boolean), json!(true));
        assert_eq!(default("9443", Ty::Integer), json!(9443));
        assert_eq!(default("9443", Ty::String), json!("9443"));
        assert_eq!(default("$ref{a.b}", Ty::Integer), json!("$ref{a.b}"));
    }
}
