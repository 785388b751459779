//! A bounded reader of DER TLVs: what the PKCS#12 envelope needs (sequences,
//! OIDs, octet strings, integers, context tags). Every length is checked
//! against the bytes that remain, so nothing is allocated from a claimed size
//! and nothing recurses: callers walk a fixed schema.

use super::Error;

/// One TLV: its tag byte and its contents, and where the contents start in the
/// outermost input (for error locations).
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    pub(crate) offset: usize,
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const BMP_STRING: u8 = 0x1e;
/// `[0]` constructed (EXPLICIT) and primitive (IMPLICIT OCTET STRING).
pub(crate) const CONTEXT_0: u8 = 0xa0;
pub(crate) const CONTEXT_0_PRIMITIVE: u8 = 0x80;

/// A cursor over the contents of one constructed TLV.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], offset: usize) -> Self {
        Self {
            rest: bytes,
            offset,
        }
    }

    pub(crate) fn of(tlv: Tlv<'a>) -> Self {
        Self::new(tlv.value, tlv.offset)
    }

    /// Where the next TLV starts.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next TLV, whatever its tag.
    pub(crate) fn any(&mut self) -> Result<Tlv<'a>, Error> {
        let at = self.offset;
        let (&tag, after) = self
            .rest
            .split_first()
            .ok_or(Error::Truncated { offset: at })?;
        if tag & 0x1f == 0x1f {
            return Err(Error::Malformed {
                offset: at,
                what: "multi-byte DER tag",
            });
        }
        let (&first, mut after) = after
            .split_first()
            .ok_or(Error::Truncated { offset: at + 1 })?;
        let len = if first < 0x80 {
            usize::from(first)
        } else if first == 0x80 {
            return Err(Error::Malformed {
                offset: at + 1,
                what: "indefinite BER length",
            });
        } else {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return Err(Error::Malformed {
                    offset: at + 1,
                    what: "DER length of more than 4 bytes",
                });
            }
            let (digits, rest) = after
                .split_at_checked(n)
                .ok_or(Error::Truncated { offset: at + 2 })?;
            after = rest;
            digits
                .iter()
                .fold(0usize, |acc, &d| (acc << 8) | usize::from(d))
        };
        let header = self.rest.len() - after.len();
        let (value, rest) = after.split_at_checked(len).ok_or(Error::Truncated {
            offset: at + header + after.len(),
        })?;
        self.rest = rest;
        self.offset = at + header + len;
        Ok(Tlv {
            tag,
            value,
            offset: at + header,
        })
    }

    /// The next TLV, which must have this tag.
    pub(crate) fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, Error> {
        let at = self.offset;
        let tlv = self.any()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(Error::Malformed { offset: at, what })
        }
    }

    /// The next TLV if it has this tag.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek_tag() == Some(tag) {
            self.any().map(Some)
        } else {
            Ok(None)
        }
    }

    pub(crate) fn sequence(&mut self, what: &'static str) -> Result<Reader<'a>, Error> {
        self.expect(SEQUENCE, what).map(Reader::of)
    }

    pub(crate) fn oid(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        self.expect(OID, what).map(|t| t.value)
    }

    pub(crate) fn octets(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        self.expect(OCTET_STRING, what).map(|t| t.value)
    }

    /// A non-negative INTEGER that fits in a `u64`.
    pub(crate) fn uint(&mut self, what: &'static str) -> Result<u64, Error> {
        let tlv = self.expect(INTEGER, what)?;
        let bytes = match tlv.value {
            [0, rest @ ..] => rest,
            [first, ..] if first & 0x80 != 0 => {
                return Err(Error::Malformed {
                    offset: tlv.offset,
                    what,
                });
            }
            b => b,
        };
        if bytes.len() > 8 || tlv.value.is_empty() {
            return Err(Error::Malformed {
                offset: tlv.offset,
                what,
            });
        }
        Ok(bytes.iter().fold(0u64, |acc, &d| (acc << 8) | u64::from(d)))
    }
}

/// Object identifiers, in their DER contents encoding.
pub(crate) mod oid {
    pub(crate) const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    pub(crate) const ENCRYPTED_DATA: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
    pub(crate) const KEY_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01,
    ];
    pub(crate) const SHROUDED_KEY_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
    ];
    pub(crate) const CERT_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03,
    ];
    pub(crate) const SECRET_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x05,
    ];
    pub(crate) const SAFE_CONTENTS_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x06,
    ];
    pub(crate) const X509_CERTIFICATE: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
    pub(crate) const FRIENDLY_NAME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14];
    pub(crate) const LOCAL_KEY_ID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15];
    /// Oracle's `trustedKeyUsage` (2.16.840.1.113894.746875.1.1): Java's mark of a
    /// trusted-certificate entry.
    pub(crate) const ORACLE_TRUSTED_KEY_USAGE: &[u8] = &[
        0x60, 0x86, 0x48, 0x01, 0x86, 0xf9, 0x66, 0xad, 0xca, 0x7b, 0x01, 0x01,
    ];
    pub(crate) const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
    pub(crate) const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    pub(crate) const PBMAC1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0e];
    pub(crate) const PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
    pub(crate) const PBKDF2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
    pub(crate) const HMAC_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07];
    pub(crate) const HMAC_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];
    pub(crate) const AES128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
    pub(crate) const AES192_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16];
    pub(crate) const AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
    pub(crate) const DES_EDE3_CBC: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
    pub(crate) const PBE_SHA1_3DES: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
    pub(crate) const PBE_SHA1_RC2_128: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x05];
    pub(crate) const PBE_SHA1_RC2_40: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06];
}
