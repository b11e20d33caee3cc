#!/usr/bin/env bash
# `npm start` on an empty data directory with no DATABASE_URL: answers /healthz, stores and returns a
# contact, serves the dashboard at / and prints the owner's link, and stops cleanly when npm alone is
# sent SIGTERM (npm does not pass it on: the server notices its parent is gone). Nothing may be left
# running: not node, not PostgreSQL.
# SMOKE_DATA_DIR: the data directory to use (default: a new temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
data="${SMOKE_DATA_DIR:-$dir/data}"
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
log="$dir/start.log"
set -m # npm gets its own process group, as in a terminal
env -u DATABASE_URL -u QUOTAHIT_ENCRYPTION_KEY QUOTAHIT_DATA_DIR="$data" PORT="$port" npm start --silent >"$log" 2>&1 &
pid=$!
cluster=""
cleanup() {
  kill -KILL -- -"$pid" 2>/dev/null || true
  case "$cluster" in /var/lib/quotahit/*) rm -rf "$cluster" ;; esac
  rm -rf "$dir"
  [ -z "${SMOKE_DATA_DIR:-}" ] || rm -rf "$SMOKE_DATA_DIR"
}
trap cleanup EXIT

started=$(date +%s)
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "start exited early:"; cat "$log"; exit 1; fi
  if [ $(( $(date +%s) - started )) -gt 90 ]; then echo "no /healthz within 90 s:"; cat "$log"; exit 1; fi
  sleep 0.5
done
echo "healthz after $(( $(date +%s) - started )) s"
cluster=$(readlink -f "$data/pg")
echo "cluster: $cluster"

key=$(grep -o 'qh_[A-Za-z0-9_-]*' "$log" | head -n 1)
[ -n "$key" ] || { echo "no API key printed on first start"; cat "$log"; exit 1; }
curl -fsS -H "Authorization: Bearer $key" -H 'content-type: application/json' \
  -d '{"contacts":[{"email":"smoke@example.com","firstName":"Smoke"}]}' "http://127.0.0.1:$port/v1/contacts" | grep -q '"created":1'
curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/contacts" | grep -q 'smoke@example.com'
# The dashboard on the same port, and the owner's one-time link printed on first start.
grep -q "Set the owner's password: http://localhost:$port/setup?token=" "$log" || { echo "no owner link printed"; cat "$log"; exit 1; }
curl -fsS -H 'accept: text/html' "http://127.0.0.1:$port/" | grep -q '<div id="root">' || { echo "no dashboard at /"; exit 1; }

server=$(grep -o '"pid":[0-9]*' "$log" | head -n 1 | cut -d: -f2)
[ -n "$server" ] || { echo "no pid in the server's log lines"; cat "$log"; exit 1; }
kill -TERM "$pid" # npm alone
wait "$pid" || true
for _ in $(seq 1 80); do
  alive=0
  if [ -e "$cluster/postmaster.pid" ] || kill -0 "$server" 2>/dev/null; then alive=1; fi
  [ "$alive" = 1 ] || break
  sleep 0.25
done
if kill -0 "$server" 2>/dev/null; then echo "the server outlived npm"; cat "$log"; exit 1; fi
if [ -e "$cluster/postmaster.pid" ]; then echo "embedded PostgreSQL still running after stop"; cat "$log"; exit 1; fi
if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then echo "server still answering after stop"; exit 1; fi
grep -q 'Stopped cleanly in' "$log" || { echo "no clean stop reported:"; cat "$log"; exit 1; }
grep -o 'Stopped cleanly in [0-9.]* s' "$log"
echo "embedded smoke test passed"
