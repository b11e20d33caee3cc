#!/usr/bin/env bash
# Two CPU-burning processes beside the test suite (issue 16, point 9): a test may not depend on how
# fast the machine is. `.ci/burn.sh start` prints their process ids; `.ci/burn.sh stop <pids…>` ends
# exactly those.
set -euo pipefail
case "${1:-}" in
  start)
    for _ in 1 2; do
      node -e 'for (;;) {}' </dev/null >/dev/null 2>&1 &
      echo $!
    done
    ;;
  stop)
    shift
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    ;;
  *)
    echo "usage: $0 start | stop <pid…>" >&2
    exit 2
    ;;
esac
