#!/usr/bin/env bash
# tls_zero_allocations.sh BENCH PKI_SCRIPT — the zero-allocation check of cqlwire_bench, over
# mutual TLS: after a warm-up, every heap allocation per request must be OpenSSL's own (its
# record layer allocates a little, which cqlwire does not control); cqlwire itself, the TLS
# layer behind transport::stream included, allocates nothing.
#
# The PKI is the benchmark's own (tools/make-pki bench), made in a temporary folder.
set -euo pipefail
bench=$1
make_pki=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$make_pki" bench "$dir/bench" >/dev/null

line=$("$bench" --pki "$dir/bench" --requests 5000 --warmup 0.3 --depth 16 --rows 10 --quiet \
                --user bench --password bench-pw | grep '^RESULT ')
echo "$line"
field() { sed -n "s/.* $1=\([0-9.]*\) .*/\1/p" <<<"$line"; }
all=$(field allocs_per_request)
openssl=$(field openssl_allocs_per_request)
errors=$(field errors)
if [[ -z $all || -z $openssl || $errors != 0 ]]; then
  echo "FAIL: the TLS bench run did not complete cleanly: $line"
  exit 1
fi
if [[ $all != "$openssl" ]]; then
  echo "FAIL: $all heap allocations per request over TLS, of which only $openssl inside OpenSSL: cqlwire allocates on the TLS hot path"
  exit 1
fi
echo "PASS: over TLS every heap allocation per request ($all) is OpenSSL's own"
