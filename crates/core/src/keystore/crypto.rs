//! The password-based primitives PKCS#12 uses, over RustCrypto: the RFC 7292
//! appendix B key derivation, PBKDF2, and the decryption of an encrypted
//! `SafeContents` (certificates only: private-key bags are never decrypted).

use aes::cipher::{BlockDecryptMut, InnerIvInit, KeyInit, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use sha2::digest::core_api::BlockSizeUser;
use sha2::digest::{Digest, FixedOutputReset};

use super::Error;
use super::der::{OCTET_STRING, Reader, oid};

/// Java's ceiling (`PKCS12KeyStore`'s `MAX_ITERATION_COUNT`): a larger count is
/// refused rather than computed (a hostile file could ask for 2^63).
pub(super) const MAX_ITERATIONS: u64 = 5_000_000;

pub(super) fn iterations(n: u64, offset: usize) -> Result<u32, Error> {
    if n == 0 || n > MAX_ITERATIONS {
        return Err(Error::Unsupported {
            offset,
            what: "iteration count of 0 or above 5,000,000",
        });
    }
    u32::try_from(n).map_err(|_| Error::Unsupported {
        offset,
        what: "iteration count above 5,000,000",
    })
}

/// The password as PKCS#12 wants it for its own KDF: BMPString, NUL-terminated.
fn bmp(password: &str) -> Vec<u8> {
    let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.extend([0, 0]);
    out
}

/// RFC 7292 appendix B.2: `n` bytes of key material of purpose `id`
/// (1 key, 2 IV, 3 MAC key).
pub(super) fn pkcs12_kdf<D>(password: &str, salt: &[u8], rounds: u32, id: u8, n: usize) -> Vec<u8>
where
    D: Digest + FixedOutputReset + BlockSizeUser,
{
    let v = D::block_size();
    let fill = |src: &[u8]| -> Vec<u8> {
        let len = src.len().div_ceil(v) * v;
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i: Vec<u8> = fill(salt);
    i.extend(fill(&bmp(password)));
    let d = vec![id; v];
    let mut out = Vec::with_capacity(n);
    let mut h = D::new();
    while out.len() < n {
        Digest::update(&mut h, &d);
        Digest::update(&mut h, &i);
        let mut a = h.finalize_reset();
        for _ in 1..rounds {
            Digest::update(&mut h, &a);
            a = h.finalize_reset();
        }
        out.extend_from_slice(&a);
        // I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().zip(&b).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

/// HMAC-SHA-256 (else HMAC-SHA-1) of `data` under `key` compared with
/// `expected` in constant time.
pub(super) fn hmac_matches(sha256: bool, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    fn check<M: Mac + KeyInit>(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
        let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
            return false;
        };
        mac.update(data);
        mac.verify_slice(expected).is_ok()
    }
    if sha256 {
        check::<Hmac<Sha256>>(key, data, expected)
    } else {
        check::<Hmac<Sha1>>(key, data, expected)
    }
}

/// A PBKDF2 `AlgorithmIdentifier`'s parameters: salt, rounds, key length, PRF.
pub(super) struct Pbkdf2<'a> {
    salt: &'a [u8],
    rounds: u32,
    pub(super) key_len: Option<usize>,
    sha256: bool,
}

pub(super) fn pbkdf2_params<'a>(r: &mut Reader<'a>) -> Result<Pbkdf2<'a>, Error> {
    let mut alg = r.sequence("PBKDF2 AlgorithmIdentifier")?;
    let at = alg.offset();
    if alg.oid("key derivation OID")? != oid::PBKDF2 {
        return Err(Error::Unsupported {
            offset: at,
            what: "key derivation other than PBKDF2",
        });
    }
    let mut p = alg.sequence("PBKDF2 parameters")?;
    let salt = p.expect(OCTET_STRING, "PBKDF2 salt")?;
    let rounds = iterations(p.uint("PBKDF2 iteration count")?, salt.offset)?;
    let key_len = match p.peek_tag() {
        Some(0x02) => Some(usize::try_from(p.uint("PBKDF2 key length")?).unwrap_or(usize::MAX)),
        _ => None,
    };
    let sha256 = if p.is_empty() {
        false
    } else {
        let mut prf = p.sequence("PBKDF2 PRF")?;
        match prf.oid("PRF OID")? {
            o if o == oid::HMAC_SHA1 => false,
            o if o == oid::HMAC_SHA256 => true,
            _ => {
                return Err(Error::Unsupported {
                    offset: salt.offset,
                    what: "PBKDF2 PRF other than HMAC-SHA1 or HMAC-SHA256",
                });
            }
        }
    };
    Ok(Pbkdf2 {
        salt: salt.value,
        rounds,
        key_len,
        sha256,
    })
}

