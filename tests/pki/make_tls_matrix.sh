#!/usr/bin/env bash
# make_tls_matrix.sh DIR — every certificate of the TLS rejection/acceptance matrix
# (tests/transport/tls_matrix_test.cpp), generated with the openssl command into DIR.
#
# Nothing here is committed: keys exist only in DIR, a temporary folder the test makes and
# removes. Each certificate differs from a good one in exactly ONE way, so that a test expecting
# one reason (say, expiry) cannot pass because of another (say, the name): unless said
# otherwise a server leaf is issued by root-ca, valid now, with extendedKeyUsage serverAuth and
# subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1, and signed with SHA-256.
#
# Authorities
#   root-ca            the root the client trusts
#   other-root-ca      a root nobody trusts
#   inter-ca           intermediate CA issued by root-ca
#   not-ca             "intermediate" issued by root-ca with basicConstraints CA:FALSE
#   nc-ca              intermediate issued by root-ca, nameConstraints permitted;DNS:.allowed.test
#   client-root-ca     root of the client certificates the server trusts
#   client-inter-ca    intermediate issued by client-root-ca
#   stranger-client-ca a client CA the server does not trust
#
# Server leaves (NAME.crt; the key is NAME.key when listed, else leaf.key, shared by the rest)
#   good               the baseline
#   expired            valid 2020-01-01 .. 2021-01-01
#   not-yet-valid      valid 2040-01-01 .. 2041-01-01
#   self-signed        self-signed (own key), SANs of a good leaf
#   untrusted-root     by other-root-ca; untrusted-root-chain.crt = leaf + other-root-ca
#   inter-leaf         by inter-ca; inter-chain.crt = leaf + inter-ca
#   wrong-host         SAN DNS:other.example.com only
#   wildcard           SAN DNS:*.example.com only
#   wildcard-middle    SAN DNS:a.*.example.com only
#   wildcard-bare      SAN DNS:* only
#   wildcard-tld       SAN DNS:*.com only
#   wildcard-partial   SAN DNS:f*.example.com only
#   ip-as-dns          CN=ip-as-dns, SAN DNS:127.0.0.1 (an IP written as a DNS name)
#   ip-in-cn           CN=127.0.0.1, no subjectAltName
#   wrong-ip           SAN DNS:localhost, IP:127.0.0.2
#   cn-only            CN=localhost, no subjectAltName
#   cn-matches-only    CN=localhost, SAN DNS:other.example.com
#   nul-in-san         SAN DNS:"localhost\0.evil.example" (a NUL byte inside the IA5String)
#   not-ca-leaf        by not-ca; not-ca-chain.crt = leaf + not-ca
#   client-auth-eku    extendedKeyUsage clientAuth only
#   tampered           a good leaf with one byte of its signature flipped
#   rsa1024            RSA-1024 key (rsa1024.key)
#   sha1               signed with SHA-1
#   nc-violation       by nc-ca for other.test; nc-violation-chain.crt = leaf + nc-ca
#   nc-allowed         by nc-ca for node.allowed.test; nc-allowed-chain.crt = leaf + nc-ca
#   mixed-case         SAN DNS:Node1.Example.COM
#   many-sans          100 DNS SANs: san-0.example.com .. san-98.example.com, localhost
#   rsa4096            RSA-4096 key (rsa4096.key)
#   ecdsa-p256         P-256 key (ecdsa-p256.key), signed by root-ca
#   ecdsa-p384         P-384 key (ecdsa-p384.key), signed by root-ca
#
# Client side
#   client-chain.crt   client leaf by client-inter-ca + client-inter-ca (key client.key)
#   stranger-client    client leaf by stranger-client-ca (key client.key)
#
# Private keys are mode 0600.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

