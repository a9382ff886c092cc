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

# faiss and numpy from Debian, for the system Python (no PyPI), with OpenBLAS. Debian's faiss
# links the generic libblas.so.3, which without an optimized provider is the reference BLAS:
# faiss's k-means and exact searches then run many times slower than any faiss build people
# deploy (the PyPI wheels bundle OpenBLAS). The OpenMP flavour follows faiss.omp_set_num_threads,
# so `threads: 1` in a spec still means one thread inside BLAS too.
if ! /usr/bin/python3 -c 'import faiss, numpy' >/dev/null 2>&1 || \
   ! dpkg-query -W -f='${Status}' libopenblas0-openmp 2>/dev/null | grep -q 'ok installed'; then
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -q
  run apt-get install -y -q --no-install-recommends python3-faiss python3-numpy libopenblas0-openmp
  run /usr/bin/python3 -c 'import faiss, numpy'
fi
# Check the BLAS faiss really loads (the alternatives link can be pinned by hand to another one).
blas="$(/usr/bin/python3 -c 'import faiss; print(" ".join(sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l})))')"
case "$blas" in
  *openblas*) ;;
  *) echo "setup.sh: faiss loads '$blas', not OpenBLAS; check: update-alternatives --display libblas.so.3-$(uname -m)-linux-gnu" >&2
     exit 1 ;;
esac

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
