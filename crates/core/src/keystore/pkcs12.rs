//! PKCS#12 (RFC 7292) as Java's `PKCS12KeyStore` reads it: the MAC, the bags,
//! and entries made of them — a key bag and the certificate bag of the same
//! `localKeyId` are one private-key entry named by its `friendlyName`; a
//! certificate bag with Oracle's `trustedKeyUsage` attribute is a trusted
//! entry; a secret bag a secret-key entry. Key bags are never decrypted.

use sha1::Sha1;
use sha2::Sha256;

use super::crypto;
use super::der::{self, BMP_STRING, CONTEXT_0, CONTEXT_0_PRIMITIVE, OCTET_STRING, Reader, oid};
use super::{
    Certificate, Entry, EntryKind, Error, Format, Integrity, Keystore, NotInspected, Read,
};

/// `safeContentsBag`s nest; deeper than this is refused.
const MAX_NESTING: usize = 4;

enum Content {
    Key,
    Cert(Certificate),
    Secret,
    Other,
}

struct Bag {
    content: Content,
    friendly_name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    trusted: bool,
}

pub(super) fn read(bytes: &[u8], password: Option<&str>) -> Result<Read, Error> {
    let mut top = Reader::new(bytes, 0);
    let mut pfx = top.sequence("PFX")?;
    pfx.uint("PFX version")?;
    let mut auth = pfx.sequence("authSafe ContentInfo")?;
    let at = auth.offset();
    if auth.oid("authSafe content type")? != oid::DATA {
        return Err(Error::Unsupported {
            offset: at,
            what: "public-key integrity mode (signed authSafe)",
        });
    }
    let data = Reader::of(auth.expect(CONTEXT_0, "authSafe content")?)
        .expect(OCTET_STRING, "authSafe data")?;
    let integrity = match (pfx.optional(der::SEQUENCE)?, password) {
        (None, _) => Integrity::NoMac,
        (Some(_), None) => Integrity::NotChecked,
        (Some(mac), Some(p)) => verify_mac(Reader::of(mac), data.value, p)?,
    };
    let mut safes = Reader::of(data).sequence("AuthenticatedSafe")?;
    let mut bags = Vec::new();
    let mut skipped = false;
    while !safes.is_empty() {
        let mut info = safes.sequence("ContentInfo")?;
        let at = info.offset();
        let kind = info.oid("ContentInfo type")?;
        let mut content = Reader::of(info.expect(CONTEXT_0, "ContentInfo content")?);
        if kind == oid::DATA {
            let plain = content.expect(OCTET_STRING, "SafeContents")?;
            safe_contents(Reader::of(plain), &mut bags, 0)?;
        } else if kind == oid::ENCRYPTED_DATA {
            match password.filter(|_| integrity != Integrity::Failed) {
                Some(p) => {
                    let plain = encrypted_data(content.sequence("EncryptedData")?, at, p)?;
                    // offsets inside decrypted bytes would mean nothing: the
                    // EncryptedData's offset locates every error in it
                    safe_contents(Reader::new(&plain, at), &mut bags, 0)
                        .map_err(|_| Error::Decryption { offset: at })?;
                }
                None => skipped = true,
            }
        } else {
            return Err(Error::Unsupported {
                offset: at,
                what: "ContentInfo other than data or encryptedData (enveloped)",
            });
        }
    }
    if skipped && password.is_none() {
        return Ok(Read::NotInspected {
            format: Format::Pkcs12,
            why: NotInspected::EncryptedWithoutPassword,
        });
    }
    Ok(Read::Inspected(Keystore {
        format: Format::Pkcs12,
        entries: entries(bags),
        integrity,
    }))
}

