#!/usr/bin/env bash
# List the tenant's call logs newest first, page by page, following next_cursor.
#   VOXRAY_API_KEY=vxk_… ./list-call-logs.sh [page-size]
. "$(dirname "$0")/common.sh"
limit=${1:-20}
cursor="" total=0 pages=0
while :; do
  query="limit=$limit"
  [ -n "$cursor" ] && query="$query&cursor=$cursor"
  page=$(api "$VOXRAY_API_KEY" GET "/api/v1/call-logs?$query")
  pages=$((pages + 1)); n=$(echo "$page" | jq '.data | length'); total=$((total + n))
  echo "page $pages: $n call(s)"
  echo "$page" | jq -r '.data[] | "  \(.id) \(.status) \(.direction) \(.from_number) -> \(.to_number)"'
  [ "$(echo "$page" | jq -r .has_more)" = true ] || break
  cursor=$(echo "$page" | jq -r '.next_cursor // empty')
  [ -n "$cursor" ] || break
done
echo "total: $total call(s) in $pages page(s)"
