#!/usr/bin/env bash
# As root: clone the project into a 0700 directory (as a clone under /root is), install nothing new
# (node_modules is hard-linked from this checkout: npm ci would give the same tree), and run the
# embedded smoke test there with the default data directory ./.quotahit.
set -euo pipefail
cd "$(dirname "$0")/.."
private=$(mktemp -d) # mode 0700
trap 'rm -rf "$private"' EXIT
[ "$(stat -c %a "$private")" = 700 ] || { echo "mktemp did not give a 0700 directory"; exit 1; }
clone="$private/quotahit"
if git rev-parse --git-dir >/dev/null 2>&1; then
  git clone --quiet --no-hardlinks . "$clone"
else
  mkdir "$clone" && tar --exclude=./node_modules --exclude=./.quotahit --exclude=./dist -cf - . | tar -xf - -C "$clone"
fi
cp -al node_modules "$clone/node_modules"
cd "$clone"
SMOKE_DATA_DIR="$clone/.quotahit" bash .ci/embedded-smoke.sh
