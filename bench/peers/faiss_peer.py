#!/usr/bin/python3
"""faiss peer for Strata's side-by-side vector benchmarks.

    /usr/bin/python3 bench/peers/faiss_peer.py SPEC.json

Reads the spec (see README.md in this folder), builds each distinct index the
settings ask for, times every query alone after a warm-up pass, and writes
results.json plus one ids file (and one distances file) per
(setting, filter) into the spec's work_dir.

Written against Debian's python3-faiss 1.7.3 and python3-numpy.
"""

import json
import math
import os
import sys
import time

import numpy as np
import faiss

SYSTEM = "faiss"

# Knobs each index kind accepts; the build knobs decide which settings share an index.
IVFPQ_BUILD = ("nlist", "m", "nbits")
IVFPQ_SEARCH = ("nprobe", "k_factor")
HNSW_BUILD = ("M", "efConstruction")
HNSW_SEARCH = ("efSearch",)


def default_settings():
    return [
        {"name": "ivfpq-nprobe=8", "index": "ivfpq", "nprobe": 8, "k_factor": 4},
        {"name": "ivfpq-nprobe=32", "index": "ivfpq", "nprobe": 32, "k_factor": 4},
        {"name": "hnsw-ef=64", "index": "hnsw", "M": 32, "efSearch": 64},
        {"name": "hnsw-ef=128", "index": "hnsw", "M": 32, "efSearch": 128},
    ]


# ---------------------------------------------------------------- spec and inputs

def load_spec(path):
    with open(path) as f:
        spec = json.load(f)
    base = os.path.dirname(os.path.abspath(path))

    def resolve(p):
        return p if os.path.isabs(p) else os.path.join(base, p)

    for key in ("documents", "n", "dims", "queries", "q", "k", "metric"):
        if key not in spec:
            raise SystemExit(f"spec: missing '{key}'")
    if spec["metric"] not in ("cosine", "l2"):
        raise SystemExit(f"spec: metric must be cosine or l2, got {spec['metric']!r}")
    spec["documents"] = resolve(spec["documents"])
    spec["queries"] = resolve(spec["queries"])
    spec["work_dir"] = resolve(spec.get("work_dir", "."))
    spec.setdefault("threads", 1)
    filters = spec.get("filters")
    if filters:
        filters["attribute"] = resolve(filters["attribute"])
    settings = [s for s in spec.get("settings") or []
                if s.get("system", SYSTEM) == SYSTEM]
    spec["settings"] = settings or default_settings()
    names = [s["name"] for s in spec["settings"]]
    if len(set(names)) != len(names):
        raise SystemExit("spec: setting names must be unique")
    return spec


def read_rows(path, dtype, rows, cols):
    """First rows*cols little-endian values of a raw file (the file may be longer)."""
    count = rows * cols
    need = count * np.dtype(dtype).itemsize
    have = os.path.getsize(path)
    if have < need:
        raise SystemExit(f"{path}: has {have} bytes, need {need}")
    a = np.fromfile(path, dtype=dtype, count=count).reshape(rows, cols)
    return np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("="))


# ---------------------------------------------------------------- settings to indexes

def index_key(s, n, dims):
    """(kind, build params) for a setting, with defaults filled in; raises on unknown knobs."""
    kind = s.get("index")
    known = {"name", "index", "system"}
    if kind == "ivfpq":
        known |= set(IVFPQ_BUILD + IVFPQ_SEARCH)
        build = {
            "nlist": int(s.get("nlist", max(1, round(4 * math.sqrt(n))))),
            "m": int(s.get("m", default_pq_m(dims))),
            "nbits": int(s.get("nbits", 8)),
        }
        if dims % build["m"]:
            raise SystemExit(f"setting {s['name']}: m={build['m']} does not divide dims={dims}")
    elif kind == "hnsw":
        known |= set(HNSW_BUILD + HNSW_SEARCH)
        build = {"M": int(s.get("M", 32)), "efConstruction": int(s.get("efConstruction", 40))}
    else:
        raise SystemExit(f"setting {s.get('name')}: 'index' must be 'ivfpq' or 'hnsw'")
    unknown = set(s) - known
    if unknown:
        raise SystemExit(f"setting {s['name']}: unknown knobs {sorted(unknown)}")
    return kind, build


def blas_libraries():
    """The BLAS libraries this process has loaded: faiss's k-means speed depends on which one."""
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if "blas" in line and "/" in line})
    except OSError:
        return []


def default_pq_m(dims):
    """8 dimensions per sub-quantizer when that keeps codes at most 64 bytes (48 for 384-d)."""
    if dims % 8 == 0 and dims // 8 <= 64:
        return dims // 8
    return max(m for m in range(1, 65) if dims % m == 0)


