//! The language server in process, through the tower service: each handler,
//! on a copy of the clean sample deployment.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_is_published_on_initialize() {
    let root = sample();
    let mut c = Client::start(&root).await;
    for id in ["region-1/gw-1", "region-1/cp-2", "region-2/tm-1"] {
        let d = c.until(&uri(&node_file(&root, id)), |_| true).await;
        assert!(empty(&d), "{id}: {d}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_typo_is_reported_fixed_hovered_and_resolved() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    let typo = text.replace("[\"Default\", \"Internal\"]", "[\"Default\", \"Intrenal\"]");
    c.change(&gw, 2, &typo).await;
    let d = c.until(&uri(&gw), has("gateway-label-unmatched")).await;
    let d0 = &d[0];
    assert_eq!(d0["range"]["start"], pos(&typo, "\"Intrenal\"", 0));
    assert_eq!(d0["severity"], 1);
    assert!(
        d0["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/gateway-label-unmatched.md")
    );
    assert!(
        d0["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `Internal`?")
    );
    let related = d0["relatedInformation"].as_array().unwrap();
    assert!(related.iter().any(|r| {
        r["location"]["uri"]
            .as_str()
            .unwrap()
            .contains("region-1/cp-1")
    }));
    assert_eq!(
        c.diags[&uri(&gw)].1,
        2,
        "published with the document version"
    );

    // the quick fix offers the nearest environment name
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&gw)}, "range": d0["range"], "context": {"diagnostics": [d0]}}),
        )
        .await
        .unwrap();
    let a = &actions[0];
    assert_eq!(a["title"], "Replace with `Internal`");
    assert_eq!(a["kind"], "quickfix");
    let edits = &a["edit"]["changes"][uri(&gw)];
    assert_eq!(edits[0]["newText"], "\"Internal\"");
    assert_eq!(edits[0]["range"], d0["range"]);

    // hover: the rule's summary and a link to its page (not the whole page:
    // the editor shows the message itself), and what the label names
    let md = c.hover(&uri(&gw), pos(&typo, "Intrenal", 2)).await;
    assert!(md.contains("**gateway-label-unmatched** (error): Every `gateway_labels` entry of a gateway names a gateway environment"), "{md}");
    assert!(
        md.contains(
            "(https://github.com/apimlint/apimlint/blob/main/rules/gateway-label-unmatched.md)"
        ),
        "{md}"
    );
    assert!(!md.contains("Why it matters"), "{md}");
    let md = c.hover(&uri(&gw), pos(&typo, "Default\"", 1)).await;
    assert!(
        md.contains("defined on `region-1/cp-1`, `region-1/cp-2`"),
        "{md}"
    );

    // definition of a label: the environment on each control plane
    let defs = c
        .at(
            "textDocument/definition",
            &uri(&gw),
            pos(&typo, "Default\"", 1),
        )
        .await;
    let defs = defs.as_array().unwrap();
    assert_eq!(defs.len(), 2);
    let cp1 = std::fs::read_to_string(node_file(&root, "region-1/cp-1")).unwrap();
    let first = defs
        .iter()
        .find(|l| l["uri"].as_str().unwrap().contains("region-1/cp-1"))
        .unwrap();
    assert_eq!(first["range"]["start"], pos(&cp1, "\"Default\"", 0));

    // fixing the typo clears it
    c.change(&gw, 3, &text).await;
    c.until(&uri(&gw), empty).await;
    assert_eq!(c.diags[&uri(&gw)].1, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traffic_manager_offset_republishes_the_open_gateway() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let tm = node_file(&root, "region-1/tm-1");
    let mut c = Client::start(&root).await;
    c.open(&gw).await;
    c.until(&uri(&gw), empty).await;
    let text = c.open(&tm).await;
    let moved = text.replace(
        "server_role = \"traffic-manager\"\n",
        "server_role = \"traffic-manager\"\noffset = 1\n",
    );
    c.change(&tm, 2, &moved).await;
    let d = c.until(&uri(&gw), has("throttle-url-unreachable")).await;
    let msgs = strings(&d, "message");
    assert!(msgs.iter().any(|m| m.contains("9612")), "{msgs:?}");
    // the gateway did not change: it is published without a new version
    c.change(&tm, 3, &text).await;
    c.until(&uri(&gw), |d| !has("throttle-url-unreachable")(d))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_toml_is_reported_and_the_server_stays_up() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let cp = node_file(&root, "region-1/cp-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    c.until(&uri(&cp), empty).await;
    let broken = text.replace("[apim.key_manager]", "[apim.key_manager");
    c.change(&gw, 2, &broken).await;
    let d = c.until(&uri(&gw), has("toml-syntax")).await;
    assert_eq!(
        rules(&d),
        ["toml-syntax"],
        "only the syntax error on the broken file"
    );
    // the last good parse keeps the control plane's environments served
    let md = c.hover(&uri(&gw), d[0]["range"]["start"].clone()).await;
    assert!(md.contains("toml-syntax"));
    assert!(empty(&c.diags[&uri(&cp)].0));
    // an unknown request gets an error response, and the server still answers
    let err = c
        .request("apimlint/noSuchMethod", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.0, -32601);
    c.change(&gw, 3, &text).await;
    c.until(&uri(&gw), empty).await;
    // a change not newer than the document is ignored
    c.change(&gw, 3, &broken).await;
    c.change(&gw, 2, &broken).await;
    let syms = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri(&gw)}}),
        )
        .await
        .unwrap();
    assert!(
        syms.as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "apim.key_manager")
    );
    assert!(c.request("shutdown", Value::Null).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_definition_references_and_completion() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let cp = node_file(&root, "region-1/cp-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    c.until(&uri(&gw), empty).await;
    let doc = uri(&gw);

    // a URL: the node it resolves to, with role, region and effective port
    let md = c
        .hover(&doc, pos(&text, "tcp://tm-1.r1.example.com:9611", 8))
        .await;
    assert!(
        md.contains("`region-1/tm-1`: traffic-manager, region `region-1`, port 9611"),
        "{md}"
    );
    definitions(&mut c, &doc, &text).await;
    let cp_text = c.open(&cp).await;
    references(&mut c, &cp, &cp_text).await;
    value_completions(&mut c, &gw, &text).await;
    keys(&mut c, &gw, &text).await;

    // document symbols: the tables and their keys
    let syms = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri(&cp)}}),
        )
        .await
        .unwrap();
    let names = strings(&syms, "name");
    assert!(
        names.contains(&"server") && names.contains(&"apim.gateway.environment[]"),
        "{names:?}"
    );
}

