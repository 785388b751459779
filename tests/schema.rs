//! `apimlint schema`: a JSON Schema of deployment.toml (a real validator runs
//! it over the samples and the corpus in `.ci/schema.sh`).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use common::{run, stderr, stdout};
use serde_json::{Value, json};

fn schema() -> (String, Value) {
    let o = run(&["schema"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let text = stdout(&o);
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    (text, v)
}

#[test]
fn schema_is_deterministic_pretty_json_with_a_final_newline() {
    let (text, v) = schema();
    assert_eq!(text, schema().0, "two runs differ");
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    assert_eq!(
        text,
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap()),
        "not serde_json's pretty form"
    );
    // keys sorted
    let root: Vec<&String> = v.as_object().unwrap().keys().collect();
    let mut sorted = root.clone();
    sorted.sort();
    assert_eq!(root, sorted);
    assert!(text.find("\"$id\"") < text.find("\"properties\""));
}

#[test]
fn schema_has_the_expected_shape() {
    let (_, v) = schema();
    assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(v["$id"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(
        v["title"]
            .as_str()
            .is_some_and(|s| s.contains("deployment.toml"))
    );
    assert_eq!(v["type"], "object");
    // unknown keys stay allowed: `unknown-key` reports them
    assert!(v.get("additionalProperties").is_none());

    let server = &v["properties"]["server"];
    assert_eq!(server["type"], "object");
    let role = &server["properties"]["server_role"];
    assert_eq!(role["type"], "string");
    let roles = role["anyOf"][0]["enum"].as_array().unwrap();
    for r in [
        "default",
        "control-plane",
        "gateway-worker",
        "traffic-manager",
        "api-key-manager-deprecated",
        "api-publisher-deprecated",
        "api-devportal-deprecated",
    ] {
        assert!(roles.contains(&json!(r)), "{r} missing from {roles:?}");
    }
    assert!(role["description"].as_str().is_some());

    // an integer, or a string holding one or a placeholder
    let offset = &server["properties"]["offset"];
    assert_eq!(offset["type"], json!(["integer", "string"]));
    let pattern = offset["pattern"].as_str().unwrap();
    assert!(
        pattern.contains(r"\$(?:ref|secret|env|sys)?\{"),
        "{pattern}"
    );

    // an array of tables, its members objects
    let env = &v["properties"]["apim"]["properties"]["gateway"]["properties"]["environment"];
    assert_eq!(env["type"], "array");
    assert_eq!(env["items"]["type"], "object");
    let env_type = &env["items"]["properties"]["type"]["anyOf"][0]["enum"];
    assert_eq!(*env_type, json!(["hybrid", "production", "sandbox"]));

    // `[database.<name>]`: a wildcard segment, and the known names
    let db = &v["properties"]["database"];
    assert_eq!(db["additionalProperties"]["type"], "object");
    assert!(db["additionalProperties"]["properties"]["type"]["anyOf"].is_array());
    assert!(db["properties"]["apim_db"]["properties"]["port"].is_object());

    // a free-form map, a segment holding dots
    let params = &v["properties"]["system"]["properties"]["parameter"];
    assert!(params["additionalProperties"].is_object());
    assert!(params["properties"]["org.wso2.CipherTransformation"].is_object());

    // a duration accepts "2m"-style strings; WSO2's default as a typed value
    let jwt = &v["properties"]["apim"]["properties"]["cache"]["properties"]["jwt_claim"];
    assert!(
        jwt["properties"]["expiry_time"]["pattern"]
            .as_str()
            .unwrap()
            .contains("(?:d|h|m|s|ms)")
    );
}

#[test]
fn schema_is_a_subcommand_not_a_path() {
    let o = run(&["--help"]);
    assert!(stdout(&o).contains("schema"), "{}", stdout(&o));
    let o = run(&["schema", "extra"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}
