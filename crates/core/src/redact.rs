//! Secrets never reach output: before anything is rendered each file's text
//! is redacted, every secret-bearing value replaced by `*` of the same byte
//! length so that offsets stay valid.

use std::collections::HashMap;
use std::ops::Range;

use toml_edit::{Document, Item, Value};

/// The nouns that name a secret when a key ends with them
/// (`wf_engine_pass`, `SendgridAPIKey`, `certificateKeyPassword`).
const SECRET_NOUNS: [&str; 9] = [
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
];

/// One-word compounds ending in a secret noun (`keystorepassword`,
/// `clientsecret`, `apikey`): a word that ends with one of these (`bypass`
/// does not: `pass` alone is not here).
const SECRET_SUFFIXES: [&str; 12] = [
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "masterkey",
    "encryptionkey",
    "signingkey",
];

/// A `key` after one of these words names something public or an
/// identifier, not key material (`site_key`, `consumer_key`, `tagKey`,
/// `sign_with_sp_key`, a cache's or a table's key).
const PUBLIC_KEY_QUALIFIERS: [&str; 12] = [
    "public",
    "site",
    "consumer",
    "tag",
    "sp",
    "cache",
    "partition",
    "routing",
    "sort",
    "primary",
    "foreign",
    "id",
];

/// Words a secret's key may end with after the noun (`password_encrypted`,
/// `token_value`): the noun before them decides.
const TRAILERS: [&str; 8] = [
    "value",
    "encrypted",
    "encoded",
    "base64",
    "b64",
    "hash",
    "hashed",
    "enc",
];

/// The words of a key (`SendgridAPIKey` → sendgrid, api, key;
/// `wf_engine_pass` → wf, engine, pass; `'javax.net.ssl.keyStorePassword'`
/// → javax, net, ssl, key, store, password), lower-cased.
pub(crate) fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        // a word starts at an upper-case letter after a lower-case letter or
        // digit (`totpKey`), or at the last capital of a run followed by a
        // lower-case letter (`APIKey` → API, Key)
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether a key (its last segment; dots inside it are word breaks) names
/// a secret, by what it means: its head noun — the last word, after any
/// `value`/`encrypted`-like trailer — is a password, pass, passphrase,
/// secret, token or credential, a key material compound (`apikey`), or a
/// `key` that no public qualifier precedes (`[encryption] key`, `old_key`,
/// `totpKey`, `SendgridAPIKey`, `secret_key`, `access_key`). Words in the
/// middle do not count: `key_manager`, `token_endpoint`,
/// `key_validation_handler_type`, `password_hash_method`, `bypass_hosts`,
/// `enable_token_encryption` name no secret. Plurals (`hide_secrets`,
/// `cache_keys`) name settings about secrets, not secrets.
pub fn is_secret_key(key: &str) -> bool {
    // most keys hold none of the stems: answered without splitting
    if !has_secret_stem(key.as_bytes()) {
        return false;
    }
    // asked of the same few hundred names in every file of a deployment:
    // answered once per name and thread
    use crate::base::memo::{Memo, memoized};
    thread_local! {
        static SEEN: Memo<bool> = std::cell::RefCell::default();
    }
    memoized(&SEEN, key, names_secret)
}

/// [`is_secret_key`] for a name holding one of the stems.
fn names_secret(key: &str) -> bool {
    let words = key_words(key);
    let mut end = words.len();
    while end > 1
        && words
            .get(end - 1)
            .is_some_and(|w| TRAILERS.contains(&w.as_str()))
    {
        end -= 1;
    }
    let Some(last) = end.checked_sub(1).and_then(|i| words.get(i)) else {
        return false;
    };
    let before = end.checked_sub(2).and_then(|i| words.get(i));
    if last == "key" {
        return !before.is_some_and(|b| PUBLIC_KEY_QUALIFIERS.contains(&b.as_str()));
    }
    SECRET_NOUNS.contains(&last.as_str()) || SECRET_SUFFIXES.iter().any(|s| last.ends_with(s))
}

