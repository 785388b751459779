//! Keystores and truststores (`repository/resources/security/*`): JKS, JCEKS and
//! PKCS#12, told apart by their content, never by the file name or the TOML
//! `type`. What is read: aliases, entry kinds, creation dates (JKS/JCEKS),
//! certificate chains, and the integrity verdict for a given password.
//!
//! * JKS/JCEKS need no password to be read; with one, the keyed SHA-1 digest
//!   at the end of the file is checked (Java's "Keystore was tampered with, or
//!   password was incorrect").
//! * PKCS#12: the MAC is checked with the password (RFC 7292 appendix B KDF,
//!   SHA-1 or SHA-256); certificate bags in an encrypted `SafeContents` are
//!   decrypted (PBES2 with AES-CBC and PBKDF2, or the legacy SHA-1 PBEs with
//!   RC2/3DES). Without a password, a store whose certificates are encrypted
//!   is [`Read::NotInspected`].
//!
//! No private key is ever decrypted or kept: a key entry is its alias, its kind
//! and its certificate chain. The password is a parameter, never stored. Bytes
//! in, values out: no I/O here (`vfs` reads the file).

mod cert;
mod crypto;
mod der;
mod jks;
mod pkcs12;

pub use cert::{Certificate, date};

/// The container format, from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jks,
    Jceks,
    Pkcs12,
}

impl Format {
    /// The format of these bytes: JKS magic `FE ED FE ED`, JCEKS `CE CE CE CE`,
    /// PKCS#12 a DER SEQUENCE whose first element is INTEGER 3.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        match bytes {
            [0xfe, 0xed, 0xfe, 0xed, ..] => Some(Format::Jks),
            [0xce, 0xce, 0xce, 0xce, ..] => Some(Format::Jceks),
            [0x30, len, rest @ ..] => {
                // the outer length is not checked here: a truncated PKCS#12 is
                // still a PKCS#12 (and then `Truncated`)
                let skip = if *len < 0x80 {
                    0
                } else {
                    usize::from(len & 0x7f)
                };
                let version = rest.get(skip..skip + 3)?;
                (version == [0x02, 0x01, 0x03]).then_some(Format::Pkcs12)
            }
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jks => "JKS",
            Format::Jceks => "JCEKS",
            Format::Pkcs12 => "PKCS12",
        }
    }
}

/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A private key with its certificate chain (`PrivateKeyEntry`).
    PrivateKey,
    /// A certificate only (`trustedCertEntry`).
    TrustedCertificate,
    /// A symmetric key (`SecretKeyEntry`).
    SecretKey,
}

/// One alias of a keystore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub alias: String,
    pub kind: EntryKind,
    /// Milliseconds since the Unix epoch (JKS/JCEKS; PKCS#12 stores none).
    pub created: Option<i64>,
    /// The entry's certificate first, then its issuers as the store holds
    /// them; one certificate for a trusted entry, none for a secret key.
    pub chain: Vec<Certificate>,
}

impl Entry {
    /// The entry's own certificate.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.chain.first()
    }
}

/// The integrity check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrity {
    /// The password given opens the store: its digest or MAC matches.
    Verified,
    /// The digest or MAC does not match: the file was altered or the password
    /// is wrong (Java refuses to load it).
    Failed,
    /// No password was given.
    NotChecked,
    /// A PKCS#12 without a MAC (Java 17+ writes one for a password-less
    /// truststore): there is nothing to check.
    NoMac,
    /// A MAC algorithm this reader does not know (named by its OID, dotted).
    Unsupported,
}

/// A keystore that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keystore {
    pub format: Format,
    pub entries: Vec<Entry>,
    pub integrity: Integrity,
}

impl Keystore {
    /// The entry of this alias. JKS aliases are case-insensitive (Java
    /// lower-cases them), PKCS#12's are compared as Java does, ignoring case.
    pub fn entry(&self, alias: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.alias.eq_ignore_ascii_case(alias))
    }
}

/// Why a store was not inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotInspected {
    /// A PKCS#12 whose certificates are encrypted, and no password was given.
    EncryptedWithoutPassword,
}

/// The outcome of [`read`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Inspected(Keystore),
    /// Nothing could be said without a password; never a guess.
    NotInspected {
        format: Format,
        why: NotInspected,
    },
}

/// Why a file is not a readable keystore. Offsets are byte offsets in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not a keystore: neither JKS, JCEKS nor PKCS#12")]
    UnknownFormat,
    #[error("truncated at byte {offset}")]
    Truncated { offset: usize },
    #[error("malformed at byte {offset}: {what}")]
    Malformed { offset: usize, what: &'static str },
    #[error("unsupported at byte {offset}: {what}")]
    Unsupported { offset: usize, what: &'static str },
    #[error("certificate at byte {offset} cannot be read: {reason}")]
    Certificate { offset: usize, reason: String },
    #[error(
        "the certificates cannot be decrypted with this password (at byte {offset}): tampered with, or the password is incorrect"
    )]
    Decryption { offset: usize },
}

/// Reads a keystore. `password` is the store password when it is known (a
/// literal in the TOML); `None` when it is not (`$secret{}`).
pub fn read(bytes: &[u8], password: Option<&str>) -> Result<Read, Error> {
    match Format::detect(bytes) {
        Some(f @ (Format::Jks | Format::Jceks)) => {
            jks::read(bytes, f, password).map(Read::Inspected)
        }
        Some(Format::Pkcs12) => pkcs12::read(bytes, password),
        None => Err(Error::UnknownFormat),
    }
}

#[cfg(test)]
mod tests;
