//! The single-node rules on small in-memory files: each mistake is found on
//! the node that carries it, at the right place, and the correct form is quiet.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use apimlint_core::{Applicability, Config, Deployment, Diagnostic, Severity, SourceFile};

/// One deployment of `(node id, text)` files.
fn analyse(nodes: &[(&str, &str)]) -> (Deployment, Vec<Diagnostic>) {
    let root = Path::new("/deployment");
    let files = nodes
        .iter()
        .map(|(id, text)| SourceFile {
            path: PathBuf::from(format!("/deployment/{id}/repository/conf/deployment.toml")),
            text: Ok((*text).to_owned()),
            origin: None,
            home: None,
        })
        .collect();
    let dep = Deployment::build(root, Config::default(), files);
    let diags = apimlint_core::check(&dep);
    (dep, diags)
}

/// The findings of one rule: (node, text at the range, severity).
fn of(dep: &Deployment, diags: &[Diagnostic], rule: &str) -> Vec<(String, String, Severity)> {
    diags
        .iter()
        .filter(|d| d.rule == rule)
        .map(|d| {
            let n = dep.node_of(d.file).unwrap();
            (n.id.clone(), n.text[d.range.clone()].to_owned(), d.severity)
        })
        .collect()
}

fn one(text: &str, rule: &str) -> Vec<(String, String, Severity)> {
    let (dep, diags) = analyse(&[("r1/n1", text)]);
    of(&dep, &diags, rule)
}

#[test]
fn unknown_keys_suggest_case_snake_and_renames_and_fix_only_sure_ones() {
    let text = "[server]\nhostName = \"a\"\n\n[apim.key_manager]\nserver_url = \"https://cp:9443/services/\"\n\n[apim.distributed_throttling.keyvalue_store]\nmaxIdle = 5\n\n[apim.cors]\nallow_orgins = [\"*\"]\n";
    let (dep, diags) = analyse(&[("r1/n1", text)]);
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.rule == "unknown-key").collect();
    let at = |s: &str| {
        found
            .iter()
            .find(|d| &dep.nodes()[0].text[d.range.clone()] == s)
            .unwrap_or_else(|| panic!("no finding at {s}: {found:?}"))
    };
    for (key, to, safe) in [
        ("hostName", "hostname", true),
        ("server_url", "service_url", true),
        ("maxIdle", "max_idle", true),
        ("allow_orgins", "allow_origins", false),
    ] {
        let d = at(key);
        assert_eq!(d.severity, Severity::Warning, "{key}");
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].new_text, to);
        let want = if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        assert_eq!(fix.applicability, want, "{key}");
    }
}

#[test]
fn unknown_keys_without_a_suggestion_are_infos_and_reported_once_per_table() {
    let text = "[acme.tuning]\nthreads = 4\nqueue = 10\n\n[acme.other]\nx = 1\n";
    let f = one(text, "unknown-key");
    assert_eq!(f, vec![("r1/n1".into(), "acme".into(), Severity::Info)]);
}

#[test]
fn user_named_segments_and_maps_are_known() {
    let text = "[database.reporting_db]\ntype = \"mysql\"\nurl = \"jdbc:mysql://db:3306/rep\"\n\n[system.parameter]\n'org.wso2.CipherTransformation' = \"RSA/ECB/OAEPwithSHA1andMGF1Padding\"\n\n[[event_listener]]\nid = \"token_revocation\"\n\n[event_listener.properties]\nnotification_endpoint = \"https://cp:9443/internal/data/v1/notify\"\n'header.X-WSO2-KEY-MANAGER' = \"default\"\n\n[transport.http]\nproperties.port = 9763\n\n[secrets]\nmy_alias = \"abc\"\n";
    assert_eq!(one(text, "unknown-key"), vec![]);
}

#[test]
fn a_near_miss_database_name_and_array_table_mixups_are_warnings() {
    let text = "[database.shared_bd]\ntype = \"mysql\"\nurl = \"jdbc:mysql://db:3306/shared\"\n\n[apim.gateway.environment]\nname = \"Default\"\n\n[[apim.key_manager]]\ntype = \"default\"\n";
    let f = one(text, "unknown-key");
    let spans: Vec<&str> = f.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(
        spans,
        vec!["shared_bd", "environment", "key_manager"],
        "{f:?}"
    );
    assert!(f.iter().all(|(_, _, s)| *s == Severity::Warning));
}

#[test]
fn identity_server_nodes_get_only_sure_suggestions() {
    let is = "[server]\nhostname = \"km.example.com\"\n\n[database.identity_db]\ntype = \"mysql\"\nurl = \"jdbc:mysql://db:3306/is\"\n\n[authentication.custom_is_feature]\nenable = true\n\n[[event_listener]]\nid = \"token_revocation\"\n\n[event_listener.propertie]\nnotification_endpoint = \"https://cp:9443/internal/data/v1/notify\"\n";
    let f = one(is, "unknown-key");
    assert_eq!(
        f,
        vec![("r1/n1".into(), "propertie".into(), Severity::Warning)]
    );
}