/// Definitions in the gateway's TOML (`doc`, `text`): a URL's host goes to
/// the target's `[server]` table, `$secret{x}` to the alias, `$ref{a.b}` to
/// the key.
async fn definitions(c: &mut Client, doc: &str, text: &str) {
    // URL host → the target's [server] table
    let d = c
        .at(
            "textDocument/definition",
            doc,
            pos(text, "tcp://tm-1.r1.example.com:9611", 8),
        )
        .await;
    assert!(d[0]["uri"].as_str().unwrap().contains("region-1/tm-1"));
    assert_eq!(d[0]["range"]["start"], json!({"line": 3, "character": 0}));

    // $secret{x} → the alias; $ref{a.b} → the key
    let d = c
        .at(
            "textDocument/definition",
            doc,
            pos(text, "$secret{admin_password}", 10),
        )
        .await;
    assert_eq!(d[0]["range"]["start"], pos(text, "admin_password = ", 0));
    let d = c
        .at(
            "textDocument/definition",
            doc,
            pos(text, "$ref{super_admin.password}", 8),
        )
        .await;
    assert_eq!(
        d[0]["range"]["start"],
        pos(text, "password = \"$secret{admin_password}", 0)
    );
}

/// References from an environment of the control plane (`cp`, open with
/// `cp_text`) to the gateways that serve it.
async fn references(c: &mut Client, cp: &std::path::Path, cp_text: &str) {
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri(cp)}, "position": pos(cp_text, "\"Internal\"", 2), "context": {"includeDeclaration": false}}),
        )
        .await
        .unwrap();
    let mut files = strings(&refs, "uri");
    files.sort();
    assert_eq!(files.len(), 2, "{refs}");
    assert!(files[0].contains("region-1/gw-1") && files[1].contains("region-1/gw-2"));
}

