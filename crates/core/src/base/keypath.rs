//! Dotted key paths, the one way apimlint writes and reads them: the
//! catalog form (`apim.throttling.url_group[].traffic_manager_urls`, a
//! segment holding a dot single-quoted: `system.parameter.'a.b'`), and the
//! key paths of findings (`apim.throttling.url_group[tm-1].traffic_manager_urls`).
//! Reading is quote-aware: a dot inside quotes does not split.

/// The catalog form of one TOML key: quoted when it holds a dot.
pub fn segment(key: &str) -> String {
    if key.contains('.') {
        format!("'{}'", key.replace(['\'', '"'], ""))
    } else {
        key.to_owned()
    }
}

/// Join segments (each already in [`segment`] form) into a path.
pub fn join<S: AsRef<str>>(segs: &[S]) -> String {
    join_reserving(segs, 0)
}

/// [`join`], allocated at its exact size and `extra` bytes more (for what
/// the caller appends): joined for every key and URL of every node.
pub(crate) fn join_reserving<S: AsRef<str>>(segs: &[S], extra: usize) -> String {
    join_parts(segs.iter().map(AsRef::as_ref), extra)
}

/// `parts` joined by `.`, allocated at its exact size and `extra` bytes more.
pub(crate) fn join_parts<'a>(parts: impl Iterator<Item = &'a str> + Clone, extra: usize) -> String {
    let len = parts
        .clone()
        .map(|s| s.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let mut out = String::with_capacity(len + extra);
    for (i, s) in parts.enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(s);
    }
    out
}

/// Split a dotted key path (`a.'b.c'.d`, `a."b".c`) into its segments,
/// quotes removed and blanks around each segment trimmed.
pub(crate) fn split(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for ch in path.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(ch),
            (None, '.') => out.push(std::mem::take(&mut cur).trim().to_owned()),
            (None, c) => cur.push(c),
        }
    }
    out.push(cur.trim().to_owned());
    out
}

/// The last segment of a path, as written (quotes kept): the key's own
/// name, `traffic_manager_urls` of `apim.throttling.url_group[tm-1].traffic_manager_urls`.
pub(crate) fn leaf(path: &str) -> &str {
    let mut quote: Option<u8> = None;
    let mut cut = 0;
    for (i, b) in path.bytes().enumerate() {
        match (quote, b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'.') => cut = i + 1,
            (None, _) => {}
        }
    }
    path.get(cut..).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_and_split_respect_quotes() {
        assert_eq!(leaf("apim.event_hub.service_url"), "service_url");
        assert_eq!(leaf("system.parameter.'a.b'"), "'a.b'");
        assert_eq!(
            leaf("url_group[tm-1].traffic_manager_urls"),
            "traffic_manager_urls"
        );
        assert_eq!(leaf("hostname"), "hostname");
        assert_eq!(split("a.'b.c'.d"), ["a", "b.c", "d"]);
        assert_eq!(split("a . \"b\" . c"), ["a", "b", "c"]);
        assert_eq!(join(&["a", &segment("b.c")]), "a.'b.c'");
        assert_eq!(split(&join(&["x", &segment("y.z")])), ["x", "y.z"]);
    }
}
