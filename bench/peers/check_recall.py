#!/usr/bin/python3
"""Recall@k of a peer's results against exact brute force, for debugging a peer.

    /usr/bin/python3 bench/peers/check_recall.py SPEC.json [RESULTS_DIR]

RESULTS_DIR defaults to the spec's work_dir. Exact search is a numpy matrix product
over all n documents (restricted to the filter's documents for filtered runs), so keep
n * q small. Recall for a query is |returned ∩ exact top-k| / min(k, matching documents).
The real benchmark harness scores the peers itself; this is only a sanity check.
"""

import json
import os
import sys

import numpy as np


def read_rows(path, dtype, rows, cols):
    a = np.fromfile(path, dtype=dtype, count=rows * cols)
    if a.size != rows * cols:
        raise SystemExit(f"{path}: shorter than {rows} x {cols}")
    return a.reshape(rows, cols).astype(np.dtype(dtype).newbyteorder("="))


def exact_top_k(xb, xq, k, metric, allowed):
    if metric == "cosine":
        score = xq @ xb.T  # larger is nearer
    else:
        score = -((xq * xq).sum(1)[:, None] - 2 * xq @ xb.T + (xb * xb).sum(1)[None, :])
    score[:, ~allowed] = -np.inf
    top = np.argsort(-score, axis=1, kind="stable")[:, :k]
    return top, min(k, int(allowed.sum()))


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: check_recall.py SPEC.json [RESULTS_DIR]")
    spec_path = sys.argv[1]
    with open(spec_path) as f:
        spec = json.load(f)
    base = os.path.dirname(os.path.abspath(spec_path))

    def resolve(p):
        return p if os.path.isabs(p) else os.path.join(base, p)

    results_dir = sys.argv[2] if len(sys.argv) == 3 else resolve(spec.get("work_dir", "."))
    with open(os.path.join(results_dir, "results.json")) as f:
        results = json.load(f)
    n, dims, q, k = spec["n"], spec["dims"], spec["q"], spec["k"]
    xb = read_rows(resolve(spec["documents"]), "<f4", n, dims)
    xq = read_rows(resolve(spec["queries"]), "<f4", q, dims)
    years = None
    if spec.get("filters"):
        years = read_rows(resolve(spec["filters"]["attribute"]), "<i4", n, 1)[:, 0]

    truth = {}
    for run in results["runs"]:
        f = run["filter"]
        key = None if f is None else (f["lo"], f["hi"])
        if key not in truth:
            allowed = np.ones(n, bool) if key is None else (years >= key[0]) & (years <= key[1])
            truth[key] = exact_top_k(xb, xq, k, spec["metric"], allowed) + (allowed,)
        top, want, allowed = truth[key]
        got = np.fromfile(os.path.join(results_dir, run["ids_file"]), dtype="<i4").reshape(q, k)
        hits = [len(set(got[i][got[i] >= 0].tolist()) & set(top[i, :want].tolist()))
                for i in range(q)]
        recall = float(np.mean(hits)) / want if want else float("nan")
        valid = got[got >= 0]
        outside = int(np.count_nonzero(~allowed[valid])) if valid.size else 0
        missing = int(np.count_nonzero(got < 0))
        tag = "all" if key is None else f"year {key[0]}-{key[1]} ({int(allowed.sum())} docs)"
        print(f"{run['system']:7s} {run['setting']:24s} {tag:28s} recall@{k} {recall:.3f}"
              f"  p50 {run['p50_us']:9.1f} us"
              + (f"  {outside} ids outside the filter" if outside else "")
              + (f"  {missing} empty slots" if missing else ""))


if __name__ == "__main__":
    main()
