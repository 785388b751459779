//! `apimlint.toml`, the optional project file: `[deployment]`, `[hosts]`,
//! `[regions]`, `[environments]`, `[nodes."id"]` and `[rules]`. Unknown keys
//! and wrong types are errors with a line and a did-you-mean: the run exits 2.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml_edit::{Document, Item, Value};

use crate::base::diagnostic::Severity;
use crate::base::text::{LineIndex, did_you_mean};
use crate::model::Role;

pub(crate) mod version;
pub use version::VersionSource;

use crate::catalog::versions::ApimVersion;

/// A load-balancer or DNS name that no node carries itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostAlias {
    pub nodes: Vec<String>,
    pub remaps_ports: bool,
}

/// Facts about one node that its file cannot tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeConfig {
    pub role: Option<Role>,
    pub port_offset: Option<i64>,
    pub machine: Option<String>,
}

/// A per-rule level in `[rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    Is(Severity),
}

/// The parsed project file; `Config::default()` when there is none.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub version: Option<String>,
    /// The API-M version the rules read (`--apim-version`, `[deployment]
    /// version`, the manifests' image tags), and where it was read; `None`:
    /// every version's keys are accepted.
    pub apim: Option<(ApimVersion, VersionSource)>,
    /// `[deployment] distribution` (4.5.0+: `all-in-one` or `components`):
    /// with `components`, a node whose image does not tell its distribution
    /// is taken to run the component distribution of its role.
    pub distribution: Option<String>,
    /// Lower-cased host name → alias.
    pub hosts: BTreeMap<String, HostAlias>,
    /// Region name → node-id globs, in file order.
    pub regions: Vec<(String, Vec<String>)>,
    /// Region name (or `*`) → environment names.
    pub environments: Vec<(String, Vec<String>)>,
    pub nodes: BTreeMap<String, NodeConfig>,
    pub rules: BTreeMap<String, Level>,
    /// Rules left out of this run by the command line (`--select`,
    /// `--ignore`): off whatever `[rules]` says, and a suppression comment
    /// naming one is not judged (the rule did not run).
    pub deselected: BTreeSet<String>,
    /// `exclude`: globs of paths discovery skips, replacing the defaults
    /// ([`crate::vfs::DEFAULT_EXCLUDE`]); `None`: the defaults.
    pub exclude: Option<Vec<String>>,
    /// `extend-exclude`: globs skipped in addition to `exclude`.
    pub extend_exclude: Vec<String>,
    /// Every entry naming nodes (`[hosts]` node ids, `[regions]` globs,
    /// `[nodes."id"]` keys), where it is written: each must match a node.
    pub entries: Vec<Entry>,
    /// The file this was read from (its path and text), when read from one.
    pub source: Option<Source>,
    /// The leading directories every node of the deployment shares, left
    /// out of node ids (`envs/prod` of `envs/prod/region-1/gw-1`); set when
    /// the deployment is built.
    pub(crate) id_prefix: String,
    /// `[certificates] expiry_warning_days`: how far ahead
    /// `certificate-expiring` looks (default 30).
    pub expiry_warning_days: Option<u32>,
    /// The day certificate expiry is judged against, as seconds since the
    /// Unix epoch at 00:00 UTC (`--now`, `APIMLINT_NOW`); `None`: today.
    pub now: Option<i64>,
}

/// `certificate-expiring`'s default horizon.
pub(crate) const EXPIRY_WARNING_DAYS: u32 = 30;

impl Config {
    /// The horizon of `certificate-expiring`, in days.
    pub fn expiry_warning_days(&self) -> u32 {
        self.expiry_warning_days.unwrap_or(EXPIRY_WARNING_DAYS)
    }

    /// The instant expiry is judged against: `now`, else the clock.
    pub(crate) fn now_seconds(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
    }
}

/// `YYYY-MM-DD` as seconds since the Unix epoch at 00:00 UTC; `None` when it
/// is no date of the proleptic Gregorian calendar.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > days_in {
        return None;
    }
    // Howard Hinnant's days_from_civil
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// The project file's path and text (what findings located in it show).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: std::path::PathBuf,
    pub text: std::sync::Arc<str>,
}