log=$(mktemp)
db=$(mktemp -d)
trap 'rm -rf "$log" "$db"' EXIT
run_openssl() {
    if ! openssl "$@" >"$log" 2>&1; then
        echo "make_tls_matrix: openssl $1 failed:" >&2
        cat "$log" >&2
        exit 1
    fi
}
rsa_key() { run_openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }
ec_key() { run_openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1"; }

# `openssl ca` rather than `openssl x509`: it alone sets a start date (OpenSSL 3.0), and one
# path for every certificate keeps them alike except in what each case changes.
: >"$db/index.txt"
openssl rand -hex 16 >"$db/serial"
cat >"$db/ca.conf" <<CONF
[ ca ]
default_ca = matrix_ca
[ matrix_ca ]
database = $db/index.txt
serial = $db/serial
new_certs_dir = $db
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
preserve = yes
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = optional
CONF

# issue NAME ISSUER KEY CN EXTENSIONS [MD] [START END]
#   ISSUER "self" signs with KEY itself. EXTENSIONS is the text of the extension section.
issue() {
    local name=$1 issuer=$2 key=$3 cn=$4 ext=$5 md=${6:-sha256} start=${7:-} end=${8:-}
    printf '%s\n' "$ext" >"$db/$name.ext"
    run_openssl req -new -key "$key" -out "$db/$name.csr" -subj "/O=cqlwire tls matrix/CN=$cn"
    local dates=(-days 825)
    [[ -n $start ]] && dates=(-startdate "$start" -enddate "$end")
    local signer=(-cert "$issuer.crt" -keyfile "$issuer.key")
    [[ $issuer == self ]] && signer=(-selfsign -keyfile "$key")
    run_openssl ca -batch -notext -config "$db/ca.conf" -md "$md" "${dates[@]}" \
        "${signer[@]}" -in "$db/$name.csr" -extfile "$db/$name.ext" -out "$name.crt"
}

ca_ext() {
    printf '%s\n' "basicConstraints = critical, CA:TRUE" "keyUsage = critical, keyCertSign, cRLSign" \
        "subjectKeyIdentifier = hash" "$@"
}
leaf_ext() {  # leaf_ext EKU [SAN]
    printf '%s\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature, keyEncipherment" \
        "extendedKeyUsage = $1" "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid"
    if [[ -n ${2:-} ]]; then echo "subjectAltName = $2"; fi
}
good_sans="DNS:localhost, IP:127.0.0.1, IP:::1"

# --- Authorities -----------------------------------------------------------------------------
rsa_key ca.key 2048  # one key for every authority: what differs between them is the certificate
for ca in root-ca other-root-ca client-root-ca stranger-client-ca; do
    cp ca.key "$ca.key"
    issue "$ca" self ca.key "matrix $ca" "$(ca_ext)"
done
for ca in inter-ca not-ca nc-ca; do cp ca.key "$ca.key"; done
issue inter-ca root-ca ca.key "matrix inter-ca" "$(ca_ext "authorityKeyIdentifier = keyid")"
issue not-ca root-ca ca.key "matrix not-ca" "$(printf '%s\n' "basicConstraints = critical, CA:FALSE" \
    "keyUsage = critical, keyCertSign, cRLSign, digitalSignature" "subjectKeyIdentifier = hash")"
issue nc-ca root-ca ca.key "matrix nc-ca" \
    "$(ca_ext "authorityKeyIdentifier = keyid" "nameConstraints = critical, permitted;DNS:.allowed.test")"
cp ca.key client-inter-ca.key
issue client-inter-ca client-root-ca ca.key "matrix client-inter-ca" "$(ca_ext "authorityKeyIdentifier = keyid")"

# --- Server leaves ---------------------------------------------------------------------------
rsa_key leaf.key 2048
leaf() {  # leaf NAME CN SAN [ISSUER] [EKU] [MD] [KEY]
    issue "$1" "${4:-root-ca}" "${7:-leaf.key}" "$2" "$(leaf_ext "${5:-serverAuth}" "$3")" "${6:-sha256}"
}
leaf good localhost "$good_sans"
issue expired root-ca leaf.key localhost "$(leaf_ext serverAuth "$good_sans")" sha256 20200101000000Z 20210101000000Z
issue not-yet-valid root-ca leaf.key localhost "$(leaf_ext serverAuth "$good_sans")" sha256 \
    20400101000000Z 20410101000000Z
rsa_key self-signed.key 2048
issue self-signed self self-signed.key localhost "$(leaf_ext serverAuth "$good_sans")"
leaf untrusted-root localhost "$good_sans" other-root-ca
cat untrusted-root.crt other-root-ca.crt >untrusted-root-chain.crt
leaf inter-leaf localhost "$good_sans" inter-ca
cat inter-leaf.crt inter-ca.crt >inter-chain.crt
leaf wrong-host other.example.com "DNS:other.example.com"
leaf wildcard "*.example.com" "DNS:*.example.com"
leaf wildcard-middle "a.*.example.com" "DNS:a.*.example.com"
leaf wildcard-bare "*" "DNS:*"
leaf wildcard-tld "*.com" "DNS:*.com"
leaf wildcard-partial "f*.example.com" "DNS:f*.example.com"
leaf ip-as-dns ip-as-dns "DNS:127.0.0.1"
issue ip-in-cn root-ca leaf.key 127.0.0.1 "$(leaf_ext serverAuth)"
leaf wrong-ip localhost "DNS:localhost, IP:127.0.0.2"
issue cn-only root-ca leaf.key localhost "$(leaf_ext serverAuth)"
leaf cn-matches-only localhost "DNS:other.example.com"

# GeneralNames ::= SEQUENCE { dNSName [2] IA5String "localhost\0.evil.example" }, written as DER
# in hex: a config file cannot hold a NUL byte in a string.
nul_name_hex=$(printf 'localhost' | od -An -tx1 | tr -d ' \n')00$(printf '.evil.example' | od -An -tx1 | tr -d ' \n')
nul_len=$((${#nul_name_hex} / 2))
nul_san=$(printf '30%02x82%02x%s' $((nul_len + 2)) "$nul_len" "$nul_name_hex")
issue nul-in-san root-ca leaf.key nul-in-san "$(leaf_ext serverAuth | grep -v '^subjectAltName'
    echo "subjectAltName = DER:$nul_san")"

leaf not-ca-leaf localhost "$good_sans" not-ca
cat not-ca-leaf.crt not-ca.crt >not-ca-chain.crt
leaf client-auth-eku localhost "$good_sans" root-ca clientAuth

# The signature is the last field of the DER encoding: flipping its last byte breaks it and
# nothing else (the certificate still parses, and still matches leaf.key).
leaf tampered-source localhost "$good_sans"
run_openssl x509 -in tampered-source.crt -outform DER -out "$db/tampered.der"
size=$(stat -c %s "$db/tampered.der")
last=$(od -An -tu1 -j $((size - 1)) -N 1 "$db/tampered.der" | tr -d ' ')
printf "$(printf '\\%03o' $((last ^ 0xff)))" |
    dd of="$db/tampered.der" bs=1 seek=$((size - 1)) conv=notrunc status=none
run_openssl x509 -inform DER -in "$db/tampered.der" -out tampered.crt
rm -f tampered-source.crt

rsa_key rsa1024.key 1024
leaf rsa1024 localhost "$good_sans" root-ca serverAuth sha256 rsa1024.key
leaf sha1 localhost "$good_sans" root-ca serverAuth sha1

leaf nc-violation other.test "DNS:other.test" nc-ca
cat nc-violation.crt nc-ca.crt >nc-violation-chain.crt
leaf nc-allowed node.allowed.test "DNS:node.allowed.test" nc-ca
cat nc-allowed.crt nc-ca.crt >nc-allowed-chain.crt

leaf mixed-case Node1.Example.COM "DNS:Node1.Example.COM"
many=""
for i in $(seq 0 98); do many+="DNS:san-$i.example.com, "; done
leaf many-sans many-sans "${many}DNS:localhost"
rsa_key rsa4096.key 4096
leaf rsa4096 localhost "$good_sans" root-ca serverAuth sha256 rsa4096.key
ec_key ecdsa-p256.key P-256
leaf ecdsa-p256 localhost "$good_sans" root-ca serverAuth sha256 ecdsa-p256.key
ec_key ecdsa-p384.key P-384
leaf ecdsa-p384 localhost "$good_sans" root-ca serverAuth sha384 ecdsa-p384.key

# --- Client side -----------------------------------------------------------------------------
rsa_key client.key 2048
leaf client-leaf matrix-client "" client-inter-ca clientAuth sha256 client.key
cat client-leaf.crt client-inter-ca.crt >client-chain.crt
leaf stranger-client matrix-stranger-client "" stranger-client-ca clientAuth sha256 client.key

chmod 0600 ./*.key

# Fail here, not in a test, if a certificate meant to be good came out broken.
run_openssl verify -CAfile root-ca.crt -purpose sslserver good.crt
run_openssl verify -CAfile root-ca.crt -untrusted inter-ca.crt -purpose sslserver inter-leaf.crt
run_openssl verify -CAfile root-ca.crt -untrusted nc-ca.crt -purpose sslserver nc-allowed.crt
run_openssl verify -CAfile client-root-ca.crt -untrusted client-inter-ca.crt -purpose sslclient client-leaf.crt
for ok in mixed-case many-sans rsa4096 ecdsa-p256 ecdsa-p384 wildcard; do
    run_openssl verify -CAfile root-ca.crt -purpose sslserver "$ok.crt"
done
