//! What a keystore rule needs of an X.509 certificate, read with `x509-cert`:
//! names, SAN, validity, the SHA-256 fingerprint of the DER. The DER itself is
//! not kept (no whole certificate appears in any output).

use std::net::IpAddr;

use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Tag, Tagged};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

use super::Error;

/// One X.509 certificate, as a rule compares it.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// RFC 4514 form, most specific first (`CN=localhost,O=WSO2,…`), as keytool's `Owner:`.
    pub subject: String,
    pub issuer: String,
    /// The subject's (last) common name.
    pub common_name: Option<String>,
    /// `subjectAltName` DNS names and IP addresses.
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    /// Validity, in seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// SHA-256 of the certificate's DER.
    pub sha256: [u8; 32],
}

impl Certificate {
    /// Reads one DER certificate; `offset` locates it in the keystore for errors.
    pub(crate) fn from_der(der: &[u8], offset: usize) -> Result<Self, Error> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| Error::Certificate {
            offset,
            reason: e.to_string(),
        })?;
        let tbs = &cert.tbs_certificate;
        let (dns_names, ip_addresses) = alt_names(tbs);
        Ok(Self {
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            common_name: common_name(&tbs.subject),
            dns_names,
            ip_addresses,
            not_before: seconds(&tbs.validity.not_before),
            not_after: seconds(&tbs.validity.not_after),
            sha256: Sha256::digest(der).into(),
        })
    }

    /// The fingerprint as keytool prints it (`AB:CD:…`).
    pub fn fingerprint(&self) -> String {
        self.sha256
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The first `n` hex digits of the fingerprint, lower case, for messages.
    pub fn fingerprint_prefix(&self, n: usize) -> String {
        let hex: String = self.sha256.iter().map(|b| format!("{b:02x}")).collect();
        hex.chars().take(n).collect()
    }

    /// `true` when the certificate is its own issuer (by name).
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("not_before", &date(self.not_before))
            .field("not_after", &date(self.not_after))
            .field("sha256", &self.fingerprint_prefix(16))
            .finish_non_exhaustive()
    }
}

fn seconds(t: &x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

const CN: x509_cert::der::asn1::ObjectIdentifier =
    x509_cert::der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
const SAN: x509_cert::der::asn1::ObjectIdentifier =
    x509_cert::der::asn1::ObjectIdentifier::new_unwrap("2.5.29.17");

fn common_name(name: &Name) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == CN)
        .filter_map(|atv| directory_string(atv.value.tag(), atv.value.value()))
        .next_back()
}

/// A DirectoryString's text, by its tag.
fn directory_string(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            std::str::from_utf8(bytes).ok().map(str::to_owned)
        }
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c.first().copied()?, c.get(1).copied()?]).into())
                .collect::<Option<_>>()?;
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

fn alt_names(tbs: &x509_cert::TbsCertificate) -> (Vec<String>, Vec<IpAddr>) {
    let (mut dns, mut ips) = (Vec::new(), Vec::new());
    let extensions = tbs.extensions.iter().flatten();
    for ext in extensions.filter(|e| e.extn_id == SAN) {
        let Ok(san) = SubjectAltName::from_der(ext.extn_value.as_bytes()) else {
            continue;
        };
        for name in san.0 {
            match name {
                GeneralName::DnsName(n) => dns.push(n.as_str().to_owned()),
                GeneralName::IpAddress(o) => match o.as_bytes() {
                    b if b.len() == 4 => {
                        let mut a = [0u8; 4];
                        a.copy_from_slice(b);
                        ips.push(IpAddr::from(a));
                    }
                    b if b.len() == 16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        ips.push(IpAddr::from(a));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    (dns, ips)
}

/// `YYYY-MM-DD` (UTC) of a Unix time in seconds.
pub fn date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
