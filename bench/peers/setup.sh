#!/usr/bin/env bash
# Installs what the benchmark peers need on a fresh Debian machine (run as root).
# Idempotent and quiet: prints nothing unless a step fails (then it prints that step's log).
#   bench/peers/setup.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

run() {  # run a step quietly; on failure show its output and stop
  if ! "$@" >"$log" 2>&1; then
    echo "setup.sh: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}

# faiss and numpy from Debian, for the system Python (no PyPI).
if ! /usr/bin/python3 -c 'import faiss, numpy' >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -q
  run apt-get install -y -q --no-install-recommends python3-faiss python3-numpy
  run /usr/bin/python3 -c 'import faiss, numpy'
fi

# LanceDB and Arrow from npm, exactly as pinned in package-lock.json.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: node and npm are needed for the LanceDB peer (Node 20)" >&2
  exit 1
fi
lock="$here/lancedb/package-lock.json"
stamp="$here/lancedb/node_modules/.package-lock.json"
# npm ci wipes node_modules; skip it when the installed tree already matches the lock file.
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || \
   ! (cd "$here/lancedb" && node -e "import('@lancedb/lancedb').then(() => import('apache-arrow'))") >/dev/null 2>&1; then
  (cd "$here/lancedb" && run npm ci --no-audit --no-fund --loglevel=error)
fi