/// Whether `key` holds, in any case, one of the stems of a secret's name
/// (`pass`, `pwd`, `secret`, `token`, `key`, `cred`): one pass that looks
/// further only at a byte that can start one.
fn has_secret_stem(k: &[u8]) -> bool {
    let at = |i: usize, w: &[u8]| {
        k.get(i..i + w.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(w))
    };
    // `| 0x20` lower-cases a letter (and maps a few other bytes onto
    // letters: the comparison that follows tells)
    k.iter().enumerate().any(|(i, b)| match b | 0x20 {
        b'p' => at(i, b"pass") || at(i, b"pwd"),
        b's' => at(i, b"secret"),
        b't' => at(i, b"token"),
        b'k' => at(i, b"key"),
        b'c' => at(i, b"cred"),
        _ => false,
    })
}

/// The keys whose values fingerprints leave out: the secret keys, and (so
/// that baselines written before secrets were known by meaning keep
/// matching) the keys that merely contain a word of the old list.
pub(crate) fn fingerprint_omits(key: &str) -> bool {
    const OLD_WORDS: [&str; 6] = [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "private_key",
    ];
    let k = key.to_ascii_lowercase();
    is_secret_key(key) || OLD_WORDS.iter().any(|w| k.contains(w))
}

/// Whether a whole table holds secrets (`[secrets]`, `[runtime_secrets]`).
pub(crate) fn is_secret_table(path: &[&str]) -> bool {
    matches!(path.first(), Some(&"secrets") | Some(&"runtime_secrets"))
}

/// A value that is only a reference (`$secret{a}`, `$env{X}`, `${admin.password}`…)
/// carries no secret itself and stays readable.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    ["$secret{", "$env{", "$sys{", "$ref{", "${"]
        .iter()
        .any(|p| v.starts_with(p))
        && v.ends_with('}')
        && v.matches('}').count() == 1
}

/// The byte ranges of secret values in `text` (parsed as `doc` when it parses).
pub fn secret_ranges(text: &str, doc: Option<&Document<String>>) -> Vec<Range<usize>> {
    let mut acc = Vec::new();
    match doc {
        Some(doc) => walk_item(text, doc.as_item(), true, false, &mut acc),
        None => line_fallback(text, &mut acc),
    }
    url_credentials(text, &mut acc);
    acc
}

