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
ls -l "$out" "$out/other"