#[test]
fn toml_1_1_syntax_is_a_toml_syntax_error_and_1_0_is_not() {
    let bad = "[server]\nhostname = \"a\"\n\n[database.apim_db]\npool_options = { maxActive = 100,\n  maxWait = 60000 }\n";
    let f = one(bad, "toml-syntax");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, "\n");
    let good = "[server]\nhostname = \"a\"\n\n[database.apim_db]\npool_options = { maxActive = 100, maxWait = 60000 }\n";
    assert_eq!(one(good, "toml-syntax"), vec![]);
}

#[test]
fn values_enumerations_types_and_durations() {
    let text = "[database.apim_db]\ntype = \"postgresql\"\nurl = \"jdbc:postgresql://db:5432/am\"\n\n[keystore.tls]\ntype = \"pkcs12\"\n\n[[apim.throttling.url_group]]\ntype = \"load-balance\"\ntraffic_manager_urls = [\"tcp://tm:9611\"]\n\n[apim.cache.resource]\nexpiry_time = \"15m\"\n\n[apim.cache.tags]\nexpiry_time = \"2 weeks\"\n\n[apim.devportal]\nenable_ratings = \"maybe\"\n";
    let f = one(text, "invalid-value");
    let spans: Vec<&str> = f.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(
        spans,
        vec![
            "\"postgresql\"",
            "\"load-balance\"",
            "\"2 weeks\"",
            "\"maybe\""
        ],
        "{f:?}"
    );
}

#[test]
fn references_resolve_through_the_file_and_the_defaults() {
    let good = "[keystore.primary]\nfile_name = \"a.jks\"\n\n[keystore.tls]\nfile_name = \"$ref{keystore.primary.file_name}\"\nalias = \"$ref{keystore.primary.alias}\"\n";
    assert_eq!(one(good, "unresolved-reference"), vec![]);
    let bad = "[apim.key_manager]\nusername = \"$ref{super_admin}\"\n\n[super_admin]\nusername = \"$ref{super_admin.username}\"\n";
    let f = one(bad, "unresolved-reference");
    let spans: Vec<&str> = f.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(
        spans,
        vec!["$ref{super_admin}", "$ref{super_admin.username}"],
        "{f:?}"
    );
}

#[test]
fn secrets_must_be_defined_encrypted_and_last() {
    let text = "[super_admin]\npassword = \"$secret{admin}\"\n\n[[apim.gateway.environment]]\nname = \"x\"\npassword = \"$secret{env_pw}\"\n\n[secrets]\nadmin = \"[changeme]\"\n\n[apim.cors]\nenable = true\n";
    assert_eq!(
        one(text, "undefined-secret"),
        vec![("r1/n1".into(), "env_pw".into(), Severity::Error)]
    );
    assert_eq!(
        one(text, "unencrypted-secret"),
        vec![("r1/n1".into(), "\"[changeme]\"".into(), Severity::Warning)]
    );
    assert_eq!(
        one(text, "secrets-not-last"),
        vec![("r1/n1".into(), "[secrets]".into(), Severity::Warning)]
    );
    let runtime =
        "[super_admin]\npassword = \"$secret{admin}\"\n\n[runtime_secrets]\nenable = true\n";
    assert_eq!(one(runtime, "undefined-secret"), vec![]);
}

#[test]
fn key_passwords_compare_through_references_and_never_print_the_value() {
    let same = "[keystore.tls]\npassword = \"$secret{ks}\"\nkey_password = \"$ref{keystore.tls.password}\"\n\n[secrets]\nks = \"abc\"\n";
    assert_eq!(one(same, "keystore-password-mismatch"), vec![]);
    let differ =
        "[keystore.primary]\npassword = \"Store-Pass-1\"\nkey_password = \"Key-Pass-22\"\n";
    let (dep, diags) = analyse(&[("r1/n1", differ)]);
    let f = of(&dep, &diags, "keystore-password-mismatch");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].2, Severity::Error);
    for d in &diags {
        let all = format!("{} {:?} {:?}", d.message, d.help, d.fix);
        assert!(
            !all.contains("Store-Pass-1") && !all.contains("Key-Pass-22"),
            "{all}"
        );
    }
    let fix = diags
        .iter()
        .find(|d| d.rule == "keystore-password-mismatch")
        .and_then(|d| d.fix.as_ref())
        .unwrap();
    assert_eq!(fix.edits[0].new_text, "\"$ref{keystore.primary.password}\"");
}

