//! The keystore reader (`apimlint_core::keystore`) on files made by the real
//! tool: the committed fixtures (`scripts/make-keystores.sh`, keytool), checked
//! against what `keytool -list -v` says of each when keytool is on PATH, and
//! WSO2's own default keystores of 4.0.0 … 4.7.0 (`shared/corpus`, read at test
//! time; without it those tests say so and check nothing).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use apimlint_core::keystore::{
    self, Certificate, EntryKind, Error, Format, Integrity, Keystore, NotInspected, Read,
};

const PASS: &str = "wso2carbon";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keystores")
}

fn bytes(name: &str) -> Vec<u8> {
    let p = fixtures().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn inspected(bytes: &[u8], password: Option<&str>) -> Keystore {
    match keystore::read(bytes, password) {
        Ok(Read::Inspected(k)) => k,
        other => panic!("not inspected: {other:?}"),
    }
}

fn fixture(name: &str) -> Keystore {
    inspected(&bytes(name), Some(PASS))
}

/// Every committed fixture, with the password it was made with.
fn committed() -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    // the samples' keystores too (`repository/resources/security/` of each node)
    let mut dirs = vec![fixtures(), fixtures().join("other")];
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deployments");
    for sample in std::fs::read_dir(&samples).unwrap().flatten() {
        for region in std::fs::read_dir(sample.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            for home in std::fs::read_dir(region.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let sec = home.path().join("repository/resources/security");
                if sec.is_dir() {
                    dirs.push(sec);
                }
            }
        }
    }
    for dir in dirs {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_file() {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                out.push((
                    p,
                    if name.starts_with("other-password") {
                        "otherpass"
                    } else {
                        PASS
                    },
                ));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 15 + 48, "fixtures missing: {out:?}");
    out
}

fn leaf<'a>(k: &'a Keystore, alias: &str) -> &'a Certificate {
    k.entry(alias)
        .and_then(|e| e.certificate())
        .unwrap_or_else(|| panic!("no certificate under {alias}: {k:?}"))
}

#[test]
fn formats_come_from_the_content_not_the_name() {
    for (name, format) in [
        ("wso2carbon.jks", Format::Jks),
        ("primary.jceks", Format::Jceks),
        ("primary.p12", Format::Pkcs12),
        ("client-truststore.p12", Format::Pkcs12),
    ] {
        assert_eq!(fixture(name).format, format, "{name}");
    }
    // a PKCS#12 under a .jks name, as WSO2 4.4.0 ships: the name is not read at all
    let p12 = bytes("primary.p12");
    assert_eq!(Format::detect(&p12), Some(Format::Pkcs12));
    assert_eq!(Format::detect(b"not a keystore"), None);
    assert_eq!(
        keystore::read(b"\xfe\xed\xfe", None),
        Err(Error::UnknownFormat)
    );
}

