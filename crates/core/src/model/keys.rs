//! Every key and table of a file in catalog form (walking).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use foldhash::HashMap;
use toml_edit::{Item, Table, Value};

use super::Sp;
use super::placeholders::{Placeholder, placeholders};

/// A value as written, for the rules that check values.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    Datetime(String),
    Array(Vec<Sp<Scalar>>),
    /// An inline table (its keys are facts of their own).
    Table,
}

impl Scalar {
    /// The TOML type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Bool(_) => "a boolean",
            Scalar::Int(_) => "an integer",
            Scalar::Float(_) => "a float",
            Scalar::Datetime(_) => "a date-time",
            Scalar::Array(_) => "an array",
            Scalar::Table => "a table",
        }
    }

    /// Every string in the value (itself, or the strings of an array), with spans.
    pub fn strings<'a>(this: &'a Sp<Scalar>, out: &mut Vec<(&'a str, Range<usize>)>) {
        match &this.value {
            Scalar::Str(s) => out.push((s.as_str(), this.span.clone())),
            Scalar::Array(items) => items.iter().for_each(|i| Scalar::strings(i, out)),
            _ => {}
        }
    }
}

/// What kind of thing a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Table,
    /// One `[[…]]` entry; its last segment ends in `[]`.
    ArrayOfTables,
    Value,
}

/// One key or table of the file, in catalog form (`event_listener[].properties`),
/// with where it is written.
#[derive(Debug, Clone)]
pub struct KeyFact {
    /// Segments: array-of-tables members end in `[]`, segments with dots are single-quoted.
    pub segs: Vec<Seg>,
    /// The key as the user wrote it (unquoted).
    pub name: Seg,
    /// The last segment's key where it is written (in the header for a table).
    pub key_span: Range<usize>,
    pub kind: KeyKind,
    /// `[table]` or `[[table]]` header, for tables that have one.
    pub header: Option<Range<usize>>,
    /// A table that only exists through a deeper header or a dotted key.
    pub implicit: bool,
    /// A table written inline (`x = { … }`).
    pub inline: bool,
    pub value: Option<Sp<Scalar>>,
    /// Inside an array-of-tables entry (where WSO2 does not resolve `$ref{}`).
    pub in_aot: bool,
    /// `catalog::find(&segs)`, looked up once when the facts are extracted
    /// (several rules ask for every key of every node).
    pub catalog_entry: Option<&'static crate::catalog::Entry>,
    /// `catalog::join(&segs)`, joined once when the facts are extracted.
    pub joined: Box<str>,
}

/// The file's top-level values by dotted path: what `$ref{…}` can name.
pub(crate) fn top_level_values(keys: &[KeyFact]) -> HashMap<&str, &KeyFact> {
    // sized once: built for every node whose values hold a `$ref{…}`
    let mut values = HashMap::with_capacity_and_hasher(keys.len(), Default::default());
    values.extend(
        keys.iter()
            .filter(|k| k.is_top_level_value())
            .map(|k| (k.path_str(), k)),
    );
    values
}