/// `text` with every secret replaced by `*` (same length).
pub fn redact(text: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        let start = crate::base::text::floor_char_boundary(text, r.start);
        let mut end = r.end.min(text.len());
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        for b in bytes.iter_mut().take(end).skip(start) {
            *b = b'*';
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// `top`: `item` is the document (its keys are top-level tables); a secret
/// table is known by its first segment, and everything below it inherits `secret`.
fn walk_item(text: &str, item: &Item, top: bool, secret: bool, acc: &mut Vec<Range<usize>>) {
    match item {
        Item::Table(t) => {
            let pair = || t.contains_key("value");
            for (k, v) in t.iter() {
                // only the last segment counts: `[apim.cache.gateway_token] enable` is no secret
                let leaf = !matches!(v, Item::Table(_) | Item::ArrayOfTables(_));
                let s = secret || (top && is_secret_table(&[k])) || (leaf && secret_leaf(k, pair));
                walk_item(text, v, false, s, acc);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter() {
                let pair = || t.contains_key("value");
                for (k, v) in t.iter() {
                    let leaf = !matches!(v, Item::Table(_) | Item::ArrayOfTables(_));
                    walk_item(
                        text,
                        v,
                        false,
                        secret || (leaf && secret_leaf(k, pair)),
                        acc,
                    );
                }
            }
        }
        Item::Value(v) => walk_value(text, v, secret, acc),
        Item::None => {}
    }
}

/// A leaf key's value is a secret: its key names one, except `key` in a
/// `key`/`value` pair (`[[registry_handler.nested_property.x]] key = "…"`
/// names a property, it holds no key material).
fn secret_leaf(key: &str, has_value_sibling: impl Fn() -> bool) -> bool {
    // the sibling is looked up only for `key` (a look-up hashes the name)
    is_secret_key(key) && !(key == "key" && has_value_sibling())
}

fn walk_value(text: &str, v: &Value, secret: bool, acc: &mut Vec<Range<usize>>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| walk_value(text, x, secret, acc)),
        Value::InlineTable(t) => {
            let pair = || t.contains_key("value");
            for (k, x) in t.iter() {
                let leaf = !matches!(x, Value::InlineTable(_));
                walk_value(text, x, secret || (leaf && secret_leaf(k, pair)), acc);
            }
        }
        Value::String(s) if secret => {
            if is_reference(s.value()) {
                return;
            }
            if let Some(span) = v.span() {
                acc.push(inner(text, span));
            }
        }
        // a boolean is never a secret (`show_as_token_endpoint_url = true`)
        Value::Boolean(_) => {}
        _ if secret => {
            if let Some(span) = v.span() {
                acc.push(span);
            }
        }
        _ => {}
    }
}

/// The content of a string literal without its quotes.
fn inner(text: &str, span: Range<usize>) -> Range<usize> {
    let raw = text.get(span.clone()).unwrap_or("");
    let q = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with(['"', '\'']) {
        1
    } else {
        0
    };
    if raw.len() >= 2 * q {
        span.start + q..span.end - q
    } else {
        span
    }
}

/// For files that do not parse: `key = value` lines with a secret key, and
/// every value inside `[secrets]`/`[runtime_secrets]`.
fn line_fallback(text: &str, acc: &mut Vec<Range<usize>>) {
    let mut in_secrets = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            let name = trimmed
                .trim_start_matches('[')
                .split([']', '.'])
                .next()
                .unwrap_or("")
                .trim();
            in_secrets = name == "secrets" || name == "runtime_secrets";
        } else if let Some(eq) = line.find('=') {
            let key = line.get(..eq).unwrap_or("").trim();
            let last = key
                .rsplit('.')
                .next()
                .unwrap_or(key)
                .trim_matches(['"', '\'', ' ']);
            let value = line.get(eq + 1..).unwrap_or("");
            if (in_secrets
                || is_secret_key(last)
                || value.to_ascii_lowercase().contains("password"))
                && !key.starts_with('#')
            {
                let v = value.trim();
                let unquoted = v.trim_matches(['"', '\'']);
                if !is_reference(unquoted) {
                    let start = offset + eq + 1 + (value.len() - value.trim_start().len());
                    acc.push(start..start + v.len());
                }
            }
        }
        offset += line.len();
    }
}

/// The credentials of URLs anywhere in a text (a node's XML or properties
/// file): see [`url_credentials`].
pub(crate) fn secret_ranges_in_urls(text: &str) -> Vec<Range<usize>> {
    let mut acc = Vec::new();
    url_credentials(text, &mut acc);
    acc
}

