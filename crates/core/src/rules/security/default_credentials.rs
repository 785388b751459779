//! `default-credentials`: no default super admin, keystore password or shipped keystore.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::model::{KeyFact, KeyKind, Seg, display_path};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "default-credentials",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(DefaultCredentials),
}

const SHIPPED_KEYSTORES: [&str; 2] = ["wso2carbon.jks", "wso2carbon.p12"];

pub(crate) struct DefaultCredentials;

/// A default credential, and where its value is.
pub(crate) enum State<'a> {
    /// `[super_admin]` is `admin`/`admin`: the user name's key.
    SuperAdmin {
        user: &'a KeyFact,
        span: Range<usize>,
    },
    /// A (key) password of store `table` is `wso2carbon`.
    StorePassword {
        kf: &'a KeyFact,
        table: &'a [Seg],
        span: Range<usize>,
    },
    /// A bridge's JNDI file connects to the broker as `admin`/`admin`: the
    /// user info's range in that file.
    BrokerDefault {
        file: crate::base::files::FileId,
        path: &'a str,
        span: Range<usize>,
    },
    /// Store `table` uses the shipped keystore `file`.
    ShippedKeystore {
        kf: &'a KeyFact,
        table: &'a [Seg],
        file: &'a str,
        span: Range<usize>,
    },
}

impl NodeRule for DefaultCredentials {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let mut out = broker_defaults(cx);
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return out;
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
            out.push(State::SuperAdmin { user: u, span });
        }
        for kf in keys
            .iter()
            .filter(|k| k.kind == KeyKind::Value && !k.in_aot)
        {
            let Some((_, table)) = kf.segs.split_last() else {
                continue;
            };
            let store = matches!(
                table.first().map(Seg::as_str),
                Some("keystore" | "truststore" | "custom_keystore")
            );
            if !store {
                continue;
            }
            let Some(span) = kf.value_span() else {
                continue;
            };
            match (kf.name.as_str(), kf.str_value()) {
                ("password" | "key_password", Some("wso2carbon")) => {
                    out.push(State::StorePassword { kf, table, span });
                }
                ("file_name", Some(f)) if SHIPPED_KEYSTORES.contains(&f) => {
                    out.push(State::ShippedKeystore {
                        kf,
                        table,
                        file: f,
                        span,
                    });
                }
                _ => {}
            }
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let i = cx.file;
        match s {
            State::SuperAdmin { user, span } => {
                Diagnostic::new(&RULE, i, span.clone(), "`[super_admin]` keeps WSO2's default credentials")
                    .related(i, user.value_span().unwrap_or(0..0), "the default user name")
                    .help("change the admin password (and ideally the user name) on every node, and keep it in `[secrets]` as `password = \"$secret{admin_password}\"`")
                    .key("super_admin.password", None)
            }
            State::StorePassword { kf, table, span } => {
                let shown = display_path(table);
                Diagnostic::new(&RULE, i, span.clone(), format!("`{}` of `[{shown}]` is WSO2's shipped default", kf.name))
                    .help("use your own keystore with its own password, kept in `[secrets]` (`$secret{keystore_password}`)")
                    .key(kf.path(), None)
            }
            State::BrokerDefault { file, path, span } => Diagnostic::new(
                &RULE,
                *file,
                span.clone(),
                format!("the connection URL of `{path}` keeps the broker's default credentials"),
            )
            .help("the other region's broker accepts WSO2's default user: change the super admin credentials there and use them (or a dedicated user) in the bridge's `amqp://` URL")
            .key(format!("{path}:connectionfactory"), None),
            State::ShippedKeystore {
                kf,
                table,
                file: f,
                span,
            } => {
                let shown = display_path(table);
                Diagnostic::new(&RULE, i, span.clone(), format!("`[{shown}]` uses the shipped `{f}`, whose private key every WSO2 download contains"))
                    .help("create your own keystore (2048-bit keys or more, SHA-256 certificates) and name it in `file_name`")
                    .key(kf.path(), Some(f))
            }
        }
    }
}

/// `admin:admin` in the connection URLs of the node's bridge JNDI files
/// (WSO2's own local `jndi.properties` and its HA peers' are not reported).
fn broker_defaults<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
    let mut out = Vec::new();
    for (f, j) in cx.node.home().jndi_files() {
        let jf = crate::model::bridge::JndiFile {
            file: f.file,
            path: &f.rel,
            text: &f.text,
            props: &j.properties,
        };
        for span in crate::model::bridge::default_broker_credentials(&jf) {
            out.push(State::BrokerDefault {
                file: f.file,
                path: &f.rel,
                span,
            });
        }
    }
    out
}