#[test]
fn jks_is_read_without_the_password_and_checked_with_it() {
    let b = bytes("wso2carbon.jks");
    let without = inspected(&b, None);
    assert_eq!(without.integrity, Integrity::NotChecked);
    let with = inspected(&b, Some(PASS));
    assert_eq!(with.integrity, Integrity::Verified);
    assert_eq!(without.entries, with.entries);
    let e = with.entry("wso2carbon").unwrap();
    assert_eq!(e.kind, EntryKind::PrivateKey);
    assert!(e.created.is_some());
    let c = e.certificate().unwrap();
    assert_eq!(c.subject, "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US");
    assert_eq!(c.common_name.as_deref(), Some("localhost"));
    assert_eq!(c.dns_names, ["localhost", "gw.example.com"]);
    assert_eq!(
        c.ip_addresses,
        ["127.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(keystore::date(c.not_before), "2024-01-01");
    assert_eq!(keystore::date(c.not_after), "2033-12-29");
    // the wrong password, and a store made with another one
    assert_eq!(inspected(&b, Some("wrong")).integrity, Integrity::Failed);
    assert_eq!(fixture("other-password.jks").integrity, Integrity::Failed);
    let other = inspected(&bytes("other-password.jks"), Some("otherpass"));
    assert_eq!(other.integrity, Integrity::Verified);
}

#[test]
fn a_tampered_jks_fails_its_integrity_check() {
    let mut b = bytes("wso2carbon.jks");
    // a byte of the certificate's signature, near the end, before the digest
    let i = b.len() - 30;
    b[i] ^= 1;
    assert_eq!(inspected(&b, Some(PASS)).integrity, Integrity::Failed);
}

#[test]
fn pkcs12_of_every_protection_keytool_writes() {
    // Java 17: PBES2/AES-256 certificates, HMAC-SHA256 MAC; legacy: RC2-40, SHA-1 MAC; 3DES
    for name in [
        "primary.p12",
        "legacy.p12",
        "tdes.p12",
        "wso2carbon-reexported.p12",
    ] {
        let b = bytes(name);
        let k = inspected(&b, Some(PASS));
        assert_eq!(k.integrity, Integrity::Verified, "{name}");
        assert_eq!(k.entries.len(), 1, "{name}");
        let e = k.entry("wso2carbon").unwrap();
        assert_eq!((e.kind, e.created), (EntryKind::PrivateKey, None), "{name}");
        assert_eq!(
            leaf(&k, "wso2carbon").common_name.as_deref(),
            Some("localhost")
        );
        // certificates encrypted, no password: not inspected, never a guess
        assert_eq!(
            keystore::read(&b, None),
            Ok(Read::NotInspected {
                format: Format::Pkcs12,
                why: NotInspected::EncryptedWithoutPassword
            }),
            "{name}"
        );
        // the wrong password: a verdict, not an error
        assert_eq!(
            inspected(&b, Some("wrong")).integrity,
            Integrity::Failed,
            "{name}"
        );
    }
    assert_eq!(fixture("other-password.p12").integrity, Integrity::Failed);
    let secret = fixture("secret.p12");
    assert_eq!(
        secret.entry("symmetric").unwrap().kind,
        EntryKind::SecretKey
    );
    let trust = fixture("client-truststore.p12");
    assert_eq!(
        trust.entry("gateway_certificate_alias").unwrap().kind,
        EntryKind::TrustedCertificate
    );
}

#[test]
fn the_same_key_re_exported_has_the_same_fingerprint_another_key_does_not() {
    let jks = fixture("wso2carbon.jks");
    let reexported = fixture("wso2carbon-reexported.p12");
    let other = fixture("other/wso2carbon.jks");
    let truststore = fixture("client-truststore.jks");
    let primary = leaf(&jks, "wso2carbon");
    assert_eq!(primary.sha256, leaf(&reexported, "wso2carbon").sha256);
    assert_eq!(
        primary.sha256,
        leaf(&truststore, "gateway_certificate_alias").sha256
    );
    assert_ne!(primary.sha256, leaf(&other, "wso2carbon").sha256);
    assert_eq!(primary.subject, leaf(&other, "wso2carbon").subject);
}

#[test]
fn chains_expiry_and_jceks() {
    let chain = fixture("chain.jks");
    let server = chain.entry("server").unwrap();
    assert_eq!(server.chain.len(), 2);
    assert_eq!(server.chain[0].issuer, "CN=Example Root CA,O=Example");
    assert_eq!(server.chain[1].sha256, leaf(&chain, "ca").sha256);
    assert_eq!(server.chain[0].dns_names, ["cp.example.com"]);
    let expired = leaf(&fixture("expired.jks"), "wso2carbon").clone();
    assert_eq!(keystore::date(expired.not_after), "2020-01-31");
    let expiring = leaf(&fixture("expiring.jks"), "wso2carbon").clone();
    assert_eq!(keystore::date(expiring.not_after), "2027-01-01");
    assert_eq!(fixture("primary.jceks").integrity, Integrity::Verified);
}

#[test]
fn debug_output_holds_no_password_key_or_whole_certificate() {
    for (p, pass) in committed() {
        let b = std::fs::read(&p).unwrap();
        let shown = format!("{:?}", keystore::read(&b, Some(pass)));
        assert!(!shown.contains("otherpass"), "{}: {shown}", p.display());
        // no run of 64 hex digits (a whole fingerprint, key bytes) and no DER
        let hexrun = shown
            .split(|c: char| !c.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(hexrun < 32, "{}: {shown}", p.display());
        assert!(shown.len() < 400 * (1 + shown.matches("Entry").count()));
    }
}

// ---- keytool agrees ------------------------------------------------------------------

fn keytool() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("keytool"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!(
            "keytool not on PATH: the keytool comparison checks nothing (apt install default-jdk-headless)"
        );
    }
    found
}

/// One entry as keytool lists it: alias, kind, chain fingerprints, creation date.
type Listed = (String, EntryKind, Vec<String>, String);

fn keytool_list(keytool: &Path, file: &Path, pass: &str) -> (String, Vec<Listed>) {
    let out = Command::new(keytool)
        .args([
            "-J-Duser.language=en",
            "-J-Duser.country=US",
            "-J-Duser.timezone=UTC",
        ])
        .args(["-list", "-v", "-keystore"])
        .arg(file)
        .args(["-storepass", pass])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "keytool -list {}: {text}",
        file.display()
    );
    let kind = text
        .lines()
        .find_map(|l| l.strip_prefix("Keystore type: "))
        .unwrap()
        .to_owned();
    let mut entries = Vec::new();
    for block in text.split("Alias name: ").skip(1) {
        let alias = block.lines().next().unwrap().to_owned();
        let field = |name: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or("")
                .to_owned()
        };
        let kind = match field("Entry type: ").as_str() {
            "PrivateKeyEntry" => EntryKind::PrivateKey,
            "trustedCertEntry" => EntryKind::TrustedCertificate,
            "SecretKeyEntry" => EntryKind::SecretKey,
            other => panic!("{other}"),
        };
        let prints = block
            .lines()
            .filter_map(|l| l.trim().strip_prefix("SHA256: "))
            .map(str::to_owned)
            .collect();
        entries.push((alias, kind, prints, field("Creation date: ")));
    }
    entries.sort();
    (kind, entries)
}