/// The user-info of `scheme://user:pass@host` and `password=…` parameters
/// anywhere in the text (JDBC URLs, AMQP URLs in values and comments).
fn url_credentials(text: &str, acc: &mut Vec<Range<usize>>) {
    let stop = |c: char| matches!(c, '/' | '"' | '\'' | '\n' | ' ' | '\t' | '?' | ',' | ']');
    for i in memchr::memmem::find_iter(text.as_bytes(), b"://") {
        let start = i + 3;
        let rest = text.get(start..).unwrap_or("");
        let end = rest.find(stop).unwrap_or(rest.len());
        if let Some(at) = rest.get(..end).and_then(|a| a.rfind('@')) {
            acc.push(start..start + at);
        }
    }
    // Oracle's `jdbc:oracle:thin:user/password@host…` has no `//` before
    // its user-info
    for i in memchr::memmem::find_iter(text.as_bytes(), b"thin:") {
        let start = i + 5;
        let rest = text.get(start..).unwrap_or("");
        let end = rest
            .find(['"', '\'', '\n', ' ', '\t'])
            .unwrap_or(rest.len());
        let head = rest.get(..end).unwrap_or("");
        if let Some(at) = head.find('@')
            && head.get(..at).is_some_and(|u| u.contains('/'))
        {
            acc.push(start..start + at);
        }
    }
    // `password=`, `pwd=`, `passwd=` in any case: one pass over the `=` signs
    // rather than a lower-cased copy of the file searched three times
    let mut found: [Vec<Range<usize>>; 3] = Default::default();
    let bytes = text.as_bytes();
    for eq in memchr::memchr_iter(b'=', bytes) {
        // each word ends in `d`: most `=` signs are told by the byte before
        let before = eq.checked_sub(1).and_then(|i| bytes.get(i));
        if !before.is_some_and(|b| b.eq_ignore_ascii_case(&b'd')) {
            continue;
        }
        let ends_with = |w: &str| {
            eq.checked_sub(w.len())
                .and_then(|s| bytes.get(s..eq))
                .is_some_and(|b| b.eq_ignore_ascii_case(w.as_bytes()))
        };
        let Some(slot) = ["password", "pwd", "passwd"]
            .iter()
            .position(|w| ends_with(w))
            .and_then(|i| found.get_mut(i))
        else {
            continue;
        };
        let start = eq + 1;
        let rest = text.get(start..).unwrap_or("");
        let end = rest
            .find([';', '&', '"', '\'', '\n', ' ', ')'])
            .unwrap_or(rest.len());
        slot.push(start..start + end);
    }
    acc.extend(found.into_iter().flatten());
}

/// Any text, parsed and redacted: for texts that are no node's (yet), such as
/// the result of a fix shown by `--diff`.
pub(crate) fn redact_text(text: &str) -> String {
    let parsed = crate::syntax::parse(text);
    redact(text, &secret_ranges(text, parsed.doc.as_ref()))
}

/// A single value with URL credentials (`user:pass@`, `password=…`)
/// starred out: what fingerprints hash, so a baseline never holds a
/// reversible hash of a password.
pub(crate) fn redact_value(value: &str) -> String {
    let mut acc = Vec::new();
    url_credentials(value, &mut acc);
    redact(value, &acc)
}

/// What every outgoing text (a finding's message, help, related messages,
/// fix title; a graph label; a fix's refusal) goes through before it leaves
/// the analysis: the user-info and `password=` parts of URLs in it starred,
/// and every secret value of the deployment's files (the text of their
/// secret ranges) starred where it stands as a whole token. Messages are
/// made from values by many rules; scrubbing them at the one point where
/// findings leave the driver (rather than trusting each rule to quote
/// values carefully) keeps a rule written tomorrow from leaking.
///
/// The values are borrowed from the files and indexed by their first bytes:
/// making one is linear in the secrets (no copy), and a text costs one
/// look-up per token start.
#[derive(Debug, Clone, Default)]
pub struct Scrubber<'a> {
    /// Secret values by their first [`MIN_SCRUBBED`] bytes, longest first.
    by_prefix: HashMap<[u8; MIN_SCRUBBED], Vec<&'a str>>,
}

/// Shorter secret values are not searched for in messages: a password
/// `admin` would star `admin` wherever a message says it (a help text on
/// default credentials included). Such a value is a well-known default, not
/// a secret the output could leak; URL credentials are starred whatever
/// their length.
const MIN_SCRUBBED: usize = 6;