def index_label(kind, build):
    return kind + "(" + ",".join(f"{k}={v}" for k, v in build.items()) + ")"


class Built:
    """One built index plus what searching it needs."""

    def __init__(self, kind, build, metric, xb):
        self.kind = kind
        self.build = build
        d = xb.shape[1]
        cpu0 = time.process_time()  # CPU of every thread of the process, to compare on a busy machine
        t0 = time.perf_counter()
        if kind == "ivfpq":
            # Keep Python references to every part: faiss does not own them here.
            self.quantizer = faiss.IndexFlat(d, metric)
            self.ivf = faiss.IndexIVFPQ(self.quantizer, d, build["nlist"], build["m"],
                                        build["nbits"], metric)
            self.index = faiss.IndexRefineFlat(self.ivf)
            self.index.train(xb)
            t1 = time.perf_counter()
            self.index.add(xb)
            self.flat = faiss.downcast_index(self.index.refine_index)
            self.phases = {"train_seconds": t1 - t0, "add_seconds": time.perf_counter() - t1}
        else:
            self.index = faiss.IndexHNSWFlat(d, build["M"], metric)
            self.index.hnsw.efConstruction = build["efConstruction"]
            self.index.add(xb)
            self.phases = {"add_seconds": time.perf_counter() - t0}
        self.build_seconds = time.perf_counter() - t0
        self.build_cpu_seconds = time.process_time() - cpu0

    def size_bytes(self, work_dir):
        """Size of the serialized index, written to a scratch file (no second copy in memory)."""
        path = os.path.join(work_dir, "faiss-size-probe.index")
        faiss.write_index(self.index, path)
        try:
            return os.path.getsize(path)
        finally:
            os.remove(path)


# ---------------------------------------------------------------- searching

def make_searcher(built, s, k, selector, metric):
    """A function (query row, D row, I row) -> None for one setting and filter."""
    index = built.index
    if built.kind == "hnsw":
        ef = int(s.get("efSearch", 64))
        if selector is None:
            index.hnsw.efSearch = ef
            return lambda x, D, I: index.search(x, k, D=D, I=I)
        params = faiss.SearchParametersHNSW(efSearch=ef, sel=selector)
        return lambda x, D, I: index.search(x, k, params=params, D=D, I=I)

    nprobe = int(s.get("nprobe", 8))
    k_factor = float(s.get("k_factor", 4))
    if selector is None:
        built.ivf.nprobe = nprobe
        index.k_factor = k_factor
        return lambda x, D, I: index.search(x, k, D=D, I=I)

    # faiss 1.7.3's IndexRefineFlat refuses search parameters, so a filtered search does its
    # two steps by hand: the IVF-PQ search with the selector for k * k_factor candidates,
    # then exact distances for those candidates from the refine index and the best k.
    ivf, flat = built.ivf, built.flat
    params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector)
    kb = max(k, int(k * k_factor))
    Db = np.empty((1, kb), dtype=np.float32)
    Ib = np.empty((1, kb), dtype=np.int64)
    exact = np.empty(kb, dtype=np.float32)
    larger_is_better = metric == faiss.METRIC_INNER_PRODUCT

    def search(x, D, I):
        ivf.search(x, kb, params=params, D=Db, I=Ib)
        found = int(np.count_nonzero(Ib[0] >= 0))  # -1 padding comes last
        ids = Ib[0, :found]
        flat.compute_distance_subset(1, faiss.swig_ptr(x), found,
                                     faiss.swig_ptr(exact), faiss.swig_ptr(ids))
        dist = exact[:found]
        order = np.argsort(-dist if larger_is_better else dist, kind="stable")[:k]
        got = order.size
        I[0, :got] = ids[order]
        D[0, :got] = dist[order]
        I[0, got:] = -1
        D[0, got:] = np.nan

    return search


def run_queries(search, xq, k):
    q = xq.shape[0]
    D = np.empty((q, k), dtype=np.float32)
    I = np.empty((q, k), dtype=np.int64)
    for i in range(q):  # warm-up pass, untimed
        search(xq[i:i + 1], D[i:i + 1], I[i:i + 1])
    lat = np.empty(q, dtype=np.float64)
    clock = time.perf_counter_ns
    cpu0 = time.process_time_ns()
    for i in range(q):
        x, d, ids = xq[i:i + 1], D[i:i + 1], I[i:i + 1]
        t0 = clock()
        search(x, d, ids)
        lat[i] = (clock() - t0) / 1000.0
    # Process CPU over the whole timed pass (loop overhead included), per query.
    cpu_us = (time.process_time_ns() - cpu0) / 1000.0 / q
    return D, I, lat, cpu_us


