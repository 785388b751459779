//! Hostile input: every answer is a typed error or a result, never a panic,
//! and nothing is allocated from a claimed size.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keystores")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A DER TLV (definite length).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let digits: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | digits.len() as u8);
        out.extend(digits);
    }
    out.extend_from_slice(content);
    out
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// A JKS header: magic, version 2, `count` entries.
fn jks_header(count: u32) -> Vec<u8> {
    let mut b = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2];
    b.extend(count.to_be_bytes());
    b
}

/// A trusted-certificate entry whose certificate is `der`, its length as claimed.
fn jks_trusted(claimed: u32, der: &[u8]) -> Vec<u8> {
    let mut b = 2u32.to_be_bytes().to_vec();
    b.extend([0, 1, b'a']);
    b.extend(0i64.to_be_bytes());
    b.extend([0, 5]);
    b.extend(b"X.509");
    b.extend(claimed.to_be_bytes());
    b.extend_from_slice(der);
    b
}

#[test]
fn wrong_magic_and_empty_input() {
    for bytes in [
        &b""[..],
        b"\x00",
        b"hello world",
        b"\xfe\xed\xfe",
        b"\x30\x03\x02\x01\x02",
    ] {
        assert_eq!(read(bytes, None), Err(Error::UnknownFormat), "{bytes:?}");
    }
}

#[test]
fn every_truncation_is_an_error() {
    for name in [
        "wso2carbon.jks",
        "chain.jks",
        "primary.jceks",
        "primary.p12",
        "legacy.p12",
    ] {
        let full = fixture(name);
        for n in 0..full.len() {
            let r = read(&full[..n], Some("wso2carbon"));
            assert!(r.is_err(), "{name} cut at {n}: {r:?}");
        }
        assert!(read(&full, Some("wso2carbon")).is_ok());
    }
}

#[test]
fn huge_counts_and_lengths_are_truncation_not_allocation() {
    // 2^31 entries in 12 bytes
    let r = read(&jks_header(0x8000_0000), None);
    assert_eq!(r, Err(Error::Truncated { offset: 12 }));
    // a 4 GiB certificate
    let b = cat(&[jks_header(1), jks_trusted(u32::MAX, b"\x30\x00")]);
    assert!(
        matches!(read(&b, None), Err(Error::Truncated { .. })),
        "{:?}",
        read(&b, None)
    );
    // a private key entry claiming 2^32-1 certificates
    let mut b = jks_header(1);
    b.extend(1u32.to_be_bytes());
    b.extend([0, 1, b'k']);
    b.extend(0i64.to_be_bytes());
    b.extend(0u32.to_be_bytes());
    b.extend(u32::MAX.to_be_bytes());
    assert!(matches!(read(&b, None), Err(Error::Truncated { .. })));
}

#[test]
fn bad_jks_versions_tags_and_names() {
    let mut v3 = jks_header(0);
    v3[7] = 3;
    assert!(matches!(
        read(&v3, None),
        Err(Error::Unsupported { offset: 4, .. })
    ));
    let mut bad_tag = jks_header(1);
    bad_tag.extend(9u32.to_be_bytes());
    bad_tag.extend([0, 1, b'a']);
    bad_tag.extend(0i64.to_be_bytes());
    assert!(matches!(
        read(&bad_tag, None),
        Err(Error::Malformed { offset: 12, .. })
    ));
    let mut bad_utf = jks_header(1);
    bad_utf.extend(2u32.to_be_bytes());
    bad_utf.extend([0, 1, 0xff]);
    assert!(matches!(read(&bad_utf, None), Err(Error::Malformed { .. })));
    // JCEKS secret keys are Java-serialized objects: refused, not guessed
    let mut jceks = jks_header(1);
    jceks[..4].copy_from_slice(&[0xce; 4]);
    jceks.extend(3u32.to_be_bytes());
    jceks.extend([0, 1, b's']);
    jceks.extend(0i64.to_be_bytes());
    assert!(matches!(read(&jceks, None), Err(Error::Unsupported { .. })));
}

