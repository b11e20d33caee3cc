#!/usr/bin/env bash
# `npm start` on an empty data directory with no DATABASE_URL: answers /healthz, stores and returns a
# contact, serves the dashboard at / and prints the owner's link, and stops cleanly on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
log="$dir/start.log"
set -m # the server gets its own process group, as in a terminal, so Ctrl-C/SIGTERM reach node
env -u DATABASE_URL -u QUOTAHIT_ENCRYPTION_KEY QUOTAHIT_DATA_DIR="$dir/data" PORT="$port" npm start >"$log" 2>&1 &
pid=$!
cleanup() { kill -- -"$pid" 2>/dev/null || true; cluster=$(readlink -f "$dir/data/pg" || true); case "$cluster" in /var/lib/quotahit/*) rm -rf "$cluster" ;; esac; rm -rf "$dir"; }
trap cleanup EXIT

started=$(date +%s)
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "start exited early:"; cat "$log"; exit 1; fi
  if [ $(( $(date +%s) - started )) -gt 60 ]; then echo "no /healthz within 60 s:"; cat "$log"; exit 1; fi
  sleep 0.5
done
echo "healthz after $(( $(date +%s) - started )) s"

key=$(grep -o 'qh_[A-Za-z0-9_-]*' "$log" | head -n 1)
[ -n "$key" ] || { echo "no API key printed on first start"; cat "$log"; exit 1; }
curl -fsS -H "Authorization: Bearer $key" -H 'content-type: application/json' \
  -d '{"contacts":[{"email":"smoke@example.com","firstName":"Smoke"}]}' "http://127.0.0.1:$port/v1/contacts" | grep -q '"created":1'
curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/contacts" | grep -q 'smoke@example.com'
# The dashboard on the same port, and the owner's one-time link printed on first start.
grep -q "^Set the owner's password: http://localhost:$port/setup?token=" "$log" || { echo "no owner link printed"; cat "$log"; exit 1; }
curl -fsS -H 'accept: text/html' "http://127.0.0.1:$port/" | grep -q '<div id="root">' || { echo "no dashboard at /"; exit 1; }

kill -TERM -- -"$pid"
code=0
wait "$pid" || code=$?
# npm itself dies of the signal (143); node must have shut down cleanly and stopped PostgreSQL.
case "$code" in 0|143) ;; *) echo "start exited with $code"; cat "$log"; exit 1 ;; esac
for _ in $(seq 1 40); do
  [ -e "$dir/data/pg/postmaster.pid" ] || break
  sleep 0.25
done
if [ -e "$dir/data/pg/postmaster.pid" ]; then echo "embedded PostgreSQL still running after stop"; exit 1; fi
if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then echo "server still answering after stop"; exit 1; fi
echo "embedded smoke test passed"