/// Completion of values while typing in the gateway's TOML (`gw`, at
/// versions 2 to 4 of `text`): environment names, `server_role` values,
/// node hosts.
async fn value_completions(c: &mut Client, gw: &std::path::Path, text: &str) {
    let doc = uri(gw);
    let typing = text.replace("[\"Default\", \"Internal\"]", "[\"Default\", \"");
    c.change(gw, 2, &typing).await;
    let items = c
        .at(
            "textDocument/completion",
            &doc,
            pos(&typing, "[\"Default\", \"", 13),
        )
        .await;
    let labels = strings(&items, "label");
    assert!(
        labels.contains(&"Internal") && labels.contains(&"Default"),
        "{labels:?}"
    );
    let typing = text.replace("server_role = \"gateway-worker\"", "server_role = \"");
    c.change(gw, 3, &typing).await;
    let items = c
        .at(
            "textDocument/completion",
            &doc,
            pos(&typing, "server_role = \"", 15),
        )
        .await;
    let labels = strings(&items, "label");
    assert!(labels.contains(&"traffic-manager"), "{labels:?}");
    let typing = text.replace("\"tcp://tm-1.r1.example.com:9611\"", "\"tcp://t");
    c.change(gw, 4, &typing).await;
    let items = c
        .at(
            "textDocument/completion",
            &doc,
            pos(&typing, "\"tcp://t", 8),
        )
        .await;
    let labels = strings(&items, "label");
    assert!(labels.contains(&"tm-1.r1.example.com"), "{labels:?}");
}

/// Keys in the gateway's TOML (`gw`, back to `text` at version 5): a key's
/// hover is its catalog entry; completion offers the keys of the current
/// table (version 6).
async fn keys(c: &mut Client, gw: &std::path::Path, text: &str) {
    let doc = uri(gw);
    c.change(gw, 5, text).await;
    c.until_version(&doc, 5).await;
    let md = c.hover(&doc, pos(text, "\nnode_ip", 3)).await;
    assert!(
        md.starts_with("`server.node_ip`: read by WSO2 API-M"),
        "{md}"
    );
    let typing = text.replace(
        "node_ip = \"10.10.2.21\"\n",
        "node_ip = \"10.10.2.21\"\nof\n",
    );
    c.change(gw, 6, &typing).await;
    let items = c
        .at("textDocument/completion", &doc, pos(&typing, "\nof\n", 3))
        .await;
    let labels = strings(&items, "label");
    assert!(
        labels.contains(&"offset") && labels.contains(&"hostname"),
        "{labels:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_created_and_deleted_on_disk() {
    let root = sample();
    let mut c = Client::start(&root).await;
    let gw1 = node_file(&root, "region-1/gw-1");
    c.until(&uri(&gw1), empty).await;
    // a third gateway whose label names nothing
    let gw3 = node_file(&root, "region-1/gw-3");
    std::fs::create_dir_all(gw3.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(&gw1)
        .unwrap()
        .replace("gw.r1.example.com", "gw3.r1.example.com")
        .replace("[\"Default\", \"Internal\"]", "[\"Partner\"]");
    std::fs::write(&gw3, text).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gw3), "type": 1}]}),
    )
    .await;
    c.until(&uri(&gw3), has("gateway-label-unmatched")).await;
    std::fs::remove_file(&gw3).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gw3), "type": 3}]}),
    )
    .await;
    c.until(&uri(&gw3), empty).await;

    // a change of apimlint.toml on disk re-analyses the deployment
    let cfg = root.join("apimlint.toml");
    let mut t = std::fs::read_to_string(&cfg).unwrap();
    t.push_str("\n[rules]\ngateway-label-unmatched = \"off\"\n[environments]\n\"region-1\" = [\"Partner\"]\n");
    std::fs::write(&cfg, &t).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&cfg), "type": 2}]}),
    )
    .await;
    // a broken project file is reported on itself
    std::fs::write(&cfg, "[deployment]\nversoin = \"4.5.0\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&cfg), "type": 2}]}),
    )
    .await;
    let d = c.until(&uri(&cfg), |d| !empty(d)).await;
    assert!(d[0]["message"].as_str().unwrap().contains("versoin"), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_a_hover() {
    let root = sample();
    let gw = node_file(&root, "region-1/gw-1");
    let mut c = Client::start(&root).await;
    let text = c.open(&gw).await;
    let with_creds = text.replace(
        "service_url = \"https://api.r1.example.com/services/\"\nusername",
        "service_url = \"https://apim-admin:hunter22@api.r1.example.com/services/\"\nusername",
    );
    assert_ne!(with_creds, text);
    c.change(&gw, 2, &with_creds).await;
    c.until_version(&uri(&gw), 2).await;
    let md = c
        .hover(&uri(&gw), pos(&with_creds, "apim-admin:hunter22", 12))
        .await;
    assert!(
        md.contains("api.r1.example.com") && !md.contains("hunter22"),
        "{md}"
    );
    for d in c.diags.values() {
        assert!(!d.0.to_string().contains("hunter22"));
    }
}

/// A manifest stream in the workspace: its nodes' findings are published on
/// the manifest, at the characters inside the YAML; an edit of the manifest
/// is analysed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_is_analysed_and_published_on_itself() {
    let root = sample();
    let manifest = root.join("region-3.yaml");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gw-conf\ndata:\n  deployment.toml: |\n    [server]\n    hostname = \"gw.r3.example.com\"\n    server_role = \"gateway-worker\"\n\n    [apim.sync_runtime_artifacts.gateway]\n    gateway_labels = [\"Defualt\"]\n";
    std::fs::write(&manifest, text).unwrap();
    let mut c = Client::start(&root).await;
    let d = c
        .until(&uri(&manifest), |d| d.to_string().contains("Defualt"))
        .await;
    let found = d
        .as_array()
        .unwrap()
        .iter()
        .find(|x| {
            x["code"] == "gateway-label-unmatched"
                && x["message"].as_str().unwrap().contains("Defualt")
        })
        .unwrap();
    assert_eq!(found["range"]["start"], pos(text, "\"Defualt\"", 0));
    // the label fixed in the editor's buffer: the finding goes
    c.open(&manifest).await;
    c.change(&manifest, 2, &text.replace("Defualt", "Default"))
        .await;
    let d = c
        .until(&uri(&manifest), |d| !d.to_string().contains("Defualt"))
        .await;
    assert!(
        rules(&d).contains(&"gateway-label-unmatched".to_owned()),
        "{d}"
    );
}

