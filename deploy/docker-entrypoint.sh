#!/bin/sh
# Starts one app of the image: the first argument (or $APP) names it.
set -e
app="${1:-${APP:-}}"
case "$app" in
  call-gateway|llm-worker|tts-worker|playback-worker|sandbox)
    exec node "dist/apps/$app/src/main.js" ;;
  *)
    echo "usage: docker run IMAGE <call-gateway|llm-worker|tts-worker|playback-worker|sandbox>" >&2
    exit 64 ;;
esac