/// What an entry of the project file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A node id of `[hosts]."name"`.
    Host(String),
    /// A glob of `[regions]."name"`.
    Region(String),
    /// The id of a `[nodes."id"]` table.
    Node,
}

/// An entry of the project file that names nodes, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub pattern: String,
    pub span: Range<usize>,
}

/// A bad project file: exit 2 with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}{}", help.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

const TOP: [&str; 9] = [
    "exclude",
    "extend-exclude",
    "deployment",
    "hosts",
    "regions",
    "environments",
    "nodes",
    "rules",
    "certificates",
];

impl Config {
    /// Parse `text` (named `path` in errors). `rule_ids` are the known rules.
    pub fn parse(path: &str, text: &str, rule_ids: &[&str]) -> Result<Config, ConfigError> {
        let idx = LineIndex::new(text);
        let err = |span: Option<Range<usize>>, message: String, help: Option<String>| {
            let lc = idx.line_col(text, span.map_or(0, |s| s.start));
            ConfigError {
                path: path.to_owned(),
                line: lc.line,
                column: lc.column,
                message,
                help,
            }
        };
        let doc = Document::parse(text.to_owned())
            .map_err(|e| err(e.span(), e.message().trim().to_owned(), None))?;
        let mut cfg = Config::default();
        for (key, item) in doc.iter() {
            let kspan = doc.key(key).and_then(|k| k.span());
            let table = |what: &str| -> Result<&toml_edit::Table, ConfigError> {
                item.as_table()
                    .ok_or_else(|| err(kspan.clone(), format!("`{what}` must be a table"), None))
            };
            match key {
                "exclude" => cfg.exclude = Some(strings(item, &err, "exclude")?),
                "extend-exclude" => cfg.extend_exclude = strings(item, &err, "extend-exclude")?,
                "deployment" => cfg.read_deployment(table("deployment")?, &err)?,
                "hosts" => cfg.read_hosts(table("hosts")?, &err)?,
                "regions" | "environments" => cfg.read_groups(key, table(key)?, &err)?,
                "nodes" => cfg.read_nodes(table("nodes")?, &err)?,
                "rules" => cfg.read_rules(table("rules")?, rule_ids, &err)?,
                "certificates" => cfg.read_certificates(table("certificates")?, &err)?,
                other => {
                    let help =
                        did_you_mean(other, TOP, 3).map(|s| format!("did you mean `[{s}]`?"));
                    return Err(err(
                        kspan,
                        format!("unknown table `{other}`"),
                        help.or(Some(format!("known tables: {}", TOP.join(", ")))),
                    ));
                }
            }
        }
        Ok(cfg)
    }

    /// `[deployment]`: `version` and `distribution`.
    fn read_deployment(
        &mut self,
        t: &toml_edit::Table,
        err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    ) -> Result<(), ConfigError> {
        for (k, v) in t.iter() {
            match k {
                "version" => {
                    let text = v.as_str().ok_or_else(|| {
                        err(
                            v.span(),
                            "`deployment.version` must be a string such as \"4.2.0\"".into(),
                            None,
                        )
                    })?;
                    let known = ApimVersion::parse(text).ok_or_else(|| {
                        err(
                            v.span(),
                            format!(
                                "`deployment.version = \"{text}\"` is not a version apimlint knows"
                            ),
                            Some(format!("one of {}", ApimVersion::names().join(", "))),
                        )
                    })?;
                    self.apim = Some((known, VersionSource::ProjectFile));
                    self.version = Some(text.to_owned());
                }
                "distribution" => {
                    let d = v
                        .as_str()
                        .filter(|d| ["all-in-one", "components"].contains(d));
                    self.distribution = Some(
                        d.ok_or_else(|| {
                            err(
                                v.span(),
                                "`deployment.distribution` is \"all-in-one\" or \"components\""
                                    .into(),
                                None,
                            )
                        })?
                        .to_owned(),
                    );
                }
                other => {
                    return Err(unknown(
                        err,
                        t,
                        other,
                        &["version", "distribution"],
                        "deployment",
                    ));
                }
            }
        }
        Ok(())
    }