/// A quick fix of a node read from a manifest's literal block is an edit of
/// the manifest, at the finding's characters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_fix_in_a_manifest_edits_the_manifest() {
    let root = sample();
    let manifest = root.join("region-1").join("extra-gw.yaml");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gw-conf\ndata:\n  deployment.toml: |\n    [server]\n    hostname = \"gw-9.r1.example.com\"\n    server_role = \"gateway-worker\"\n\n    [apim.sync_runtime_artifacts.gateway]\n    gateway_labels = [\"Default\", \"Intrenal\"]\n";
    std::fs::write(&manifest, text).unwrap();
    let mut c = Client::start(&root).await;
    let d = c
        .until(&uri(&manifest), |d| d.to_string().contains("Intrenal"))
        .await;
    let found = d
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "gateway-label-unmatched")
        .unwrap()
        .clone();
    assert_eq!(found["range"]["start"], pos(text, "\"Intrenal\"", 0));
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&manifest)}, "range": found["range"], "context": {"diagnostics": [found]}}),
        )
        .await
        .unwrap();
    let a = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Replace with `Internal`")
        .unwrap_or_else(|| panic!("{actions}"));
    let edits = a["edit"]["changes"][uri(&manifest)].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{a}");
    // only the characters that change, inside the label on line 12
    let e = &edits[0];
    assert_eq!(e["range"]["start"]["line"], 11);
    assert_eq!(e["range"]["end"]["line"], 11);
    let line = text.lines().nth(11).unwrap();
    let (s, t) = (
        e["range"]["start"]["character"].as_u64().unwrap() as usize,
        e["range"]["end"]["character"].as_u64().unwrap() as usize,
    );
    let fixed = format!(
        "{}{}{}",
        &line[..s],
        e["newText"].as_str().unwrap(),
        &line[t..]
    );
    assert_eq!(fixed, "    gateway_labels = [\"Default\", \"Internal\"]");

    // hover and go to definition inside the manifest, as in a node's file
    let md = c.hover(&uri(&manifest), pos(text, "Intrenal", 2)).await;
    assert!(md.contains("**gateway-label-unmatched**"), "{md}");
    let defs = c
        .at(
            "textDocument/definition",
            &uri(&manifest),
            pos(text, "Default\"", 1),
        )
        .await;
    let defs = defs.as_array().unwrap();
    assert_eq!(defs.len(), 2, "{defs:?}");
    assert!(
        defs.iter()
            .all(|l| l["uri"].as_str().unwrap().contains("region-1/cp-")),
        "{defs:?}"
    );
}

