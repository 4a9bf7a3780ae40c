#!/usr/bin/env bash
# Read one voice session: its transcript and the tool calls the agent made.
#   VOXRAY_API_KEY=vxk_… ./voice-session.sh CA…
. "$(dirname "$0")/common.sh"
id=${1:?usage: voice-session.sh SESSION_ID}
api "$VOXRAY_API_KEY" GET "/api/v1/voice-sessions/$id" | jq -r '
  "session \(.call.id) status=\(.call.status)",
  "transcript:", (.transcript[] | "  [\(.speaker)] \(.text // "(not transcribed)")"),
  "tool calls:", (.function_calls[] | "  \(.name) \(.arguments | tojson) -> \(.status) \(.result | tojson)")'