    /// `[hosts]`: each alias, and the node ids it names as entries.
    fn read_hosts(
        &mut self,
        t: &toml_edit::Table,
        err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    ) -> Result<(), ConfigError> {
        for (host, v) in t.iter() {
            let alias = host_alias(host, v, err)?;
            let list = v.as_table_like().and_then(|t| t.get("nodes")).unwrap_or(v);
            for (pattern, span) in spans(list) {
                self.entries.push(Entry {
                    kind: EntryKind::Host(host.to_owned()),
                    pattern,
                    span,
                });
            }
            self.hosts.insert(host.to_lowercase(), alias);
        }
        Ok(())
    }

    /// `[regions]` or `[environments]` (`key`): name → list, in file order;
    /// a region's globs are entries too.
    fn read_groups(
        &mut self,
        key: &str,
        t: &toml_edit::Table,
        err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    ) -> Result<(), ConfigError> {
        let mut list = Vec::new();
        for (name, v) in t.iter() {
            if key == "regions" {
                for (pattern, span) in spans(v) {
                    self.entries.push(Entry {
                        kind: EntryKind::Region(name.to_owned()),
                        pattern,
                        span,
                    });
                }
            }
            list.push((
                name.to_owned(),
                strings(v, err, &format!("{key}.\"{name}\""))?,
            ));
        }
        if key == "regions" {
            self.regions = list
        } else {
            self.environments = list
        }
        Ok(())
    }

    /// `[nodes."id"]`: each node's settings, and its id as an entry.
    fn read_nodes(
        &mut self,
        nodes: &toml_edit::Table,
        err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    ) -> Result<(), ConfigError> {
        for (id, v) in nodes.iter() {
            if let Some(span) = nodes.key(id).and_then(|k| k.span()).or(v.span()) {
                self.entries.push(Entry {
                    kind: EntryKind::Node,
                    pattern: id.trim_end_matches('/').to_owned(),
                    span,
                });
            }
            let n = node_config(id, v, err)?;
            self.nodes.insert(id.trim_end_matches('/').to_owned(), n);
        }
        Ok(())
    }

    /// `[rules]`: a level per known rule.
    fn read_rules(
        &mut self,
        t: &toml_edit::Table,
        rule_ids: &[&str],
        err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    ) -> Result<(), ConfigError> {
        for (id, v) in t.iter() {
            if !rule_ids.contains(&id) {
                let help = did_you_mean(id, rule_ids.iter().copied(), 3)
                    .map(|s| format!("did you mean `{s}`?"));
                return Err(err(
                    t.key(id).and_then(|k| k.span()),
                    format!("unknown rule `{id}`"),
                    help.or(Some("`apimlint rules` lists them".into())),
                ));
            }
            let level = match v.as_str() {
                Some("error") => Level::Is(Severity::Error),
                Some("warning") => Level::Is(Severity::Warning),
                Some("info") => Level::Is(Severity::Info),
                Some("off") => Level::Off,
                _ => {
                    return Err(err(
                        v.span(),
                        format!("`rules.{id}` must be \"error\", \"warning\", \"info\" or \"off\""),
                        None,
                    ));
                }
            };
            self.rules.insert(id.to_owned(), level);
        }
        Ok(())
    }

    /// `[certificates]`: `expiry_warning_days`, 0 to 36500.
    fn read_certificates(
        &mut self,
        t: &toml_edit::Table,
        err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    ) -> Result<(), ConfigError> {
        for (k, v) in t.iter() {
            if k != "expiry_warning_days" {
                return Err(unknown(err, t, k, &["expiry_warning_days"], "certificates"));
            }
            let days = v
                .as_integer()
                .and_then(|d| u32::try_from(d).ok())
                .filter(|d| *d <= 36_500);
            self.expiry_warning_days = Some(days.ok_or_else(|| {
                err(
                    v.span(),
                    "`certificates.expiry_warning_days` must be a whole number of days from 0 to 36500".into(),
                    None,
                )
            })?);
        }
        Ok(())
    }

    /// The globs discovery skips: `exclude` (else `vfs::DEFAULT_EXCLUDE`) and
    /// `extend-exclude`.
    pub(crate) fn excludes(&self) -> Vec<String> {
        let base = self.exclude.clone().unwrap_or_else(|| {
            crate::vfs::DEFAULT_EXCLUDE
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        });
        base.into_iter()
            .chain(self.extend_exclude.iter().cloned())
            .collect()
    }