# ---------------------------------------------------------------- output

def safe(name):
    return "".join(c if c.isalnum() or c in "-_.=" else "_" for c in name)


def latency_summary(lat):
    return {
        "mean_us": round(float(lat.mean()), 1),
        "p50_us": round(float(np.percentile(lat, 50)), 1),
        "p95_us": round(float(np.percentile(lat, 95)), 1),
        "p99_us": round(float(np.percentile(lat, 99)), 1),
    }


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: faiss_peer.py SPEC.json")
    spec = load_spec(sys.argv[1])
    n, dims, q, k = spec["n"], spec["dims"], spec["q"], spec["k"]
    work_dir = spec["work_dir"]
    os.makedirs(work_dir, exist_ok=True)
    faiss.omp_set_num_threads(int(spec["threads"]))
    metric = faiss.METRIC_INNER_PRODUCT if spec["metric"] == "cosine" else faiss.METRIC_L2

    t0 = time.perf_counter()
    xb = read_rows(spec["documents"], "<f4", n, dims)
    xq = read_rows(spec["queries"], "<f4", q, dims)
    filters = [None]
    selectors = {}
    if spec.get("filters"):
        years = read_rows(spec["filters"]["attribute"], "<i4", n, 1)[:, 0]
        for lo, hi in spec["filters"]["ranges"]:
            mask = (years >= lo) & (years <= hi)
            # Bitmap selector: the filter's id set with O(1) membership (bit i = document i).
            bits = np.packbits(mask, bitorder="little")
            sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
            selectors[(lo, hi)] = (sel, bits, int(mask.sum()))
            filters.append((lo, hi))
    load_seconds = time.perf_counter() - t0

    # Group settings by the index they need, in order of first appearance.
    groups = {}
    for s in spec["settings"]:
        kind, build = index_key(s, n, dims)
        groups.setdefault(index_label(kind, build), (kind, build, []))[2].append(s)

    out = {"system": SYSTEM, "system_version": faiss.__version__, "blas": blas_libraries(), "n": n, "dims": dims,
           "q": q, "k": k, "metric": spec["metric"], "threads": spec["threads"],
           "load_seconds": round(load_seconds, 3), "indexes": [], "runs": []}
    for label, (kind, build, settings) in groups.items():
        built = Built(kind, build, metric, xb)
        size = built.size_bytes(work_dir)
        out["indexes"].append({"index": label, "build_seconds": round(built.build_seconds, 3),
                               **{k_: round(v, 3) for k_, v in built.phases.items()},
                               "vector_index_cpu_seconds": round(built.build_cpu_seconds, 3),
                               "size_bytes": size, "size_kind": "serialized index"})
        for s in settings:
            for f in filters:
                selector = None if f is None else selectors[f][0]
                search = make_searcher(built, s, k, selector, metric)
                D, I, lat, cpu_us = run_queries(search, xq, k)
                tag = "all" if f is None else f"year{f[0]}-{f[1]}"
                stem = f"{SYSTEM}-{safe(s['name'])}-{tag}"
                I.astype("<i4").tofile(os.path.join(work_dir, stem + ".ids.i32"))
                dist = 1.0 - D if metric == faiss.METRIC_INNER_PRODUCT else D
                dist.astype("<f4").tofile(os.path.join(work_dir, stem + ".dist.f32"))
                run = {"system": SYSTEM, "setting": s["name"], "params": s, "index": label,
                       "filter": None if f is None else
                       {"lo": f[0], "hi": f[1], "matching_documents": selectors[f][2]},
                       "build_seconds": round(built.build_seconds, 3), "size_bytes": size,
                       "ids_file": stem + ".ids.i32", "distances_file": stem + ".dist.f32",
                       **latency_summary(lat), "cpu_us_per_query": round(cpu_us, 1),
                       "latencies_us": [round(float(v), 1) for v in lat]}
                out["runs"].append(run)
                print(f"{SYSTEM} {s['name']} filter={tag}: build {built.build_seconds:.2f} s, "
                      f"size {size / 1e6:.1f} MB, latency p50 {run['p50_us']} us "
                      f"p99 {run['p99_us']} us mean {run['mean_us']} us over {q} queries",
                      flush=True)
        del built

    tmp = os.path.join(work_dir, "results.json.tmp")
    with open(tmp, "w") as f:
        json.dump(out, f)
    os.replace(tmp, os.path.join(work_dir, "results.json"))


if __name__ == "__main__":
    main()