/// `MacData`: the HMAC of the authSafe's content under a password-derived key.
fn verify_mac(mut mac: Reader<'_>, data: &[u8], password: &str) -> Result<Integrity, Error> {
    let mut digest_info = mac.sequence("MAC DigestInfo")?;
    let mut alg = digest_info.sequence("MAC algorithm")?;
    let at = alg.offset();
    let algorithm = alg.oid("MAC algorithm OID")?;
    let expected = digest_info.octets("MAC digest")?;
    let salt = mac.octets("MAC salt")?;
    let rounds = if mac.is_empty() {
        1
    } else {
        mac.uint("MAC iterations")?
    };
    let ok = match algorithm {
        a if a == oid::SHA1 => {
            let key =
                crypto::pkcs12_kdf::<Sha1>(password, salt, crypto::iterations(rounds, at)?, 3, 20);
            crypto::hmac_matches(false, &key, data, expected)
        }
        a if a == oid::SHA256 => {
            let key = crypto::pkcs12_kdf::<Sha256>(
                password,
                salt,
                crypto::iterations(rounds, at)?,
                3,
                32,
            );
            crypto::hmac_matches(true, &key, data, expected)
        }
        a if a == oid::PBMAC1 => pbmac1(alg, password, data, expected)?,
        _ => return Ok(Integrity::Unsupported),
    };
    Ok(if ok {
        Integrity::Verified
    } else {
        Integrity::Failed
    })
}

/// RFC 9579: the MAC key from PBKDF2 (the `MacData` salt and count unused).
fn pbmac1(
    mut alg: Reader<'_>,
    password: &str,
    data: &[u8],
    expected: &[u8],
) -> Result<bool, Error> {
    let mut params = alg.sequence("PBMAC1 parameters")?;
    let at = params.offset();
    let kdf = crypto::pbkdf2_params(&mut params)?;
    let mut scheme = params.sequence("PBMAC1 message authentication scheme")?;
    let (sha256, natural) = match scheme.oid("PBMAC1 HMAC OID")? {
        o if o == oid::HMAC_SHA256 => (true, 32),
        o if o == oid::HMAC_SHA1 => (false, 20),
        _ => {
            return Err(Error::Unsupported {
                offset: at,
                what: "PBMAC1 with an HMAC other than SHA-1 or SHA-256",
            });
        }
    };
    let key = kdf.derive(password, kdf.key_len.unwrap_or(natural).min(64));
    Ok(if sha256 {
        crypto::hmac_matches(true, &key, data, expected)
    } else {
        crypto::hmac_matches(false, &key, data, expected)
    })
}

/// `EncryptedData` → the decrypted `SafeContents` bytes.
fn encrypted_data(mut ed: Reader<'_>, at: usize, password: &str) -> Result<Vec<u8>, Error> {
    ed.uint("EncryptedData version")?;
    let mut eci = ed.sequence("EncryptedContentInfo")?;
    eci.oid("encrypted content type")?;
    let alg = eci.sequence("content encryption algorithm")?;
    let content = eci.any()?;
    let ciphertext = match content.tag {
        CONTEXT_0_PRIMITIVE => content.value.to_vec(),
        // constructed: OCTET STRING segments
        CONTEXT_0 => {
            let mut r = Reader::of(content);
            let mut out = Vec::new();
            while !r.is_empty() {
                out.extend_from_slice(r.octets("encrypted content segment")?);
            }
            out
        }
        _ => {
            return Err(Error::Malformed {
                offset: content.offset,
                what: "encrypted content",
            });
        }
    };
    crypto::decrypt(alg, at, password, &ciphertext)
}

fn safe_contents(mut r: Reader<'_>, bags: &mut Vec<Bag>, depth: usize) -> Result<(), Error> {
    let mut seq = r.sequence("SafeContents")?;
    while !seq.is_empty() {
        let mut bag = seq.sequence("SafeBag")?;
        let at = bag.offset();
        let id = bag.oid("SafeBag type")?;
        let mut value = Reader::of(bag.expect(CONTEXT_0, "SafeBag value")?);
        let content = match id {
            i if i == oid::KEY_BAG || i == oid::SHROUDED_KEY_BAG => Content::Key,
            i if i == oid::SECRET_BAG => Content::Secret,
            i if i == oid::CERT_BAG => cert_bag(value.sequence("CertBag")?)?,
            i if i == oid::SAFE_CONTENTS_BAG => {
                if depth >= MAX_NESTING {
                    return Err(Error::Malformed {
                        offset: at,
                        what: "SafeContents nested too deep",
                    });
                }
                safe_contents(value, bags, depth + 1)?;
                continue;
            }
            _ => Content::Other,
        };
        let mut b = Bag {
            content,
            friendly_name: None,
            local_key_id: None,
            trusted: false,
        };
        if let Some(attrs) = bag.optional(der::SET)? {
            attributes(Reader::of(attrs), &mut b)?;
        }
        bags.push(b);
    }
    Ok(())
}

