#!/usr/bin/env bash
# Point the tenant's events at your endpoint, then send it a webhook.test event and show the
# delivery log. The signing secret is printed once, when the endpoint is created.
#   VOXRAY_API_KEY=vxk_… ./webhooks.sh https://example.com/voxray-events
. "$(dirname "$0")/common.sh"
url=${1:?usage: webhooks.sh ENDPOINT_URL}
api "$VOXRAY_API_KEY" PUT /api/v1/webhook-endpoint "$(jq -nc --arg url "$url" '{url: $url}')" |
  jq -r '"endpoint \(.id) -> \(.url)", (if .secret then "signing secret: WEBHOOK_SECRET=\(.secret)" else empty end)'
sent=$(api "$VOXRAY_API_KEY" POST /api/v1/webhook-endpoint/test)
echo "sent webhook.test event $(echo "$sent" | jq -r .event_id)"
sleep "${WAIT_S:-1}"
api "$VOXRAY_API_KEY" GET "/api/v1/webhook-deliveries?limit=5" |
  jq -r '.data[] | "delivery \(.event_id) \(.event_type) \(.state) attempts=\(.attempts)"'
