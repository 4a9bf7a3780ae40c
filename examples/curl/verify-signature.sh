#!/usr/bin/env bash
# Verify a Standard Webhooks signature with openssl: a webhook event or a tool request, saved as
# its headers (curl -D / a raw HTTP header block) and its exact body bytes.
#   ./verify-signature.sh whsec_… headers.txt body.json   -> "valid" (exit 0) or "invalid: why" (exit 1)
set -euo pipefail
secret=${1:?usage: verify-signature.sh SECRET HEADERS_FILE BODY_FILE} headers=${2:?} body=${3:?}
header() { grep -i "^$1:" "$headers" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
id=$(header webhook-id) ts=$(header webhook-timestamp) sigs=$(header webhook-signature)
[ -n "$id" ] && [ -n "$ts" ] && [ -n "$sigs" ] || { echo "invalid: missing webhook-* headers"; exit 1; }
now=$(date +%s)
[ $(( now - ts )) -le 300 ] && [ $(( ts - now )) -le 300 ] || { echo "invalid: timestamp outside the tolerance"; exit 1; }
key_hex=$(printf '%s' "${secret#whsec_}" | base64 -d | xxd -p -c 256)
expected=$( { printf '%s.%s.' "$id" "$ts"; cat "$body"; } |
  openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | base64 -w0)
for sig in $sigs; do
  [ "${sig#v1,}" = "$expected" ] && { echo "valid"; exit 0; }
done
echo "invalid: no signature matches"; exit 1