fn cert_bag(mut cb: Reader<'_>) -> Result<Content, Error> {
    if cb.oid("CertBag type")? != oid::X509_CERTIFICATE {
        return Ok(Content::Other);
    }
    let der =
        Reader::of(cb.expect(CONTEXT_0, "CertBag value")?).expect(OCTET_STRING, "X.509 DER")?;
    Certificate::from_der(der.value, der.offset).map(Content::Cert)
}

fn attributes(mut set: Reader<'_>, bag: &mut Bag) -> Result<(), Error> {
    while !set.is_empty() {
        let mut attr = set.sequence("bag attribute")?;
        let id = attr.oid("attribute type")?;
        let mut values = Reader::of(attr.expect(der::SET, "attribute values")?);
        if id == oid::FRIENDLY_NAME {
            let name = values.expect(BMP_STRING, "friendlyName")?;
            bag.friendly_name = bmp_string(name.value);
        } else if id == oid::LOCAL_KEY_ID {
            bag.local_key_id = Some(values.octets("localKeyId")?.to_vec());
        } else if id == oid::ORACLE_TRUSTED_KEY_USAGE {
            bag.trusted = true;
        }
    }
    Ok(())
}

fn bmp_string(bytes: &[u8]) -> Option<String> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| {
            let mut a = [0u8; 2];
            a.copy_from_slice(c);
            u16::from_be_bytes(a)
        })
        .collect();
    String::from_utf16(&units).ok()
}

/// Bags → entries, as Java pairs them.
fn entries(bags: Vec<Bag>) -> Vec<Entry> {
    let certs: Vec<(&Certificate, &Bag)> = bags
        .iter()
        .filter_map(|b| match &b.content {
            Content::Cert(c) => Some((c, b)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for bag in &bags {
        let alias = || {
            bag.friendly_name
                .clone()
                .unwrap_or_else(|| "unfriendlyName".into())
        };
        match &bag.content {
            Content::Key => {
                let leaf = bag.local_key_id.as_ref().and_then(|id| {
                    certs
                        .iter()
                        .find(|(_, b)| b.local_key_id.as_ref() == Some(id))
                        .map(|(c, _)| *c)
                });
                out.push(Entry {
                    alias: alias(),
                    kind: EntryKind::PrivateKey,
                    created: None,
                    chain: chain(leaf, &certs),
                });
            }
            Content::Secret => out.push(Entry {
                alias: alias(),
                kind: EntryKind::SecretKey,
                created: None,
                chain: Vec::new(),
            }),
            Content::Cert(c) if bag.trusted => out.push(Entry {
                alias: alias(),
                kind: EntryKind::TrustedCertificate,
                created: None,
                chain: vec![c.clone()],
            }),
            Content::Cert(_) | Content::Other => {}
        }
    }
    out
}

/// The leaf, then each issuer found by subject among the store's
/// certificates, until a self-issued one (bounded by their number).
fn chain(leaf: Option<&Certificate>, certs: &[(&Certificate, &Bag)]) -> Vec<Certificate> {
    let Some(mut current) = leaf else {
        return Vec::new();
    };
    let mut out = vec![current.clone()];
    while !current.is_self_issued() && out.len() <= certs.len() {
        let next = certs
            .iter()
            .map(|(c, _)| *c)
            .find(|c| c.subject == current.issuer && !out.contains(c));
        match next {
            Some(n) => {
                out.push(n.clone());
                current = n;
            }
            None => break,
        }
    }
    out
}