/// keytool's `Creation date:` (en_US, UTC): `Dec 7, 2026`.
fn keytool_date(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = keystore::date(ms.div_euclid(1000));
    let (y, rest) = d.split_once('-').unwrap();
    let (m, day) = rest.split_once('-').unwrap();
    let m: usize = m.parse().unwrap();
    format!("{} {}, {y}", MONTHS[m - 1], day.trim_start_matches('0'))
}

fn agrees_with_keytool(keytool: &Path, file: &Path, pass: &str) {
    let (kind, listed) = keytool_list(keytool, file, pass);
    let b = std::fs::read(file).unwrap();
    let k = inspected(&b, Some(pass));
    assert!(
        matches!(k.integrity, Integrity::Verified | Integrity::NoMac),
        "{}: {:?}",
        file.display(),
        k.integrity
    );
    assert_eq!(k.format.name(), kind, "{}", file.display());
    let mut ours: Vec<Listed> = k
        .entries
        .iter()
        .map(|e| {
            let listed_date = listed
                .iter()
                .find(|l| l.0 == e.alias)
                .map(|l| l.3.clone())
                .unwrap_or_default();
            (
                e.alias.clone(),
                e.kind,
                e.chain.iter().map(Certificate::fingerprint).collect(),
                // PKCS#12 stores no date: keytool shows the time of listing
                e.created.map_or(listed_date, keytool_date),
            )
        })
        .collect();
    ours.sort();
    assert_eq!(ours.len(), listed.len(), "{}", file.display());
    for (o, l) in ours.iter().zip(&listed) {
        assert_eq!(o, l, "{}", file.display());
    }
}

#[test]
fn keytool_lists_what_the_reader_reads_on_every_fixture() {
    let Some(keytool) = keytool() else { return };
    // one JVM per file: in parallel
    std::thread::scope(|s| {
        for (file, pass) in committed() {
            let keytool = &keytool;
            s.spawn(move || agrees_with_keytool(keytool, &file, pass));
        }
    });
}