impl Pbkdf2<'_> {
    /// `n` bytes from the password's UTF-8 (as Java and OpenSSL feed PBES2 and PBMAC1).
    pub(super) fn derive(&self, password: &str, n: usize) -> Vec<u8> {
        let mut key = vec![0u8; n];
        if self.sha256 {
            pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), self.salt, self.rounds, &mut key);
        } else {
            pbkdf2::pbkdf2_hmac::<Sha1>(password.as_bytes(), self.salt, self.rounds, &mut key);
        }
        key
    }
}

/// Decrypts an `EncryptedContentInfo`'s content under its algorithm
/// (`alg` is the AlgorithmIdentifier's reader, after nothing was read).
pub(super) fn decrypt(
    mut alg: Reader<'_>,
    offset: usize,
    password: &str,
    data: &[u8],
) -> Result<Vec<u8>, Error> {
    let unsupported = Error::Unsupported {
        offset,
        what: "encryption other than PBES2 (AES-CBC, 3DES) or SHA-1 PBE (RC2, 3DES)",
    };
    let bad = Error::Decryption { offset };
    let algorithm = alg.oid("encryption algorithm")?;
    if algorithm == oid::PBES2 {
        let mut params = alg.sequence("PBES2 parameters")?;
        let kdf = pbkdf2_params(&mut params)?;
        let mut scheme = params.sequence("PBES2 encryption scheme")?;
        let cipher = scheme.oid("cipher OID")?;
        let iv = scheme.octets("cipher IV")?;
        let key_len = match cipher {
            c if c == oid::AES128_CBC => 16,
            c if c == oid::AES192_CBC => 24,
            c if c == oid::AES256_CBC => 32,
            c if c == oid::DES_EDE3_CBC => 24,
            _ => return Err(unsupported),
        };
        let key = kdf.derive(password, key_len);
        let out = match key_len {
            16 if cipher == oid::AES128_CBC => cbc_decrypt::<aes::Aes128>(&key, iv, data),
            24 if cipher == oid::AES192_CBC => cbc_decrypt::<aes::Aes192>(&key, iv, data),
            32 => cbc_decrypt::<aes::Aes256>(&key, iv, data),
            _ => cbc_decrypt::<des::TdesEde3>(&key, iv, data),
        };
        return out.ok_or(bad);
    }
    let mut params = alg.sequence("PBE parameters")?;
    let salt = params.octets("PBE salt")?;
    let rounds = iterations(params.uint("PBE iteration count")?, offset)?;
    let derive = |id, n| pkcs12_kdf::<Sha1>(password, salt, rounds, id, n);
    let out = match algorithm {
        a if a == oid::PBE_SHA1_3DES => {
            cbc_decrypt::<des::TdesEde3>(&derive(1, 24), &derive(2, 8), data)
        }
        a if a == oid::PBE_SHA1_RC2_40 => rc2_decrypt(&derive(1, 5), 40, &derive(2, 8), data),
        a if a == oid::PBE_SHA1_RC2_128 => rc2_decrypt(&derive(1, 16), 128, &derive(2, 8), data),
        _ => return Err(unsupported),
    };
    out.ok_or(bad)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: aes::cipher::BlockDecrypt + aes::cipher::BlockCipher + KeyInit,
{
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    dec.decrypt_padded_vec_mut::<Pkcs7>(data).ok()
}

fn rc2_decrypt(key: &[u8], bits: usize, iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let cipher = rc2::Rc2::new_with_eff_key_len(key, bits);
    let dec = cbc::Decryptor::inner_iv_slice_init(cipher, iv).ok()?;
    dec.decrypt_padded_vec_mut::<Pkcs7>(data).ok()
}
