//! JKS and JCEKS (Sun's `JavaKeyStore` and `JceKeyStore`): a big-endian
//! stream of entries, then a SHA-1 digest keyed with the password. Every
//! count and length is checked against the bytes that remain.

use sha1::{Digest, Sha1};

use super::{Certificate, Entry, EntryKind, Error, Format, Integrity, Keystore};

const DIGEST_LEN: usize = 20;

struct Input<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let slice = end.and_then(|e| self.bytes.get(self.pos..e));
        match slice {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(Error::Truncated {
                offset: self.bytes.len(),
            }),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u16(&mut self) -> Result<u16, Error> {
        self.array().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        self.array().map(u32::from_be_bytes)
    }

    fn i64(&mut self) -> Result<i64, Error> {
        self.array().map(i64::from_be_bytes)
    }

    /// A `DataInput.readUTF` string: a 16-bit length, then modified UTF-8.
    fn utf(&mut self) -> Result<String, Error> {
        let at = self.pos;
        let len = usize::from(self.u16()?);
        let bytes = self.take(len)?;
        modified_utf8(bytes).ok_or(Error::Malformed {
            offset: at,
            what: "alias or type is not modified UTF-8",
        })
    }

    /// A 32-bit length, then that many bytes.
    fn blob(&mut self) -> Result<(usize, &'a [u8]), Error> {
        let len = self.u32()?;
        let at = self.pos;
        let len = usize::try_from(len).map_err(|_| Error::Truncated {
            offset: self.bytes.len(),
        })?;
        Ok((at, self.take(len)?))
    }
}

pub(super) fn read(
    bytes: &[u8],
    format: Format,
    password: Option<&str>,
) -> Result<Keystore, Error> {
    let mut input = Input { bytes, pos: 4 };
    let version = input.u32()?;
    if version != 1 && version != 2 {
        return Err(Error::Unsupported {
            offset: 4,
            what: "JKS version other than 1 or 2",
        });
    }
    let count = input.u32()?;
    let mut entries = Vec::new();
    for _ in 0..count {
        entries.push(entry(&mut input, format, version)?);
    }
    let body = input.pos;
    let stored = input.take(DIGEST_LEN)?;
    let integrity = match password {
        None => Integrity::NotChecked,
        Some(p) => {
            let mut sha = Sha1::new();
            for unit in p.encode_utf16() {
                sha.update(unit.to_be_bytes());
            }
            sha.update(b"Mighty Aphrodite");
            sha.update(bytes.get(..body).unwrap_or_default());
            if sha.finalize().as_slice() == stored {
                Integrity::Verified
            } else {
                Integrity::Failed
            }
        }
    };
    Ok(Keystore {
        format,
        entries,
        integrity,
    })
}

fn entry(input: &mut Input<'_>, format: Format, version: u32) -> Result<Entry, Error> {
    let at = input.pos;
    let tag = input.u32()?;
    let alias = input.utf()?;
    let created = Some(input.i64()?);
    let (kind, chain) = match tag {
        1 => {
            // the protected key: skipped, never decrypted
            input.blob()?;
            let n = input.u32()?;
            let mut chain = Vec::new();
            for _ in 0..n {
                chain.push(certificate(input, version)?);
            }
            (EntryKind::PrivateKey, chain)
        }
        2 => (
            EntryKind::TrustedCertificate,
            vec![certificate(input, version)?],
        ),
        3 if format == Format::Jceks => {
            return Err(Error::Unsupported {
                offset: at,
                what: "JCEKS secret-key entry (a serialized Java object)",
            });
        }
        _ => {
            return Err(Error::Malformed {
                offset: at,
                what: "unknown entry tag",
            });
        }
    };
    Ok(Entry {
        alias,
        kind,
        created,
        chain,
    })
}

fn certificate(input: &mut Input<'_>, version: u32) -> Result<Certificate, Error> {
    if version == 2 {
        let at = input.pos;
        let kind = input.utf()?;
        if kind != "X.509" {
            return Err(Error::Unsupported {
                offset: at,
                what: "certificate type other than X.509",
            });
        }
    }
    let (at, der) = input.blob()?;
    Certificate::from_der(der, at)
}

/// Java's modified UTF-8 (`DataInput.readUTF`): UTF-16 units in one to three
/// bytes each, NUL as `C0 80`.
fn modified_utf8(bytes: &[u8]) -> Option<String> {
    let mut units = Vec::with_capacity(bytes.len());
    let mut it = bytes.iter().copied();
    while let Some(a) = it.next() {
        let unit = match a {
            0x01..=0x7f => u16::from(a),
            0xc0..=0xdf => {
                let b = it.next().filter(|b| b & 0xc0 == 0x80)?;
                (u16::from(a & 0x1f) << 6) | u16::from(b & 0x3f)
            }
            0xe0..=0xef => {
                let b = it.next().filter(|b| b & 0xc0 == 0x80)?;
                let c = it.next().filter(|c| c & 0xc0 == 0x80)?;
                (u16::from(a & 0x0f) << 12) | (u16::from(b & 0x3f) << 6) | u16::from(c & 0x3f)
            }
            _ => return None,
        };
        units.push(unit);
    }
    String::from_utf16(&units).ok()
}
