//! `[database.*]` tables and the JDBC URLs they give.

use std::ops::Range;

use toml_edit::Item;

use super::Sp;
use super::read::{get, string, table_span};

/// `[database.<name>]` as written: a `type` with a `url`, or with `hostname`,
/// `port` and `name` (`sid` for Oracle) from which WSO2 builds the URL.
#[derive(Debug, Clone)]
pub struct Database {
    pub header: Range<usize>,
    pub kind: Option<Sp<String>>,
    pub url: Option<Sp<String>>,
    pub hostname: Option<Sp<String>>,
    pub port: Option<Sp<String>>,
    pub name: Option<Sp<String>>,
}

/// Where a database lives: type, lower-cased host, port, database name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct DbIdentity {
    pub kind: String,
    pub host: String,
    pub port: String,
    pub name: String,
}

impl std::fmt::Display for DbIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}:{}/{}",
            self.kind, self.host, self.port, self.name
        )
    }
}

/// The default port of a database type.
pub(crate) fn db_default_port(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "mysql" | "mariadb" => "3306",
        "postgre" => "5432",
        "mssql" => "1433",
        "oracle" => "1521",
        "db2" => "50000",
        _ => return None,
    })
}

/// The WSO2 database type a JDBC URL names (`jdbc:postgresql:` → `postgre`).
pub(crate) fn db_type_of_url(url: &str) -> Option<&'static str> {
    let rest = url.trim().strip_prefix("jdbc:")?;
    let sub = rest.split(':').next()?.to_ascii_lowercase();
    Some(match sub.as_str() {
        "mysql" => "mysql",
        "mariadb" => "mariadb",
        "postgresql" => "postgre",
        "sqlserver" => "mssql",
        "oracle" => "oracle",
        "db2" => "db2",
        "h2" => "h2",
        _ => return None,
    })
}

pub(super) fn has_placeholder(s: &str) -> bool {
    // every opener holds a `{`
    if memchr::memchr(b'{', s.as_bytes()).is_none() {
        return false;
    }
    s.contains("${")
        || s.contains("$env{")
        || s.contains("$sys{")
        || s.contains("$ref{")
        || s.contains("$secret{")
        || s.contains("{{")
}

pub(super) fn decode_entities(s: &str) -> String {
    // most URLs hold no entity: one scan, no five copies
    if memchr::memchr(b'&', s.as_bytes()).is_none() {
        return s.to_owned();
    }
    s.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

impl Database {
    /// The database type: `type` lower-cased, else the URL's.
    pub(crate) fn db_type(&self) -> Option<String> {
        self.kind
            .as_ref()
            .map(|k| k.value.trim().to_ascii_lowercase())
            .filter(|k| !k.is_empty())
            .or_else(|| {
                self.url
                    .as_ref()
                    .and_then(|u| db_type_of_url(&u.value))
                    .map(str::to_owned)
            })
    }

    /// An embedded H2 database (a file per node).
    pub(crate) fn is_h2(&self) -> bool {
        self.db_type().as_deref() == Some("h2")
    }

    /// The span that best shows the database type.
    pub(crate) fn type_span(&self) -> Range<usize> {
        self.kind
            .as_ref()
            .or(self.url.as_ref())
            .map_or_else(|| self.header.clone(), |s| s.span.clone())
    }

    /// The span that best shows where the database lives.
    pub(crate) fn location_span(&self) -> Range<usize> {
        self.url
            .as_ref()
            .or(self.hostname.as_ref())
            .or(self.name.as_ref())
            .map_or_else(|| self.header.clone(), |s| s.span.clone())
    }

    /// Type, host, port and name, from the `url` or from `hostname`/`port`/`name`;
    /// `None` for H2, placeholders and URLs apimlint cannot read.
    pub(crate) fn identity(&self) -> Option<DbIdentity> {
        let kind = self.db_type()?;
        if kind == "h2" {
            return None;
        }
        if let Some(url) = &self.url {
            if has_placeholder(&url.value) {
                return None;
            }
            return parse_jdbc(&kind, &decode_entities(&url.value));
        }
        let host = self.hostname.as_ref()?.value.trim().to_lowercase();
        let name = self.name.as_ref()?.value.trim().to_owned();
        let port = self
            .port
            .as_ref()
            .map(|p| p.value.trim().to_owned())
            .or_else(|| db_default_port(&kind).map(str::to_owned))?;
        if [&host, &name, &port].iter().any(|s| has_placeholder(s)) {
            return None;
        }
        Some(DbIdentity {
            kind,
            host,
            port,
            name,
        })
    }
}

/// Host, port and database of a JDBC URL; query parameters ignored.
pub(super) fn parse_jdbc(kind: &str, url: &str) -> Option<DbIdentity> {
    let lower = url.to_ascii_lowercase();
    let (host_port, name) = if kind == "oracle" {
        // jdbc:oracle:thin:@host:port:SID or @//host:port/service
        let at = url.find('@')?;
        let rest = url.get(at + 1..)?.trim_start_matches('/');
        if rest.trim_start().starts_with('(') {
            // a TNS descriptor: `(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521))
            // (CONNECT_DATA=(SERVICE_NAME=orcl)))`; of an address list, the first
            let host = tns_value(rest, "host")?;
            let port = tns_value(rest, "port").unwrap_or("1521");
            let name = tns_value(rest, "service_name")
                .or_else(|| tns_value(rest, "sid"))
                .unwrap_or("");
            return Some(DbIdentity {
                kind: kind.to_owned(),
                host: host.to_lowercase(),
                port: port.to_owned(),
                name: name.to_owned(),
            });
        }
        match rest.split_once('/') {
            Some((hp, svc)) => (hp.to_owned(), svc.to_owned()),
            None => {
                let mut parts = rest.rsplitn(2, ':');
                let sid = parts.next()?.to_owned();
                let hp = parts.next()?.to_owned();
                (hp, sid)
            }
        }
    } else {
        let start = lower.find("://")? + 3;
        let rest = url.get(start..)?;
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        if kind == "mssql" {
            let mut parts = rest.split(';');
            let hp = parts.next()?.to_owned();
            let name = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| {
                    k.trim().eq_ignore_ascii_case("databaseName")
                        || k.trim().eq_ignore_ascii_case("database")
                })
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            (hp, name)
        } else {
            let end = rest.find(['?', ';']).unwrap_or(rest.len());
            let rest = rest.get(..end)?;
            match rest.split_once('/') {
                Some((hp, name)) => (hp.to_owned(), name.to_owned()),
                None => (rest.to_owned(), String::new()),
            }
        }
    };
    let hp = host_port.trim();
    let (host, port) = match hp.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h.to_owned(), p.to_owned()),
        _ => (
            hp.to_owned(),
            db_default_port(kind).unwrap_or("").to_owned(),
        ),
    };
    Some(DbIdentity {
        kind: kind.to_owned(),
        host: host.to_lowercase(),
        port: if port.is_empty() {
            db_default_port(kind).unwrap_or("").to_owned()
        } else {
            port
        },
        name: name.trim_end_matches('/').to_owned(),
    })
}

