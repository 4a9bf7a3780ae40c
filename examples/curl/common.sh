# Shared by the curl examples: the gateway URL, curl flags, and problem+json errors shown with
# their code and request id. Needs curl and jq.
set -euo pipefail
VOXRAY_URL=${VOXRAY_URL:-http://127.0.0.1:8000}

# api KEY METHOD PATH [JSON_BODY] [EXTRA_CURL_ARGS...]: prints the body; exits 1 on an error answer.
# Retries (curl honours Retry-After) only what is safe to repeat: GET, PUT, DELETE, or a request
# carrying an Idempotency-Key.
api() {
  local key=$1 method=$2 path=$3 body=${4:-}
  shift $(( $# < 4 ? $# : 4 ))
  local out status
  out=$(mktemp)
  args=(-sS -o "$out" -w '%{http_code}' -X "$method" "$VOXRAY_URL$path" -H "Authorization: Bearer $key"
        -H "X-Request-Id: req_$(openssl rand -hex 16)")
  case "$method $*" in GET*|PUT*|DELETE*|*Idempotency-Key*) args+=(--retry 3) ;; esac
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  status=$(curl "${args[@]}" "$@")
  if [ "$status" -ge 400 ]; then
    jq -r '"error: \(.status) \(.code): \(.title) (\(.detail // "")) [request \(.request_id)]"' "$out" >&2 || cat "$out" >&2
    rm -f "$out"; exit 1
  fi
  cat "$out"; rm -f "$out"
}
