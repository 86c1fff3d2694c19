#!/usr/bin/env bash
# make_test_pki.sh DIR — create the throw-away PKI that cqlwire's TLS tests use, in DIR.
#
# Everything is generated at test time with the openssl command and lives only in DIR (a
# temporary folder the tests make); no key is ever committed. Every file name below is part of
# the contract with tests/pki/test_pki.hpp and the suites that use it.
#
# The server's side
#   server-ca.crt/.key          CA that signs the server certificates below
#   server.crt/.key             leaf "localhost": DNS SANs localhost, *.cassandra.test;
#                               IP SANs 127.0.0.1 and ::1
#   intermediate-ca.crt/.key    CA signed by server-ca
#   server-chain.crt/.key       leaf signed by intermediate-ca; the .crt holds leaf + intermediate
#                               (SANs localhost, 127.0.0.1, ::1)
#   expired.crt/.key            leaf by server-ca, valid 2020-01-01 .. 2021-01-01 (same SANs as server)
#   not-yet-valid.crt/.key      leaf by server-ca, valid 2040-01-01 .. 2041-01-01 (same SANs)
#   wrong-name.crt/.key         leaf by server-ca: CN=localhost but SAN only DNS:wrong.cassandra.example
#                               (a client that fell back to the subject CN would wrongly accept it)
#   dns-only.crt/.key           leaf by server-ca: CN=127.0.0.1, SANs DNS:localhost only (no IP SAN)
#   other-ca.crt/.key           a CA that signed nothing the server presents
#
# The client's side
#   client-ca.crt/.key          CA that signs client certificates
#   client.crt/.key             client leaf by client-ca (clientAuth); key in PKCS#8
#   client-pkcs1.key            the same key as client.key in PKCS#1 ("BEGIN RSA PRIVATE KEY")
#   client-encrypted.key        the same key as client.key, encrypted PKCS#8 (AES-256-CBC)
#   client-encrypted.pass       the passphrase of client-encrypted.key (random per run)
#   client-ec.crt/.key          client leaf by client-ca with a P-256 key in SEC1 ("BEGIN EC PRIVATE KEY")
#   client-server-eku.crt       client leaf by client-ca (key client.key) whose extendedKeyUsage is
#                               serverAuth only: a server refuses it for client authentication
#   client-no-digsig.crt        client leaf by client-ca (key client.key, clientAuth) whose keyUsage
#                               is keyEncipherment only, without digitalSignature
#   gen_rootCa_cert.conf        the Azure article's config file
#   client-spiffe.crt           client leaf by client-ca (key client.key, clientAuth) with the URI SAN
#                               spiffe://cqlwire.test/app: an identity for certificate login
#   client-uris.crt             the same with two URI SANs, an https one first: the identity is the
#                               SPIFFE one, spiffe://cqlwire.test/second
#   rootCa.crt/.key             self-signed client certificate made the Azure article's way
#   untrusted.crt/.key          self-signed client certificate that no server trusts
#   trusted-client-cas.pem      what the test server trusts: client-ca.crt + rootCa.crt
#
# PKCS#12 bundles and Java keystores (made with openssl and with the JDK's keytool, which this
# script requires: a missing keytool fails it, the tests that use these files are not skipped)
#   client.p12                  client.crt + client.key + client-ca.crt, encrypted with the
#                               passphrase in client-encrypted.pass (AES-256-CBC, PBKDF2, SHA-256 MAC)
#   client-legacy.p12           the same, made with -legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)
#   client-plain.p12            the same, unencrypted and without a MAC (no passphrase at all)
#   client-keytool.p12          client.p12 imported by keytool into a PKCS12 keystore (same passphrase)
#   client-nomac.p12            client.p12 without integrity MAC (-nomac; same passphrase)
#   client-legacy-nomac.p12     client-legacy.p12 without integrity MAC
#   client-keytool-nomac.p12    client-keytool.p12 without integrity MAC (macAlgorithm NONE)
#   client-iter65536.p12        client.p12 with 65536 iterations for the MAC and both encryptions, so
#                               that a test can raise each count in place (its INTEGER is 3 bytes)
#   client-nokey.p12            client.crt alone, no private key (empty passphrase)
#   client-nocert.p12           client.key alone, no certificate (empty passphrase)
#   client.jks / client.jceks   client.p12 imported by keytool into a JKS / JCEKS keystore
#   server-ca-truststore.p12    server-ca.crt in a keytool PKCS12 truststore, password "changeit"
#   server-ca-open.p12          server-ca.crt in an openssl PKCS#12 file with an empty passphrase
#   server-ca.jks               server-ca.crt in a keytool JKS truststore, password "changeit"
#
# Private keys are mode 0600, certificates 0644.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
pki_dir=$1
mkdir -p "$pki_dir"
cd "$pki_dir"
umask 077
days=825

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run_openssl() {
    if ! openssl "$@" >"$log" 2>&1; then
        echo "make_test_pki: openssl $1 failed:" >&2
        cat "$log" >&2
        exit 1
    fi
}
serial() { echo "0x$(openssl rand -hex 16)"; }
new_rsa_key() { run_openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# new_ca NAME CN [ISSUER] — NAME.crt/.key; self-signed, or signed by ISSUER.crt/.key.
new_ca() {
    new_rsa_key "$1.key"
    if [[ $# -eq 2 ]]; then
        run_openssl req -new -x509 -key "$1.key" -out "$1.crt" -days "$days" -sha256 \
            -set_serial "$(serial)" -subj "/O=cqlwire tests/CN=$2" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -addext "subjectKeyIdentifier=hash"
    else
        cat >"$1.ext" <<'EXT'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
        run_openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=cqlwire tests/CN=$2"
        run_openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -set_serial "$(serial)" \
            -days "$days" -sha256 -extfile "$1.ext" -out "$1.crt"
        rm -f "$1.csr" "$1.ext"
    fi
}

# ext_file NAME EKU SAN [KEYUSAGE] — the extensions of a leaf certificate, written to NAME.ext.
ext_file() {
    {
        echo "basicConstraints = critical, CA:FALSE"
        echo "keyUsage = critical, ${4:-digitalSignature, keyEncipherment}"
        echo "extendedKeyUsage = $2"
        echo "subjectKeyIdentifier = hash"
        echo "authorityKeyIdentifier = keyid"
        if [[ -n $3 ]]; then echo "subjectAltName = $3"; fi
    } >"$1.ext"
}

# new_leaf NAME CA CN EKU SAN [KEYFILE] [KEYUSAGE] — NAME.crt (and NAME.key unless KEYFILE is given).
new_leaf() {
    local key=${6:-$1.key}
    [[ -f $key ]] || new_rsa_key "$key"
    ext_file "$1" "$4" "$5" "${7:-}"
    run_openssl req -new -key "$key" -out "$1.csr" -subj "/O=cqlwire tests/CN=$3"
    run_openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -set_serial "$(serial)" \
        -days "$days" -sha256 -extfile "$1.ext" -out "$1.crt"
    rm -f "$1.csr" "$1.ext"
}

# dated_leaf NAME CA CN SAN START END — a leaf with explicit validity dates. `openssl x509`
# of OpenSSL 3.0 cannot set a start date, so this goes through `openssl ca`, whose
# -startdate/-enddate take the YYYYMMDDHHMMSSZ form.
dated_leaf() {
    new_rsa_key "$1.key"
    ext_file "$1" serverAuth "$4"
    run_openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=cqlwire tests/CN=$3"
    local db
    db=$(mktemp -d)
    : >"$db/index.txt"
    openssl rand -hex 16 >"$db/serial"
    cat >"$db/ca.conf" <<CONF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $db/index.txt
serial = $db/serial
new_certs_dir = $db
certificate = $2.crt
private_key = $2.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
CONF
    run_openssl ca -batch -notext -config "$db/ca.conf" -in "$1.csr" -out "$1.crt" \
        -startdate "$5" -enddate "$6" -extfile "$1.ext"
    rm -rf "$db" "$1.csr" "$1.ext"
}

server_sans="DNS:localhost, DNS:*.cassandra.test, IP:127.0.0.1, IP:::1"

# --- The server's side ------------------------------------------------------------------------
new_ca server-ca "cqlwire tests server CA"
new_leaf server server-ca localhost serverAuth "$server_sans"
new_ca intermediate-ca "cqlwire tests intermediate CA" server-ca
new_leaf server-chain-leaf intermediate-ca localhost serverAuth "DNS:localhost, IP:127.0.0.1, IP:::1"
cat server-chain-leaf.crt intermediate-ca.crt >server-chain.crt
mv server-chain-leaf.key server-chain.key
rm -f server-chain-leaf.crt
dated_leaf expired server-ca localhost "$server_sans" 20200101000000Z 20210101000000Z
dated_leaf not-yet-valid server-ca localhost "$server_sans" 20400101000000Z 20410101000000Z
new_leaf wrong-name server-ca localhost serverAuth "DNS:wrong.cassandra.example"
new_leaf dns-only server-ca 127.0.0.1 serverAuth "DNS:localhost"
new_ca other-ca "cqlwire tests unrelated CA"

# --- The client's side ------------------------------------------------------------------------
new_ca client-ca "cqlwire tests client CA"
new_leaf client client-ca cqlwire-tests-client clientAuth ""
run_openssl rsa -in client.key -traditional -out client-pkcs1.key
openssl rand -hex 24 >client-encrypted.pass
run_openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -passout file:client-encrypted.pass \
    -out client-encrypted.key
run_openssl ecparam -name prime256v1 -genkey -noout -out client-ec.key
new_leaf client-ec client-ca cqlwire-tests-client-ec clientAuth "" client-ec.key
new_leaf client-server-eku client-ca cqlwire-tests-client-server-eku serverAuth "" client.key
new_leaf client-no-digsig client-ca cqlwire-tests-client-no-digsig clientAuth "" client.key keyEncipherment
new_leaf client-spiffe client-ca cqlwire-tests-client-spiffe clientAuth "URI:spiffe://cqlwire.test/app" client.key
new_leaf client-uris client-ca cqlwire-tests-client-uris clientAuth \
    "URI:https://cqlwire.test/not-an-identity, URI:spiffe://cqlwire.test/second" client.key

# The Azure article's self-signed client certificate, made its way (its config file verbatim;
# -subj overrides the CN).
cat >gen_rootCa_cert.conf <<'CONF'
# gen_rootCa_cert.conf
[ req ]
distinguished_name = req_distinguished_name
prompt             = no
output_password    = myPass
default_bits       = 2048

[ req_distinguished_name ]
C                  = US
O                  = YourCompany
OU                 = TestCluster
CN                 = YourComputerName
CONF
run_openssl req -config gen_rootCa_cert.conf -new -x509 -nodes \
    -subj /CN=cqlwire-tests-azure-client/OU=TestCluster/O=YourCompany/C=US/ \
    -keyout rootCa.key -out rootCa.crt -days 365

new_rsa_key untrusted.key
run_openssl req -new -x509 -key untrusted.key -out untrusted.crt -days "$days" -sha256 \
    -set_serial "$(serial)" -subj "/O=cqlwire tests/CN=cqlwire-tests-untrusted" \
    -addext "extendedKeyUsage=clientAuth"

cat client-ca.crt rootCa.crt >trusted-client-cas.pem

# --- PKCS#12 bundles and Java keystores -------------------------------------------------------
keytool=${KEYTOOL:-}
if [[ -z "$keytool" ]]; then
    if command -v keytool >/dev/null 2>&1; then
        keytool=$(command -v keytool)
    elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/keytool ]]; then
        keytool=/usr/lib/jvm/java-17-openjdk-amd64/bin/keytool
    else
        echo "make_test_pki: keytool (JDK 17: openjdk-17-jdk-headless) is required for the keystore tests;" \
            "install it (tools/install-deps) or set KEYTOOL" >&2
        exit 1
    fi
fi
run_keytool() {
    if ! "$keytool" "$@" >"$log" 2>&1; then
        echo "make_test_pki: keytool $1 failed:" >&2
        cat "$log" >&2
        exit 1
    fi
}
p12_pass=file:client-encrypted.pass
run_openssl pkcs12 -export -in client.crt -inkey client.key -certfile client-ca.crt -name client \
    -passout "$p12_pass" -out client.p12
run_openssl pkcs12 -export -legacy -in client.crt -inkey client.key -certfile client-ca.crt -name client \
    -passout "$p12_pass" -out client-legacy.p12
run_openssl pkcs12 -export -in client.crt -inkey client.key -certfile client-ca.crt -name client \
    -keypbe NONE -certpbe NONE -nomac -passout pass: -out client-plain.p12
run_openssl pkcs12 -export -in client.crt -inkey client.key -certfile client-ca.crt -name client \
    -passout "$p12_pass" -nomac -out client-nomac.p12
run_openssl pkcs12 -export -legacy -in client.crt -inkey client.key -certfile client-ca.crt -name client \
    -passout "$p12_pass" -nomac -out client-legacy-nomac.p12
run_openssl pkcs12 -export -in client.crt -inkey client.key -certfile client-ca.crt -name client \
    -passout "$p12_pass" -iter 65536 -out client-iter65536.p12
run_openssl pkcs12 -export -nokeys -in client.crt -passout pass: -out client-nokey.p12
run_openssl pkcs12 -export -nocerts -inkey client.key -passout pass: -out client-nocert.p12
run_openssl pkcs12 -export -nokeys -in server-ca.crt -passout pass: -out server-ca-open.p12
for store in PKCS12:client-keytool.p12 JKS:client.jks JCEKS:client.jceks; do
    run_keytool -importkeystore -noprompt -srckeystore client.p12 -srcstoretype PKCS12 \
        -srcstorepass:file client-encrypted.pass -destkeystore "${store#*:}" -deststoretype "${store%%:*}" \
        -deststorepass:file client-encrypted.pass -destkeypass:file client-encrypted.pass
done
run_keytool -J-Dkeystore.pkcs12.macAlgorithm=NONE -importkeystore -noprompt -srckeystore client.p12 \
    -srcstoretype PKCS12 -srcstorepass:file client-encrypted.pass -destkeystore client-keytool-nomac.p12 \
    -deststoretype PKCS12 -deststorepass:file client-encrypted.pass -destkeypass:file client-encrypted.pass
run_keytool -importcert -noprompt -alias server-ca -file server-ca.crt -keystore server-ca-truststore.p12 \
    -storetype PKCS12 -storepass changeit
run_keytool -importcert -noprompt -alias server-ca -file server-ca.crt -keystore server-ca.jks \
    -storetype JKS -storepass changeit

chmod 0600 ./*.key client-encrypted.pass client*.p12 client.jks client.jceks
chmod 0644 ./*.crt ./*.pem gen_rootCa_cert.conf server-ca-truststore.p12 server-ca-open.p12 server-ca.jks

# Fail here, not in a test, if a chain came out broken.
run_openssl verify -CAfile server-ca.crt -purpose sslserver server.crt
run_openssl verify -CAfile server-ca.crt -untrusted intermediate-ca.crt -purpose sslserver server-chain.crt
run_openssl verify -CAfile client-ca.crt -purpose sslclient client.crt
run_openssl verify -CAfile client-ca.crt -purpose sslclient client-ec.crt
grep -q 'BEGIN RSA PRIVATE KEY' client-pkcs1.key
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' client-encrypted.key
grep -q 'BEGIN EC PRIVATE KEY' client-ec.key
# The keystores are what their names say: keytool's magic numbers, and openssl reads the PKCS#12 ones.
[[ "$(head -c 4 client.jks | od -An -tx1 | tr -d ' ')" == feedfeed ]]
[[ "$(head -c 4 client.jceks | od -An -tx1 | tr -d ' ')" == cececece ]]
run_openssl pkcs12 -in client-keytool.p12 -passin "$p12_pass" -nokeys -noout
run_openssl pkcs12 -in server-ca-truststore.p12 -passin pass:changeit -nokeys -noout