/// One ConfigMap mounted by two workloads with different port offsets: two
/// nodes read the same characters, and the quick fixes of both are offered
/// there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fixes_of_every_workload_mounting_one_configmap() {
    let root = sample();
    let manifest = root.join("shared.yaml");
    let text = include_str!("shared-configmap.yaml");
    std::fs::write(&manifest, text).unwrap();
    let mut c = Client::start(&root).await;
    let d = c
        .until(&uri(&manifest), |d| {
            d.as_array().is_some_and(|a| {
                a.iter()
                    .filter(|x| x["code"] == "key-manager-unreachable")
                    .count()
                    == 2
            })
        })
        .await;
    let found: Vec<Value> = d
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["code"] == "key-manager-unreachable")
        .cloned()
        .collect();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(&manifest)}, "range": found[0]["range"], "context": {"diagnostics": found}}),
        )
        .await
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Use port 10443"), "{titles:?}");
    assert!(titles.contains(&"Use port 9543"), "{titles:?}");
}

/// The discovery `apimlint check` uses: a project file at the folder's root
/// over a deployment under `envs/prod` (regions inferred below the shared
/// directories), a nested deployment with its own project file, an editor's
/// `.history` copy that is no node, an entry of `apimlint.toml` that names
/// no node (published on the project file).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_is_discovered_as_check_discovers_it() {
    let sample = sample();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let root = std::env::temp_dir().join(format!("apimlint-lsp-disc-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for r in ["region-1", "region-2"] {
        copy_dir(&sample.join(r), &root.join("envs/prod").join(r));
    }
    copy_dir(
        &sample.join("region-1/gw-2"),
        &root.join(".history/envs/prod/region-1/gw-2"),
    );
    let broken = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/deployments/pattern-1-broken");
    copy_dir(&broken, &root.join("other"));
    let cfg = root.join("apimlint.toml");
    let text = std::fs::read_to_string(sample.join("apimlint.toml")).unwrap()
        + "\n[nodes.\"region-1/gw-9\"]\nrole = \"gateway-worker\"\n";
    std::fs::write(&cfg, &text).unwrap();
    let mut c = Client::start(&root).await;
    // the clean sample, read as `check` reads it: no finding on its nodes
    for id in ["region-1/gw-1", "region-1/gw-2", "region-2/tm-1"] {
        let d = c
            .until(&uri(&node_file(&root.join("envs/prod"), id)), |_| true)
            .await;
        assert!(empty(&d), "{id}: {d}");
    }
    // the entry that names no node, on the project file
    let d = c.until(&uri(&cfg), has("project-entry-unmatched")).await;
    let line = text.lines().position(|l| l.contains("gw-9")).unwrap();
    assert_eq!(d[0]["range"]["start"]["line"], line, "{d}");
    assert!(
        d[0]["message"].as_str().unwrap().contains("region-1/gw-9"),
        "{d}"
    );
    // the nested deployment is one of its own
    let gw2 = node_file(&root.join("other"), "region-1/gw-2");
    c.until(&uri(&gw2), has("gateway-label-unmatched")).await;
    // the backup copy is not published
    let backup = node_file(&root.join(".history/envs/prod"), "region-1/gw-2");
    assert!(!c.diags.contains_key(&uri(&backup)));
    let _ = std::fs::remove_dir_all(&root);
}