#[test]
fn a_deeply_nested_certificate_is_an_error() {
    let mut der = Vec::new();
    for _ in 0..3_000 {
        der = tlv(0x30, &der);
    }
    let b = cat(&[jks_header(1), jks_trusted(der.len() as u32, &der)]);
    assert!(matches!(read(&b, None), Err(Error::Certificate { .. })));
    // and as a PKCS#12 body
    let pfx = tlv(0x30, &cat(&[tlv(0x02, &[3]), der]));
    assert!(read(&pfx, Some("x")).is_err());
}

fn pfx(auth_safe: &[u8], mac: Option<Vec<u8>>) -> Vec<u8> {
    let content_info = tlv(
        0x30,
        &cat(&[tlv(0x06, der::oid::DATA), tlv(0xa0, &tlv(0x04, auth_safe))]),
    );
    tlv(
        0x30,
        &cat(&[tlv(0x02, &[3]), content_info, mac.unwrap_or_default()]),
    )
}

#[test]
fn a_huge_iteration_count_is_refused_not_computed() {
    let mac = tlv(
        0x30,
        &cat(&[
            tlv(
                0x30,
                &cat(&[
                    tlv(0x30, &cat(&[tlv(0x06, der::oid::SHA256), vec![5, 0]])),
                    tlv(0x04, &[0; 32]),
                ]),
            ),
            tlv(0x04, &[1; 8]),
            tlv(0x02, &[0x7f, 0xff, 0xff, 0xff]),
        ]),
    );
    let b = pfx(&tlv(0x30, &[]), Some(mac));
    let started = std::time::Instant::now();
    assert!(matches!(
        read(&b, Some("x")),
        Err(Error::Unsupported { .. })
    ));
    assert!(started.elapsed().as_secs() < 5);
    // without a password nothing is derived at all
    assert!(matches!(
        read(&b, None),
        Ok(Read::Inspected(Keystore {
            integrity: Integrity::NotChecked,
            ..
        }))
    ));
}

#[test]
fn nested_safe_contents_bags_are_bounded() {
    let mut contents = tlv(0x30, &[]);
    for _ in 0..10 {
        let bag = tlv(
            0x30,
            &cat(&[tlv(0x06, der::oid::SAFE_CONTENTS_BAG), tlv(0xa0, &contents)]),
        );
        contents = tlv(0x30, &bag);
    }
    let auth_safe = tlv(
        0x30,
        &tlv(
            0x30,
            &cat(&[tlv(0x06, der::oid::DATA), tlv(0xa0, &tlv(0x04, &contents))]),
        ),
    );
    assert!(matches!(
        read(&pfx(&auth_safe, None), None),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn long_and_indefinite_lengths_are_errors() {
    let b = [0x30, 0x85, 1, 0, 0, 0, 0, 0x02, 0x01, 0x03];
    assert!(matches!(read(&b, None), Err(Error::Malformed { .. })));
    let b = [0x30, 0x80, 0x02, 0x01, 0x03, 0, 0];
    assert!(matches!(read(&b, None), Err(Error::Malformed { .. })));
}

#[test]
fn flipped_bytes_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for name in [
        "wso2carbon.jks",
        "primary.p12",
        "legacy.p12",
        "tdes.p12",
        "chain.jks",
    ] {
        let full = fixture(name);
        for _ in 0..40 {
            let mut b = full.clone();
            for _ in 0..3 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed as usize) % b.len();
                b[i] ^= (seed >> 32) as u8 | 1;
            }
            let _ = read(&b, Some("wso2carbon"));
            let _ = read(&b, None);
        }
    }
}

#[test]
fn dates_and_modified_utf8() {
    assert_eq!(date(0), "1970-01-01");
    assert_eq!(date(951_782_400), "2000-02-29");
    assert_eq!(date(-86_400), "1969-12-31");
    assert_eq!(date(1_798_761_600), "2027-01-01");
}
