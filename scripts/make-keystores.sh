#!/usr/bin/env bash
# Regenerates fixtures/keystores/ with the real tool, Java's keytool (OpenJDK 17+).
# Keys are random, so the bytes change on every run; everything a test asserts
# (formats, aliases, entry kinds, subjects, SANs, validity, passwords) is fixed
# here. Usage: scripts/make-keystores.sh [OUT_DIR]   (default fixtures/keystores)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-fixtures/keystores}"
command -v keytool >/dev/null || { echo "keytool not found (apt install default-jdk-headless)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/other"
pass=wso2carbon
kt() { keytool -noprompt "$@" >/dev/null 2>&1 || { echo "keytool $*" >&2; keytool -noprompt "$@"; exit 1; }; }
# fixed validity: 2024-01-01 for ten years unless said otherwise
gen() { # file type alias dn startdate days [extra...]
    local file=$1 type=$2 alias=$3 dn=$4 start=$5 days=$6; shift 6
    kt -genkeypair -keystore "$out/$file" -storetype "$type" -storepass "$pass" -keypass "$pass" \
        -alias "$alias" -dname "$dn" -startdate "$start" -validity "$days" "$@"
}
ec=(-keyalg EC -groupname secp256r1)
wso2dn="CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US"
san=(-ext "SAN=dns:localhost,dns:gw.example.com,ip:127.0.0.1")

# the primary keystore, JKS (as WSO2 up to 4.3.0), RSA as WSO2's
gen wso2carbon.jks JKS wso2carbon "$wso2dn" 2024/01/01 3650 -keyalg RSA -keysize 2048 "${san[@]}"
# a truststore holding its certificate under the alias WSO2's gateway uses
kt -exportcert -keystore "$out/wso2carbon.jks" -storepass "$pass" -alias wso2carbon -file "$out/wso2carbon.crt"
kt -importcert -keystore "$out/client-truststore.jks" -storetype JKS -storepass "$pass" \
    -alias gateway_certificate_alias -file "$out/wso2carbon.crt"
# the same certificate in PKCS#12 truststore (trusted entry: Oracle's trustedKeyUsage attribute)
kt -importcert -keystore "$out/client-truststore.p12" -storetype PKCS12 -storepass "$pass" \
    -alias gateway_certificate_alias -file "$out/wso2carbon.crt"
rm "$out/wso2carbon.crt"
# the same keystore re-exported to PKCS#12 (same key, same certificate)
kt -importkeystore -srckeystore "$out/wso2carbon.jks" -srcstorepass "$pass" -srcstoretype JKS \
    -destkeystore "$out/wso2carbon-reexported.p12" -deststoretype PKCS12 -deststorepass "$pass" -destkeypass "$pass"
# a same-named keystore with another key
gen other/wso2carbon.jks JKS wso2carbon "$wso2dn" 2024/01/01 3650 "${ec[@]}" "${san[@]}"
# PKCS#12 as Java 17 writes it: certificates in PBES2/AES-256-CBC (PBKDF2-HMAC-SHA256), HMAC-SHA256 MAC
gen primary.p12 PKCS12 wso2carbon "$wso2dn" 2024/01/01 3650 "${ec[@]}" "${san[@]}"
# PKCS#12 as older keytool wrote it: RC2-40 certificates, 3DES keys, HMAC-SHA1 MAC
gen legacy.p12 PKCS12 wso2carbon "$wso2dn" 2024/01/01 3650 "${ec[@]}" -J-Dkeystore.pkcs12.legacy
# certificates under SHA-1 PBE with 3DES
gen tdes.p12 PKCS12 wso2carbon "$wso2dn" 2024/01/01 3650 "${ec[@]}" \
    -J-Dkeystore.pkcs12.certProtectionAlgorithm=PBEWithSHA1AndDESede
# a secret key in PKCS#12
kt -genseckey -keystore "$out/secret.p12" -storetype PKCS12 -storepass "$pass" -keypass "$pass" \
    -alias symmetric -keyalg AES -keysize 128
# JCEKS (key pair only: a JCEKS secret key is a serialized Java object)
gen primary.jceks JCEKS wso2carbon "$wso2dn" 2024/01/01 3650 "${ec[@]}"
# expired (2020-01-01 + 30 days) and expiring (2026-01-01 + 365 days = 2027-01-01)
gen expired.jks JKS wso2carbon "CN=expired.example.com" 2020/01/01 30 "${ec[@]}"
gen expiring.jks JKS wso2carbon "CN=expiring.example.com" 2026/01/01 365 "${ec[@]}"
# a chain: a CA and a server certificate it signed
gen chain.jks JKS ca "CN=Example Root CA, O=Example" 2024/01/01 3650 "${ec[@]}" -ext bc:c
gen chain.jks JKS server "CN=cp.example.com, O=Example" 2024/01/01 3650 "${ec[@]}"
keytool -certreq -keystore "$out/chain.jks" -storepass "$pass" -alias server 2>/dev/null |
    keytool -gencert -keystore "$out/chain.jks" -storepass "$pass" -alias ca -startdate 2024/01/01 \
        -validity 3650 -ext "SAN=dns:cp.example.com" 2>/dev/null >"$out/server.pem"
kt -importcert -keystore "$out/chain.jks" -storepass "$pass" -alias server -file "$out/server.pem"
rm "$out/server.pem"
# a keystore whose password is not WSO2's
keytool -noprompt -genkeypair -keystore "$out/other-password.jks" -storetype JKS -storepass otherpass \
    -keypass otherpass -alias wso2carbon -dname "$wso2dn" -startdate 2024/01/01 -validity 3650 "${ec[@]}" >/dev/null 2>&1
keytool -noprompt -genkeypair -keystore "$out/other-password.p12" -storetype PKCS12 -storepass otherpass \
    -alias wso2carbon -dname "$wso2dn" -startdate 2024/01/01 -validity 3650 "${ec[@]}" >/dev/null 2>&1
# a truststore holding another key's certificate under the gateway's alias
kt -exportcert -keystore "$out/other/wso2carbon.jks" -storepass "$pass" -alias wso2carbon -file "$out/other.crt"
kt -importcert -keystore "$out/other/client-truststore.jks" -storetype JKS -storepass "$pass" \
    -alias gateway_certificate_alias -file "$out/other.crt"
rm "$out/other.crt"
# the same key as wso2carbon.jks in PKCS#12 under a .jks name with a password the TOML does not give
kt -importkeystore -srckeystore "$out/wso2carbon.jks" -srcstorepass "$pass" -srcstoretype JKS \
    -destkeystore "$out/other/p12-under-jks-name.jks" -deststoretype PKCS12 -deststorepass "$pass" -destkeypass "$pass"
# the clean sample's primary alias with another key (primary-keystore-mismatch by fingerprint)
gen other/apim-primary.jks JKS apim-primary "CN=apim-primary, O=Example" 2024/01/01 36500 "${ec[@]}"
ls -l "$out" "$out/other"

# files where a keystore belongs that are none (keystore-unreadable): outside $out,
# since every file there is one keytool reads
broken="${BROKEN:-fixtures/keystores-broken}"
rm -rf "$broken"; mkdir -p "$broken"
keytool -exportcert -rfc -keystore "$out/wso2carbon.jks" -storepass "$pass" -alias wso2carbon >"$broken/wso2carbon.pem" 2>/dev/null
head -c 600 "$out/wso2carbon.jks" >"$broken/truncated.jks"

# The clean sample's key material (fixtures/deployments/pattern-1): one primary and one
# internal keystore on every node, each node's own TLS certificate (SAN: its hostname)
# signed by one CA, and one truststore with the CA and the primary key's certificate
# under gateway_certificate_alias. Valid from 2024 for a hundred years: the sample stays
# clean whatever the date (tests pass --now anyway). Passwords are $secret{} in the TOML.
sample="${SAMPLE:-fixtures/deployments/pattern-1}"
if [ -d "$sample" ]; then
    tmp=$(mktemp -d)
    long=(-startdate 2024/01/01 -validity 36500)
    kt -genkeypair -keystore "$tmp/apim-primary.jks" -storetype JKS -storepass "$pass" -keypass "$pass" \
        -alias apim-primary -dname "CN=apim-primary, O=Example" "${long[@]}" "${ec[@]}"
    kt -genkeypair -keystore "$tmp/apim-internal.jks" -storetype JKS -storepass "$pass" -keypass "$pass" \
        -alias apim-internal -dname "CN=apim-internal, O=Example" "${long[@]}" "${ec[@]}"
    kt -genkeypair -keystore "$tmp/ca.jks" -storetype JKS -storepass "$pass" -keypass "$pass" \
        -alias ca -dname "CN=Example Deployment CA, O=Example" "${long[@]}" "${ec[@]}" -ext bc:c
    kt -exportcert -keystore "$tmp/ca.jks" -storepass "$pass" -alias ca -file "$tmp/ca.crt"
    kt -exportcert -keystore "$tmp/apim-primary.jks" -storepass "$pass" -alias apim-primary -file "$tmp/primary.crt"
    kt -importcert -keystore "$tmp/apim-truststore.jks" -storetype JKS -storepass "$pass" -alias example-ca -file "$tmp/ca.crt"
    kt -importcert -keystore "$tmp/apim-truststore.jks" -storetype JKS -storepass "$pass" \
        -alias gateway_certificate_alias -file "$tmp/primary.crt"
    for conf in "$sample"/*/*/repository/conf/deployment.toml; do
        home=${conf%/repository/conf/deployment.toml}
        host=$(sed -n 's/^hostname = "\(.*\)"/\1/p' "$conf" | head -1)
        sec="$home/repository/resources/security"
        rm -rf "$sec"; mkdir -p "$sec"
        cp "$tmp/apim-primary.jks" "$tmp/apim-internal.jks" "$tmp/apim-truststore.jks" "$sec/"
        kt -genkeypair -keystore "$sec/apim-tls.jks" -storetype JKS -storepass "$pass" -keypass "$pass" \
            -alias apim-tls -dname "CN=$host, O=Example" "${long[@]}" "${ec[@]}"
        keytool -certreq -keystore "$sec/apim-tls.jks" -storepass "$pass" -alias apim-tls 2>/dev/null |
            keytool -gencert -keystore "$tmp/ca.jks" -storepass "$pass" -alias ca -startdate 2024/01/01 \
                -validity 36500 -ext "SAN=dns:$host,dns:localhost" 2>/dev/null >"$tmp/tls.pem"
        kt -importcert -keystore "$sec/apim-tls.jks" -storepass "$pass" -alias example-ca -file "$tmp/ca.crt"
        kt -importcert -keystore "$sec/apim-tls.jks" -storepass "$pass" -alias apim-tls -file "$tmp/tls.pem"
    done
    rm -rf "$tmp"
fi