#[test]
fn keytool_refuses_the_password_the_reader_fails() {
    let Some(keytool) = keytool() else { return };
    for name in ["wso2carbon.jks", "primary.p12", "legacy.p12"] {
        let file = fixtures().join(name);
        let out = Command::new(&keytool)
            .args(["-list", "-keystore"])
            .arg(&file)
            .args(["-storepass", "wrongpassword"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{name}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("password was incorrect"), "{name}: {text}");
        assert_eq!(
            inspected(&bytes(name), Some("wrongpassword")).integrity,
            Integrity::Failed
        );
    }
}

// ---- WSO2's default keystores ----------------------------------------------------------

fn default_keystores() -> Option<PathBuf> {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let found = [beside, PathBuf::from("/work/shared/corpus")]
        .into_iter()
        .map(|c| c.join("wso2__default-keystores"))
        .find(|p| p.is_dir());
    if found.is_none() {
        eprintln!("shared/corpus/wso2__default-keystores not found: nothing to check");
    }
    found
}

/// Per release: the format of both files, and the `wso2carbon` certificate's
/// SHA-256 prefix and notAfter (corpus SOURCES.md; node-files.md for 4.0–4.5).
const RELEASES: &[(&str, Format, &str, &str)] = &[
    ("4.0.0", Format::Jks, "3612ad8f", "2022-01-25"),
    ("4.1.0", Format::Jks, "02e6217a", "2024-04-30"),
    ("4.2.0", Format::Jks, "1b2429b1", "2025-05-27"),
    ("4.3.0", Format::Jks, "80f154f2", "2026-05-27"),
    ("4.4.0", Format::Pkcs12, "5d094d20", "2026-12-14"),
    ("4.5.0", Format::Pkcs12, "1e1bcdeb", "2027-05-19"),
    ("4.6.0", Format::Jks, "30311c84", "2027-12-26"),
    ("4.7.0", Format::Jks, "ca5c9b54", "2028-06-06"),
];

#[test]
fn wso2_default_keystores_of_every_release() {
    let Some(dir) = default_keystores() else {
        return;
    };
    for &(version, format, prefix, not_after) in RELEASES {
        let read = |name: &str, password| {
            let b = std::fs::read(dir.join(version).join(name)).unwrap();
            inspected(&b, password)
        };
        let keys = read("wso2carbon.jks", Some(PASS));
        let trust = read("client-truststore.jks", Some(PASS));
        // certificates in plaintext bags (4.4.0, 4.5.0) or JKS: readable without the password
        assert_eq!(
            read("wso2carbon.jks", None).entries,
            keys.entries,
            "{version}"
        );
        for k in [&keys, &trust] {
            assert_eq!(k.format, format, "{version}");
            let expect = if format == Format::Jks {
                Integrity::Verified
            } else {
                Integrity::NoMac
            };
            assert_eq!(k.integrity, expect, "{version}");
            assert!(k.entries.len() > 80, "{version}: {}", k.entries.len());
        }
        let entry = keys.entry("wso2carbon").unwrap();
        assert_eq!(entry.kind, EntryKind::PrivateKey, "{version}");
        let cert = entry.certificate().unwrap();
        assert_eq!(cert.fingerprint_prefix(8), prefix, "{version}");
        assert_eq!(keystore::date(cert.not_after), not_after, "{version}");
        assert_eq!(cert.common_name.as_deref(), Some("localhost"), "{version}");
        assert_eq!(
            leaf(&trust, "gateway_certificate_alias").sha256,
            cert.sha256,
            "{version}"
        );
        // WSO2 4.4.0/4.5.0's MAC-less PKCS#12 holds a shrouded key: integrity is not
        // checkable, yet a wrong password changes nothing the reader says
        if format == Format::Pkcs12 {
            let b = std::fs::read(dir.join(version).join("wso2carbon.jks")).unwrap();
            assert_eq!(inspected(&b, Some("wrong")).entries, keys.entries);
        }
    }
}

#[test]
fn keytool_lists_what_the_reader_reads_on_wso2_default_keystores() {
    let Some(dir) = default_keystores() else {
        return;
    };
    let Some(keytool) = keytool() else { return };
    std::thread::scope(|s| {
        for &(version, ..) in RELEASES {
            for name in ["wso2carbon.jks", "client-truststore.jks"] {
                let (keytool, file) = (&keytool, dir.join(version).join(name));
                s.spawn(move || agrees_with_keytool(keytool, &file, PASS));
            }
        }
    });
}
