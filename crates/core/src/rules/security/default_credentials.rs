//! `default-credentials`: no default super admin, keystore password or shipped keystore.

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyKind, display_path};

declare_rule! {
    id: "default-credentials",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
}

const SHIPPED_KEYSTORES: [&str; 2] = ["wso2carbon.jks", "wso2carbon.p12"];

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(keys) = node.facts.keys.as_deref() else {
        return;
    };
    let value = |path: &[&str]| {
        keys.iter()
            .find(|k| k.kind == KeyKind::Value && k.segs == path)
    };
    let user = value(&["super_admin", "username"]);
    let pass = value(&["super_admin", "password"]);
    if let (Some(u), Some(p)) = (user, pass)
        && u.str_value() == Some("admin")
        && p.str_value() == Some("admin")
        && let Some(span) = p.value_span()
    {
        acc.push(
            Diagnostic::new(&RULE, i, span, "`[super_admin]` keeps WSO2's default credentials")
                .related(i, u.value_span().unwrap_or(0..0), "the default user name")
                .help("change the admin password (and ideally the user name) on every node, and keep it in `[secrets]` as `password = \"$secret{admin_password}\"`")
                .key("super_admin.password", None),
        );
    }
    for kf in keys
        .iter()
        .filter(|k| k.kind == KeyKind::Value && !k.in_aot)
    {
        let Some((_, table)) = kf.segs.split_last() else {
            continue;
        };
        let store = matches!(
            table.first().map(crate::model::Seg::as_str),
            Some("keystore" | "truststore" | "custom_keystore")
        );
        if !store {
            continue;
        }
        let shown = display_path(table);
        let Some(span) = kf.value_span() else {
            continue;
        };
        match (kf.name.as_str(), kf.str_value()) {
            ("password" | "key_password", Some("wso2carbon")) => acc.push(
                Diagnostic::new(&RULE, i, span, format!("`{}` of `[{shown}]` is WSO2's shipped default", kf.name))
                    .help("use your own keystore with its own password, kept in `[secrets]` (`$secret{keystore_password}`)")
                    .key(kf.path(), None),
            ),
            ("file_name", Some(f)) if SHIPPED_KEYSTORES.contains(&f) => acc.push(
                Diagnostic::new(&RULE, i, span, format!("`[{shown}]` uses the shipped `{f}`, whose private key every WSO2 download contains"))
                    .help("create your own keystore (2048-bit keys or more, SHA-256 certificates) and name it in `file_name`")
                    .key(kf.path(), Some(f)),
            ),
            _ => {}
        }
    }
}