/// Two different references (WSO2's charts' `jksExistingSecret`: one
/// `$env{}` for the store, one for the key), or a reference beside a
/// literal, cannot be compared: no finding, not even a warning.
#[test]
fn key_passwords_from_different_references_are_at_most_an_info() {
    // two different references may hold one value: the rule cannot be
    // sure, so it says so as an info (never a warning or an error: WSO2's
    // charts' `jksExistingSecret` writes two `$env{}` names on every node)
    for (pw, kp) in [
        (
            "$env{WSO2_TLS_KEYSTORE_PASSWORD}",
            "$env{WSO2_TLS_KEYSTORE_KEY_PASSWORD}",
        ),
        ("$secret{store}", "$secret{key}"),
    ] {
        let text = format!("[keystore.tls]\npassword = \"{pw}\"\nkey_password = \"{kp}\"\n");
        let found = one(&text, "keystore-password-mismatch");
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        assert_eq!(found[0].2, Severity::Info, "{text}");
    }
    // a literal and a reference, or one reference twice: nothing to say
    for (pw, kp) in [
        ("Store-Pass-1", "$env{KEY_PASSWORD}"),
        ("$sys{ks.pw}", "Key-Pass-22"),
        ("$secret{store}", "$secret{store}"),
    ] {
        let text = format!("[keystore.tls]\npassword = \"{pw}\"\nkey_password = \"{kp}\"\n");
        assert_eq!(one(&text, "keystore-password-mismatch"), vec![], "{text}");
    }
}

/// An all-in-one HA pair (WSO2's all-in-one chart) duplicates throttle
/// events to its peer in `[apim.throttling] event_duplicate_url`: a URL on
/// the broker port without the peer's offset is reported; the pair setting
/// none is not judged.
#[test]
fn all_in_one_pairs_duplicate_to_each_other_on_the_peers_port() {
    let aio = |me: &str, peer: &str, offset: u8| {
        format!(
            "[server]\nhostname = \"{me}\"\nserver_role = \"default\"\noffset = {offset}\n\n[apim.throttling]\nevent_duplicate_url = [\"tcp://{peer}:5672\"]\n"
        )
    };
    let (dep, diags) = analyse(&[
        ("r1/aio-1", &aio("aio-1", "aio-2", 0)),
        ("r1/aio-2", &aio("aio-2", "aio-1", 1)),
    ]);
    let f = of(&dep, &diags, "event-duplicate-asymmetric");
    assert_eq!(
        f,
        vec![("r1/aio-1".into(), "5672".into(), Severity::Error)],
        "{diags:#?}"
    );
    let none = "[server]\nserver_role = \"default\"\n";
    let (dep, diags) = analyse(&[("r1/aio-1", none), ("r1/aio-2", none)]);
    assert_eq!(of(&dep, &diags, "event-duplicate-asymmetric"), vec![]);
}

#[test]
fn hardening_findings_never_quote_the_secret() {
    let text = "[super_admin]\nusername = \"admin\"\npassword = \"admin\"\n\n[keystore.primary]\nfile_name = \"wso2carbon.jks\"\npassword = \"wso2carbon\"\n\n[database.apim_db]\npassword = \"Very-Secret-9\"\n\n[apim.oauth_config]\nset_jwt_as_opaque_token = \"true\"\n\n[[apim.gateway.environment]]\nname = \"x\"\npassword = \"${admin.password}\"\n";
    let (dep, diags) = analyse(&[("r1/n1", text)]);
    assert_eq!(of(&dep, &diags, "default-credentials").len(), 3);
    let plain = of(&dep, &diags, "plaintext-password");
    assert_eq!(plain.len(), 3, "{plain:?}");
    for d in &diags {
        assert!(!d.message.contains("Very-Secret-9"));
        assert!(!d.message.contains("\"admin\""), "{}", d.message);
    }
}

#[test]
fn role_sections_follow_the_role() {
    let gw = "[server]\nserver_role = \"gateway-worker\"\n\n[[apim.gateway.environment]]\nname = \"Default\"\n";
    let cp = "[server]\nserver_role = \"control-plane\"\n\n[database.apim_db]\ntype = \"mysql\"\nurl = \"jdbc:mysql://db:3306/am\"\n";
    let (dep, diags) = analyse(&[("r1/gw", gw), ("r1/cp", cp)]);
    let f = of(&dep, &diags, "role-section-mismatch");
    assert_eq!(
        f.iter().filter(|(n, _, _)| n == "r1/gw").count(),
        4,
        "{f:?}"
    );
    assert!(f.iter().all(|(n, _, _)| n == "r1/gw"), "{f:?}");
}

#[test]
fn urls_no_wiring_rule_owns() {
    let text = "[apim.devportal]\nurl = \"devportal.example.com\"\ndisplay_url = true\n\n[database.apim_db]\ntype = \"mysql\"\nurl = \"mysql://db:3306/am\"\n\n[apim.analytics]\nconfig_endpoint = \"https://analytics.example.com:9443/auth\"\n\n[authentication.endpoints]\nlogin_url = \"/authenticationendpoint/login.do\"\n";
    let f = one(text, "invalid-url");
    let spans: Vec<&str> = f.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(
        spans,
        vec!["\"devportal.example.com\"", "\"mysql://db:3306/am\""],
        "{f:?}"
    );
}