/// The first `(KEY = value)` of a TNS descriptor, `key` in lower case.
fn tns_value<'a>(desc: &'a str, key: &str) -> Option<&'a str> {
    let lower = desc.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower.get(from..)?.find('(').map(|i| from + i) {
        from = at + 1;
        let after = lower.get(from..)?.trim_start();
        let Some(rest) = after.strip_prefix(key) else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        // the same bytes in the original text (lower-casing ASCII keeps offsets)
        let start = lower.len() - value.len();
        let len = value.find(')').unwrap_or(value.len());
        let v = desc.get(start..start + len)?.trim();
        return (!v.is_empty() && !v.starts_with('(')).then_some(v);
    }
    None
}

pub(super) fn database(root: &Item, name: &str) -> Option<Database> {
    let t = get(root, &["database", name])?;
    let port = t.get("port").and_then(|p| {
        let span = p.span()?;
        let value = p
            .as_integer()
            .map(|i| i.to_string())
            .or_else(|| p.as_str().map(str::to_owned))?;
        Some(Sp { value, span })
    });
    Some(Database {
        header: table_span(t),
        kind: string(t.get("type")),
        url: string(t.get("url")),
        hostname: string(t.get("hostname")),
        port,
        name: string(t.get("name")).or_else(|| string(t.get("sid"))),
    })
}

#[cfg(test)]
mod db_tests {
    use super::*;

    fn db(kind: Option<&str>, url: &str) -> Database {
        let sp = |v: &str| Sp {
            value: v.to_owned(),
            span: 0..0,
        };
        Database {
            header: 0..0,
            kind: kind.map(sp),
            url: Some(sp(url)),
            hostname: None,
            port: None,
            name: None,
        }
    }

    #[test]
    fn jdbc_identities() {
        let id = |k, u| db(k, u).identity().map(|i| i.to_string());
        assert_eq!(
            id(
                Some("mysql"),
                "jdbc:mysql://DB.example.com/apim_db?useSSL=false&amp;x=1"
            )
            .as_deref(),
            Some("mysql://db.example.com:3306/apim_db")
        );
        assert_eq!(
            id(
                None,
                "jdbc:sqlserver://db:1433;databaseName=WSO2AM_DB;encrypt=true"
            )
            .as_deref(),
            Some("mssql://db:1433/WSO2AM_DB")
        );
        assert_eq!(
            id(Some("postgre"), "jdbc:postgresql://pg:5433/am").as_deref(),
            Some("postgre://pg:5433/am")
        );
        assert_eq!(
            id(Some("oracle"), "jdbc:oracle:thin:@ora:1521:ORCL").as_deref(),
            Some("oracle://ora:1521/ORCL")
        );
        assert_eq!(
            id(Some("oracle"), "jdbc:oracle:thin:@//ora:1522/svc").as_deref(),
            Some("oracle://ora:1522/svc")
        );
        // TNS descriptors: the first address, its service (or SID)
        assert_eq!(
            id(
                Some("oracle"),
                "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS_LIST=(ADDRESS=(PROTOCOL=TCP)(HOST=Ora-DC1.example.com)(PORT=1522))(ADDRESS=(PROTOCOL=TCP)(HOST=ora-dc2)(PORT=1521)))(CONNECT_DATA=(SERVICE_NAME=apimdb)))"
            )
            .as_deref(),
            Some("oracle://ora-dc1.example.com:1522/apimdb")
        );
        assert_eq!(
            id(
                None,
                "jdbc:oracle:thin:@( description = ( address = (protocol = tcp)(host = ora)) (connect_data = (sid = ORCL)))"
            )
            .as_deref(),
            Some("oracle://ora:1521/ORCL")
        );
        assert_eq!(
            id(
                Some("oracle"),
                "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)))"
            ),
            None
        );
        assert_eq!(id(Some("mysql"), "jdbc:mysql://$env{DB}:3306/a"), None);
        assert!(db(None, "jdbc:h2:./repository/database/WSO2AM_DB").is_h2());
    }
}