/// Whether the byte at `i` continues a token (a value inside
/// `super_admin`, `admin-2` or `wso2carbon.jks` is not the value itself); a
/// `.` ending a sentence does not.
fn continues(bytes: &[u8], i: Option<usize>, outward: isize) -> bool {
    let at = |i: Option<usize>| i.and_then(|i| bytes.get(i)).copied();
    match at(i) {
        Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => true,
        Some(b'.') => {
            let next = i.and_then(|i| i.checked_add_signed(outward));
            at(next).is_some_and(|b| b.is_ascii_alphanumeric())
        }
        _ => false,
    }
}

fn prefix(b: &[u8]) -> Option<[u8; MIN_SCRUBBED]> {
    b.get(..MIN_SCRUBBED)?.try_into().ok()
}

impl<'a> Scrubber<'a> {
    /// A scrubber for the secret values of `files` (each text with its
    /// secret ranges).
    pub fn new(files: impl IntoIterator<Item = (&'a str, &'a [Range<usize>])>) -> Scrubber<'a> {
        // the same values recur in every node (`$secret{…}` aliases): each
        // distinct one is kept once before any sorting
        let mut distinct: foldhash::HashSet<&'a str> = foldhash::HashSet::default();
        for (text, ranges) in files {
            distinct.extend(
                ranges
                    .iter()
                    .filter_map(|r| text.get(r.clone()))
                    .map(str::trim)
                    .filter(|v| v.bytes().any(|b| b != b'*')),
            );
        }
        let mut by_prefix: HashMap<[u8; MIN_SCRUBBED], Vec<&'a str>> = HashMap::new();
        for v in distinct {
            if let Some(p) = prefix(v.as_bytes()) {
                by_prefix.entry(p).or_default().push(v);
            }
        }
        for vs in by_prefix.values_mut() {
            vs.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            vs.dedup();
        }
        Scrubber { by_prefix }
    }

    /// `text` with URL credentials and the deployment's secret values
    /// starred (same length).
    pub fn scrub(&self, text: &str) -> String {
        let mut acc = Vec::new();
        url_credentials(text, &mut acc);
        if !self.by_prefix.is_empty() {
            let bytes = text.as_bytes();
            let mut i = 0;
            while i + MIN_SCRUBBED <= bytes.len() {
                let found = (!continues(bytes, i.checked_sub(1), -1))
                    .then(|| {
                        let rest = bytes.get(i..)?;
                        let vs = self.by_prefix.get(&prefix(rest)?)?;
                        vs.iter().find(|v| {
                            rest.starts_with(v.as_bytes())
                                && !continues(bytes, Some(i + v.len()), 1)
                        })
                    })
                    .flatten();
                match found {
                    Some(v) => {
                        acc.push(i..i + v.len());
                        i += v.len();
                    }
                    None => i += 1,
                }
            }
        }
        redact(text, &acc)
    }

    /// Scrub `s` in place.
    pub(crate) fn scrub_in_place(&self, s: &mut String) {
        let clean = self.scrub(s);
        if clean != *s {
            *s = clean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(text: &str) -> String {
        let p = crate::syntax::parse(text);
        redact(text, &secret_ranges(text, p.doc.as_ref()))
    }

    #[test]
    fn secrets_are_starred_with_same_length() {
        let text = "[super_admin]\nusername = \"admin\"\npassword = \"s3cr3t\"\n[database.apim_db]\nurl = \"jdbc:mysql://u:pw@db:3306/x?password=abc&x=1\"\npassword = \"$secret{db}\"\n[secrets]\ndb = \"cipher==\"\n";
        let out = red(text);
        assert_eq!(out.len(), text.len());
        assert!(
            !out.contains("s3cr3t")
                && !out.contains("cipher")
                && !out.contains("u:pw")
                && !out.contains("abc")
        );
        assert!(out.contains("$secret{db}") && out.contains("\"admin\""));
    }

    #[test]
    fn secret_keys_are_known_by_meaning() {
        for k in [
            "password",
            "Password",
            "key",
            "old_key",
            "totpKey",
            "wf_engine_pass",
            "SendgridAPIKey",
            "secret_key",
            "access_key",
            "api_token",
            "GmailRefreshToken",
            "GmailClientSecret",
            "consumer_secret",
            "certificateKeyPassword",
            "ConnectionPassword",
            "truststorePassword",
            "keystorePass",
            "javax.net.ssl.keyStorePassword",
            "apikey",
            "x-api-key",
            "client_credentials",
            "passphrase",
            "password_encrypted",
            "SENDGRID_API_KEY",
            "private_key",
        ] {
            assert!(is_secret_key(k), "{k} names a secret");
        }
        for k in [
            "key_manager",
            "keystore",
            "alias",
            "token_endpoint",
            "enable",
            "key_validation_handler_type",
            "password_hash_method",
            "bypass_hosts",
            "enable_token_encryption",
            "hide_secrets",
            "site_key",
            "consumer_key",
            "tagKey",
            "sign_with_sp_key",
            "secret_count",
            "token_length",
            "key_alias",
            "pass_through_control_frames",
            "UseCaseSensitiveUsernameForCacheKeys",
            "userstore_password_encryption",
            "securevault_secret_handler",
            "AuthTokenEndpoint",
            "show_as_token_endpoint_url",
            "username",
            "",
        ] {
            assert!(!is_secret_key(k), "{k} names no secret");
        }
        assert_eq!(key_words("SendgridAPIKey"), ["sendgrid", "api", "key"]);
        assert_eq!(
            key_words("'org.wso2.CipherTransformation'"),
            ["org", "wso2", "cipher", "transformation"]
        );
    }

    #[test]
    fn values_of_secret_keys_are_starred_and_neighbours_are_not() {
        let text = "[encryption]\nkey = \"EncKey1\"\nold_key = \"OldKey2\"\ntotpKey = \"Totp3\"\n[apim.workflow]\nwf_engine_pass = \"Wf4\"\n[apim.key_manager]\nkey_validation_handler_type = \"default\"\nservice_url = \"https://km:9443/services/\"\n[[registry_handler]]\nkey = \"propName\"\nvalue = \"v\"\n[broker]\nurl = \"amqp://admin:AmqpPw@clientid/carbon?brokerlist='tcp://h:5672'\"\n[database.x]\nurl = \"jdbc:oracle:thin:apim/OraPw@db:1521/ORCL\"\n";
        let out = red(text);
        for s in ["EncKey1", "OldKey2", "Totp3", "Wf4", "AmqpPw", "OraPw"] {
            assert!(!out.contains(s), "{s} is starred: {out}");
        }
        for s in [
            "\"default\"",
            "https://km:9443/services/",
            "\"propName\"",
            "tcp://h:5672",
        ] {
            assert!(out.contains(s), "{s} is shown: {out}");
        }
    }

    #[test]
    fn the_scrubber_stars_url_credentials_and_secret_values_as_tokens() {
        let text = "[a]\npassword = \"Hunter22\"\nurl = \"https://u:UrlPw99@h:1/\"\n";
        let p = crate::syntax::parse(text);
        let ranges = secret_ranges(text, p.doc.as_ref());
        let s = Scrubber::new([(text, ranges.as_slice())]);
        assert_eq!(
            s.scrub("`https://u:UrlPw99@h:2/` and Hunter22, not xHunter22y, Hunter22_b, Hunter22.jks, but Hunter22."),
            "`https://*********@h:2/` and ********, not xHunter22y, Hunter22_b, Hunter22.jks, but ********."
        );
        // another URL's credentials too, though no file holds them
        assert_eq!(
            s.scrub("tcp://a:b@h jdbc:x;password=p1;"),
            "tcp://***@h jdbc:x;password=**;"
        );
        assert_eq!(Scrubber::default().scrub("plain"), "plain");
    }

    #[test]
    fn unparsable_files_are_redacted_too() {
        let text = "[super_admin]\npassword = \"s3cr3t\"\n[broken\n";
        assert!(!red(text).contains("s3cr3t"));
    }
}
