#!/usr/bin/env bash
# Place an outbound call with an Idempotency-Key, then repeat it with the same key: the answer is
# replayed (Idempotent-Replayed: true) and no second call is placed.
#   VOXRAY_API_KEY=vxk_… ./make-call.sh +15551230000 [idempotency-key]
. "$(dirname "$0")/common.sh"
to=${1:?usage: make-call.sh TO [IDEMPOTENCY_KEY]}
key=${2:-mc_$(openssl rand -hex 16)}
body=$(jq -nc --arg to "$to" '{to: $to}')
first=$(api "$VOXRAY_API_KEY" POST /api/v1/make-call "$body" -H "Idempotency-Key: $key")
echo "$first" | jq -r --arg key "$key" \
  '"placed call \(.id) status=\(.status) from=\(.from_number) to=\(.to_number) idempotency-key=\($key)"'
headers=$(mktemp)
again=$(api "$VOXRAY_API_KEY" POST /api/v1/make-call "$body" -H "Idempotency-Key: $key" -D "$headers")
replayed=$(grep -i '^idempotent-replayed:' "$headers" | tr -d '\r' | awk '{print $2}')
rm -f "$headers"
echo "retried with the same key: call $(echo "$again" | jq -r .id) Idempotent-Replayed=${replayed:-false}"