    /// The configured level of a rule, if any.
    pub fn level(&self, rule: &str) -> Option<Level> {
        if self.deselected.contains(rule) {
            return Some(Level::Off);
        }
        self.rules.get(rule).copied()
    }
}

fn unknown(
    err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    t: &toml_edit::Table,
    key: &str,
    known: &[&str],
    table: &str,
) -> ConfigError {
    let help = did_you_mean(key, known.iter().copied(), 3).map(|s| format!("did you mean `{s}`?"));
    err(
        t.key(key).and_then(|k| k.span()),
        format!("unknown key `{key}` in `[{table}]`"),
        help,
    )
}

fn strings(
    item: &Item,
    err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
    what: &str,
) -> Result<Vec<String>, ConfigError> {
    let arr = item.as_array().ok_or_else(|| {
        err(
            item.span(),
            format!("`{what}` must be a list of strings"),
            None,
        )
    })?;
    arr.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                err(
                    v.span(),
                    format!("`{what}` must be a list of strings"),
                    None,
                )
            })
        })
        .collect()
}

/// `[hosts]."name"`: a list of node ids, or `{ nodes = [...], remaps_ports = true }`.
fn host_alias(
    host: &str,
    v: &Item,
    err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
) -> Result<HostAlias, ConfigError> {
    Ok(match v {
        Item::Value(Value::Array(_)) => HostAlias {
            nodes: strings(v, err, &format!("hosts.\"{host}\""))?,
            remaps_ports: false,
        },
        _ if v.is_table_like() => {
            let t = v
                .as_table_like()
                .ok_or_else(|| err(v.span(), "expected a table".into(), None))?;
            let mut a = HostAlias::default();
            for (k, x) in t.iter() {
                match k {
                    "nodes" => a.nodes = strings(x, err, &format!("hosts.\"{host}\".nodes"))?,
                    "remaps_ports" => {
                        a.remaps_ports = x.as_bool().ok_or_else(|| {
                            err(
                                x.span(),
                                "`remaps_ports` must be true or false".into(),
                                None,
                            )
                        })?;
                    }
                    other => {
                        let help = did_you_mean(other, ["nodes", "remaps_ports"], 3)
                            .map(|s| format!("did you mean `{s}`?"));
                        return Err(err(
                            t.key(other).and_then(|k| k.span()).or(x.span()),
                            format!("unknown key `{other}` in `hosts.\"{host}\"`"),
                            help,
                        ));
                    }
                }
            }
            a
        }
        _ => {
            return Err(err(
                v.span(),
                format!(
                    "`hosts.\"{host}\"` must be a list of node ids or {{ nodes = [...], remaps_ports = true }}"
                ),
                None,
            ));
        }
    })
}

/// `[nodes."id"]`: `role`, `port_offset` and `machine`.
fn node_config(
    id: &str,
    v: &Item,
    err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
) -> Result<NodeConfig, ConfigError> {
    let t = v
        .as_table_like()
        .ok_or_else(|| err(v.span(), format!("`nodes.\"{id}\"` must be a table"), None))?;
    let mut n = NodeConfig::default();
    for (k, x) in t.iter() {
        match k {
            "role" => n.role = Some(role(x, err)?),
            "port_offset" => {
                n.port_offset = Some(x.as_integer().ok_or_else(|| {
                    err(x.span(), "`port_offset` must be an integer".into(), None)
                })?);
            }
            "machine" => {
                n.machine = Some(
                    x.as_str()
                        .ok_or_else(|| err(x.span(), "`machine` must be a string".into(), None))?
                        .to_owned(),
                );
            }
            other => {
                let help = did_you_mean(other, ["role", "port_offset", "machine"], 3)
                    .map(|s| format!("did you mean `{s}`?"));
                return Err(err(
                    t.key(other).and_then(|k| k.span()).or(x.span()),
                    format!("unknown key `{other}` in `nodes.\"{id}\"`"),
                    help,
                ));
            }
        }
    }
    Ok(n)
}

/// A node's `role`: one of [`Role::ALL`], by name.
fn role(
    x: &Item,
    err: &impl Fn(Option<Range<usize>>, String, Option<String>) -> ConfigError,
) -> Result<Role, ConfigError> {
    let s = x
        .as_str()
        .ok_or_else(|| err(x.span(), "`role` must be a string".into(), None))?;
    Role::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        err(
            x.span(),
            format!("unknown role `{s}`"),
            Some(did_you_mean(s, names.iter().copied(), 3).map_or_else(
                || format!("one of {}", names.join(", ")),
                |d| format!("did you mean `{d}`?"),
            )),
        )
    })
}