impl KeyFact {
    /// The catalog entry of this key (concrete or wildcard), if WSO2 reads it.
    pub fn entry(&self) -> Option<&'static crate::catalog::Entry> {
        self.catalog_entry
    }

    /// The dotted catalog path.
    pub fn path(&self) -> String {
        self.joined.to_string()
    }

    /// The dotted catalog path, borrowed.
    pub(crate) fn path_str(&self) -> &str {
        &self.joined
    }

    /// The path as `$ref{}` names it (no array members).
    pub(crate) fn is_top_level_value(&self) -> bool {
        self.kind == KeyKind::Value && !self.in_aot
    }

    /// The string value, if it is one.
    pub(crate) fn str_value(&self) -> Option<&str> {
        match &self.value.as_ref()?.value {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value's span.
    pub(crate) fn value_span(&self) -> Option<Range<usize>> {
        self.value.as_ref().map(|v| v.span.clone())
    }

    /// Every placeholder written in this key's string values (every string
    /// of an array too), in file order; `file_text` is the node's text.
    pub(crate) fn all_placeholders(&self, file_text: &str) -> Vec<Placeholder> {
        fn walk(v: &Sp<Scalar>, text: &str, out: &mut Vec<Placeholder>) {
            match &v.value {
                // most values hold no `$`: no scan, no allocation
                Scalar::Str(_) if text.get(v.span.clone()).is_some_and(|t| t.contains('$')) => {
                    out.extend(placeholders(text, &v.span));
                }
                Scalar::Array(items) => items.iter().for_each(|i| walk(i, text, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Some(v) = &self.value {
            walk(v, file_text, &mut out);
        }
        out
    }
}

fn scalar(v: &Value) -> Option<Sp<Scalar>> {
    let span = v.span()?;
    let value = match v {
        Value::String(s) => Scalar::Str(s.value().clone()),
        Value::Integer(i) => Scalar::Int(*i.value()),
        Value::Float(f) => Scalar::Float(*f.value()),
        Value::Boolean(b) => Scalar::Bool(*b.value()),
        Value::Datetime(d) => Scalar::Datetime(d.value().to_string()),
        Value::Array(a) => Scalar::Array(a.iter().filter_map(scalar).collect()),
        Value::InlineTable(_) => Scalar::Table,
    };
    Some(Sp { value, span })
}

/// Every key and table of a document, in document order of traversal.
pub(crate) fn key_facts(doc: &toml_edit::Document<String>) -> Vec<KeyFact> {
    let mut out = Vec::new();
    if let Some(t) = doc.as_item().as_table() {
        let mut w = Walk {
            raw: doc.raw(),
            out: Vec::new(),
        };
        w.table(t, &mut Vec::new(), false);
        out = w.out;
    }
    for kf in &mut out {
        kf.joined = joined(&kf.segs);
        kf.catalog_entry = crate::catalog::find_joined(&kf.joined, &kf.segs);
    }
    out.shrink_to_fit();
    out
}

/// `catalog::join(segs)`, allocated at its exact size.
fn joined(segs: &[Seg]) -> Box<str> {
    crate::base::keypath::join(segs).into_boxed_str()
}

/// One segment or key name of a [`KeyFact`]: shared, so that the facts of
/// a table's keys do not each own copies of the path above them (a key's
/// `segs` clone the segments of its tables).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seg(Arc<str>);

impl Seg {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Seg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Seg {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Seg {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Seg {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Seg {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Seg {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Seg(Arc::from(s))
    }
}

/// The key-fact walk of one file: its text and its facts.
struct Walk<'a> {
    raw: &'a str,
    out: Vec<KeyFact>,
}

impl Walk<'_> {
    fn table(&mut self, t: &Table, segs: &mut Vec<Seg>, in_aot: bool) {
        for (k, item) in t.iter() {
            let key_span = t.key(k).and_then(toml_edit::Key::span);
            self.item(k, key_span, item, segs, in_aot);
        }
    }

    fn item(
        &mut self,
        k: &str,
        key_span: Option<Range<usize>>,
        item: &Item,
        segs: &mut Vec<Seg>,
        in_aot: bool,
    ) {
        let raw = self.raw;
        let name = Seg::from(k);
        // a key's segment is the key itself unless it holds a `.`
        let (seg, own) = if k.contains('.') {
            let seg = crate::catalog::segment(k);
            let own = Seg::from(seg.as_str());
            (std::borrow::Cow::Owned(seg), own)
        } else {
            (std::borrow::Cow::Borrowed(k), name.clone())
        };
        match item {
            Item::Table(sub) => {
                segs.push(own);
                let header = if sub.is_implicit() || sub.is_dotted() {
                    None
                } else {
                    sub.span()
                };
                self.out.push(KeyFact {
                    segs: segs.clone(),
                    name: name.clone(),
                    key_span: key_span.or_else(|| header.clone()).unwrap_or(0..0),
                    kind: KeyKind::Table,
                    header,
                    implicit: sub.is_implicit(),
                    inline: false,
                    value: None,
                    in_aot,
                    catalog_entry: None,
                    joined: Box::default(),
                });
                self.table(sub, segs, in_aot);
                segs.pop();
            }
            Item::ArrayOfTables(a) => {
                segs.push(Seg::from(format!("{seg}[]").as_str()));
                for entry in a.iter() {
                    let header = entry.span();
                    self.out.push(KeyFact {
                        segs: segs.clone(),
                        name: name.clone(),
                        key_span: header
                            .clone()
                            .map(|h| aot_key_span(raw, h))
                            .or_else(|| key_span.clone())
                            .unwrap_or(0..0),
                        kind: KeyKind::ArrayOfTables,
                        header,
                        implicit: false,
                        inline: false,
                        value: None,
                        in_aot,
                        catalog_entry: None,
                        joined: Box::default(),
                    });
                    self.table(entry, segs, true);
                }
                segs.pop();
            }
            Item::Value(Value::InlineTable(it)) => {
                segs.push(own);
                self.out.push(KeyFact {
                    segs: segs.clone(),
                    name: name.clone(),
                    key_span: key_span.or_else(|| it.span()).unwrap_or(0..0),
                    kind: KeyKind::Table,
                    header: None,
                    implicit: false,
                    inline: true,
                    value: scalar(&Value::InlineTable(it.clone())),
                    in_aot,
                    catalog_entry: None,
                    joined: Box::default(),
                });
                for (ik, iv) in it.iter() {
                    let ks = it.key(ik).and_then(toml_edit::Key::span);
                    self.item(ik, ks, &Item::Value(iv.clone()), segs, in_aot);
                }
                segs.pop();
            }
            Item::Value(v) => {
                segs.push(own);
                self.out.push(KeyFact {
                    segs: segs.clone(),
                    name: name.clone(),
                    key_span: key_span.or_else(|| v.span()).unwrap_or(0..0),
                    kind: KeyKind::Value,
                    header: None,
                    implicit: false,
                    inline: false,
                    value: scalar(v),
                    in_aot,
                    catalog_entry: None,
                    joined: Box::default(),
                });
                segs.pop();
            }
            Item::None => {}
        }
    }
}

/// The last key of a `[[a.b]]` header in `raw`: the whole header when it cannot be told.
fn aot_key_span(raw: &str, header: Range<usize>) -> Range<usize> {
    let Some(h) = raw.get(header.clone()) else {
        return header;
    };
    let inner_end = h.rfind("]]").unwrap_or(h.len());
    let body = h.get(..inner_end).unwrap_or("");
    let mut quoted: Option<char> = None;
    let mut last_dot = None;
    for (i, c) in body.char_indices() {
        match (quoted, c) {
            (None, '"' | '\'') => quoted = Some(c),
            (Some(q), c) if c == q => quoted = None,
            (None, '.') => last_dot = Some(i),
            _ => {}
        }
    }
    let start = last_dot.map_or_else(|| h.find("[[").map_or(0, |i| i + 2), |d| d + 1);
    let seg = body.get(start..).unwrap_or("");
    let lead = seg.len() - seg.trim_start().len();
    let s = header.start + start + lead;
    let e = s + seg.trim().len();
    if e > s { s..e } else { header }
}

/// A catalog path shown to users: array members without `[]`.
pub(crate) fn display_path<S: AsRef<str>>(segs: &[S]) -> String {
    // made for every URL of every node: no searcher, no list
    fn plain(mut s: &str) -> &str {
        while let Some(r) = s.strip_suffix("[]") {
            s = r;
        }
        s
    }
    crate::base::keypath::join_parts(segs.iter().map(|s| plain(s.as_ref())), 0)
}

#[cfg(test)]
mod key_fact_tests {
    use super::*;

    #[test]
    fn keys_carry_catalog_paths_and_spans() {
        let text = "[server]\nhostname = \"a\"\n\n[[event_listener]]\nid = \"x\"\n\n[event_listener.propertie]\nusername = \"u\"\n\n[database.apim_db]\npool_options = { maxActive = 1 }\n[system.parameter]\n\"a.b\" = 1\n[[apim.throttling.url_group]]\ntype = \"x\"\n";
        let doc = toml_edit::Document::parse(text.to_owned()).ok();
        let keys = doc.as_ref().map(key_facts).unwrap_or_default();
        let at = |p: &str| keys.iter().find(|k| k.path() == p);
        let prop = at("event_listener[].propertie");
        assert_eq!(
            prop.and_then(|k| text.get(k.key_span.clone())),
            Some("propertie")
        );
        assert!(prop.is_some_and(|k| k.in_aot));
        let user = at("event_listener[].propertie.username");
        assert!(user.is_some_and(|k| k.in_aot && k.str_value() == Some("u")));
        let ma = at("database.apim_db.pool_options.maxActive");
        assert_eq!(
            ma.and_then(|k| text.get(k.key_span.clone())),
            Some("maxActive")
        );
        assert!(at("system.parameter.'a.b'").is_some());
        let ug = at("apim.throttling.url_group[]");
        assert_eq!(
            ug.and_then(|k| text.get(k.key_span.clone())),
            Some("url_group")
        );
        let db = at("database");
        assert_eq!(
            db.and_then(|k| text.get(k.key_span.clone())),
            Some("database")
        );
        assert!(db.is_some_and(|k| k.implicit));
    }
}