/// The strings of an array item with their byte ranges (those with a range).
fn spans(item: &Item) -> Vec<(String, Range<usize>)> {
    item.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| Some((v.as_str()?.to_owned(), v.span()?)))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) use crate::base::files::glob_match;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_example_parses() {
        let text = r#"
[deployment]
version = "4.2.0"
[hosts]
"api.r1.example.com" = ["region-1/cp-1", "region-1/cp-2"]
"tm.r1.example.com" = { nodes = ["region-1/tm-1"], remaps_ports = true }
[regions]
"eu-west" = ["region-1/*"]
[environments]
"region-1" = ["Internal"]
"*" = ["Partner"]
[nodes."region-1/gw-1"]
role = "gateway-worker"
port_offset = 2
machine = "vm-7"
[rules]
plaintext-password = "off"
"#;
        let cfg = Config::parse("apimlint.toml", text, &["plaintext-password"]);
        let cfg = cfg.unwrap_or_default();
        assert_eq!(cfg.version.as_deref(), Some("4.2.0"));
        assert!(
            cfg.hosts
                .get("tm.r1.example.com")
                .is_some_and(|h| h.remaps_ports)
        );
        assert_eq!(
            cfg.nodes.get("region-1/gw-1").and_then(|n| n.port_offset),
            Some(2)
        );
        assert_eq!(cfg.level("plaintext-password"), Some(Level::Off));
    }

    #[test]
    fn unknown_keys_have_line_and_suggestion() {
        let e = Config::parse(
            "apimlint.toml",
            "[nodes.\"a\"]\nrole = \"gateway-worker\"\nmachin = \"x\"\n",
            &[],
        )
        .err();
        let e = e.map(|e| (e.line, e.message, e.help));
        assert_eq!(
            e,
            Some((
                3,
                "unknown key `machin` in `nodes.\"a\"`".into(),
                Some("did you mean `machine`?".into())
            ))
        );
        let e = Config::parse("apimlint.toml", "[host]\n", &[])
            .err()
            .map(|e| e.help);
        assert_eq!(e, Some(Some("did you mean `[hosts]`?".into())));
        let e = Config::parse("apimlint.toml", "[nodes.\"a\"]\nport_offset = \"2\"\n", &[])
            .err()
            .map(|e| (e.line, e.column));
        assert_eq!(e, Some((2, 15)));
    }

    #[test]
    fn certificates_table() {
        let cfg = Config::parse(
            "apimlint.toml",
            "[certificates]\nexpiry_warning_days = 90\n",
            &[],
        );
        assert_eq!(cfg.ok().and_then(|c| c.expiry_warning_days), Some(90));
        assert_eq!(Config::default().expiry_warning_days(), 30);
        for (text, line) in [
            ("[certificates]\nexpiry_warning_days = -1\n", 2),
            ("[certificates]\nexpiry_warning_days = \"30\"\n", 2),
            ("[certificates]\nexpiry_days = 30\n", 2),
            ("certificates = 3\n", 1),
        ] {
            let e = Config::parse("apimlint.toml", text, &[]).err();
            assert_eq!(e.map(|e| e.line), Some(line), "{text}");
        }
        let e = Config::parse(
            "apimlint.toml",
            "[certificates]\nexpiry_warning_day = 30\n",
            &[],
        )
        .err();
        assert_eq!(
            e.and_then(|e| e.help),
            Some("did you mean `expiry_warning_days`?".into())
        );
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2026-12-14"), Some(1_797_206_400));
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1-1",
            "26-01-01",
            "2026-01-01x",
            "",
            "today",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for s in ["2022-01-25", "2000-02-29", "2099-12-31"] {
            assert_eq!(parse_date(s).map(crate::keystore::date).as_deref(), Some(s));
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("region-1/*", "region-1/gw-1"));
        assert!(!glob_match("region-1/*", "region-1/gw-1/x"));
        assert!(glob_match("region-1/**", "region-1/gw-1/x"));
        assert!(glob_match("*/gw-?", "r/gw-1"));
    }
}
