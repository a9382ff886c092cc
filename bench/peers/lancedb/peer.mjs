// LanceDB peer for Strata's side-by-side vector benchmarks.
//
//   node bench/peers/lancedb/peer.mjs SPEC.json
//
// Reads the spec (see ../README.md), and for each distinct IVF_PQ build configuration the
// settings ask for: writes the vectors (and the year column when the spec has filters) into
// a fresh local LanceDB table under work_dir, builds the index, then runs every query of
// every setting and filter one at a time, timed alone after a warm-up pass. Writes
// results.json plus one ids file (and one distances file) per (setting, filter).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SYSTEM = 'lancedb';
const BUILD_KNOBS = {
  num_partitions: 'numPartitions',
  num_sub_vectors: 'numSubVectors',
  num_bits: 'numBits',
  max_iterations: 'maxIterations',
  sample_rate: 'sampleRate',
};
const SEARCH_KNOBS = ['nprobes', 'refine_factor'];

function defaultSettings(n, dims) {
  // Library defaults, and the build faiss_peer.py uses for IVF-PQ (4·√n lists, 8 dims per
  // sub-vector) with the same re-rank depth (refine_factor 4 = faiss k_factor 4).
  const tuned = { num_partitions: Math.max(1, Math.round(4 * Math.sqrt(n))), num_sub_vectors: dims / 8 };
  return [
    { name: 'defaults' },
    { name: 'tuned-nprobes=8', ...tuned, nprobes: 8, refine_factor: 4 },
    { name: 'tuned-nprobes=32', ...tuned, nprobes: 32, refine_factor: 4 },
  ];
}

// ------------------------------------------------------------------ spec and inputs

function fail(msg) {
  console.error(`lancedb peer: ${msg}`);
  process.exit(2);
}

function loadSpec(specPath) {
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const base = path.dirname(path.resolve(specPath));
  const resolve = (p) => (path.isAbsolute(p) ? p : path.join(base, p));
  for (const key of ['documents', 'n', 'dims', 'queries', 'q', 'k', 'metric']) {
    if (!(key in spec)) fail(`spec: missing '${key}'`);
  }
  if (spec.metric !== 'cosine' && spec.metric !== 'l2') fail(`spec: metric must be cosine or l2`);
  spec.documents = resolve(spec.documents);
  spec.queries = resolve(spec.queries);
  spec.work_dir = resolve(spec.work_dir ?? '.');
  spec.threads = spec.threads ?? 1;
  if (spec.filters) spec.filters.attribute = resolve(spec.filters.attribute);
  const mine = (spec.settings ?? []).filter((s) => (s.system ?? SYSTEM) === SYSTEM);
  spec.settings = mine.length ? mine : defaultSettings(spec.n, spec.dims);
  const names = spec.settings.map((s) => s.name);
  if (new Set(names).size !== names.length) fail('spec: setting names must be unique');
  for (const s of spec.settings) {
    const known = new Set(['name', 'system', ...Object.keys(BUILD_KNOBS), ...SEARCH_KNOBS]);
    const unknown = Object.keys(s).filter((key) => !known.has(key));
    if (unknown.length) fail(`setting ${s.name}: unknown knobs ${unknown.join(', ')}`);
  }
  return spec;
}

// First `count` little-endian 4-byte values of a raw file (the file may be longer).
function readRaw(file, count, ArrayType) {
  if (os.endianness() !== 'LE') fail('this peer assumes a little-endian machine');
  const bytes = count * 4;
  const have = fs.statSync(file).size;
  if (have < bytes) fail(`${file}: has ${have} bytes, need ${bytes}`);
  const buf = Buffer.alloc(bytes);
  const fd = fs.openSync(file, 'r');
  try {
    let off = 0;
    while (off < bytes) off += fs.readSync(fd, buf, off, bytes - off, off);
  } finally {
    fs.closeSync(fd);
  }
  return new ArrayType(buf.buffer, buf.byteOffset, count);
}

// ------------------------------------------------------------------ helpers

function dirBytes(dir) {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;
const safe = (name) => name.replace(/[^A-Za-z0-9._=-]/g, '_');

function percentile(sorted, p) {
  // Linear interpolation between closest ranks (numpy's default), so both peers agree.
  const pos = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function latencySummary(lat) {
  const sorted = Float64Array.from(lat).sort();
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
  return {
    mean_us: round(mean, 1),
    p50_us: round(percentile(sorted, 50), 1),
    p95_us: round(percentile(sorted, 95), 1),
    p99_us: round(percentile(sorted, 99), 1),
  };
}

function buildKey(s) {
  const build = {};
  for (const knob of Object.keys(BUILD_KNOBS)) if (s[knob] !== undefined) build[knob] = s[knob];
  const label = 'ivf_pq(' + (Object.entries(build).map(([k, v]) => `${k}=${v}`).join(',') || 'defaults') + ')';
  return { build, label };
}

// ------------------------------------------------------------------ main

async function main() {
  if (process.argv.length !== 3) fail('usage: node peer.mjs SPEC.json');
  const spec = loadSpec(process.argv[2]);
  const { n, dims, q, k, metric } = spec;
  // Lance sizes its CPU pool from this variable when the native module first needs it.
  process.env.LANCE_CPU_THREADS ??= String(spec.threads);
  const lancedb = await import('@lancedb/lancedb');
  const arrow = await import('apache-arrow');
  // The package's exports hide its package.json from require(); read the installed copy.
  const version = JSON.parse(fs.readFileSync(
    new URL('./node_modules/@lancedb/lancedb/package.json', import.meta.url), 'utf8')).version;
  fs.mkdirSync(spec.work_dir, { recursive: true });

  let t0 = process.hrtime.bigint();
  const docs = readRaw(spec.documents, n * dims, Float32Array);
  const queries = readRaw(spec.queries, q * dims, Float32Array);
  const years = spec.filters ? readRaw(spec.filters.attribute, n, Int32Array) : null;
  const filters = [null];
  const matching = new Map();
  if (spec.filters) {
    for (const [lo, hi] of spec.filters.ranges) {
      filters.push([lo, hi]);
      let count = 0;
      for (let i = 0; i < n; i++) if (years[i] >= lo && years[i] <= hi) count++;
      matching.set(`${lo},${hi}`, count);
    }
  }
  const arrowTable = toArrow(arrow, docs, years, n, dims);
  const loadSeconds = seconds(t0);

  const groups = new Map();
  for (const s of spec.settings) {
    const { build, label } = buildKey(s);
    if (!groups.has(label)) groups.set(label, { build, settings: [] });
    groups.get(label).settings.push(s);
  }

  const dbDir = path.join(spec.work_dir, 'lancedb');
  const db = await lancedb.connect(dbDir);
  const out = {
    system: SYSTEM, system_version: version, n, dims, q, k, metric, threads: spec.threads,
    load_seconds: round(loadSeconds, 3), indexes: [], runs: [],
  };
  let tableNo = 0;
  for (const [label, { build, settings }] of groups) {
    // A fresh table per index, so each index's build time includes its own ingest.
    const tableName = `docs${tableNo++}`;
    const tableDir = path.join(dbDir, `${tableName}.lance`);
    t0 = process.hrtime.bigint();
    const table = await db.createTable(tableName, arrowTable, { mode: 'overwrite' });
    const ingestSeconds = seconds(t0);
    let scalarSeconds = 0;
    if (years) {
      // Prefiltering on year is what the filtered queries do; give it the scalar index a
      // LanceDB user would create for that.
      t0 = process.hrtime.bigint();
      await table.createIndex('year', { config: lancedb.Index.btree() });
      scalarSeconds = seconds(t0);
    }
    const beforeVector = dirBytes(path.join(tableDir, '_indices'));
    const options = { distanceType: metric };
    for (const [knob, option] of Object.entries(BUILD_KNOBS)) {
      if (build[knob] !== undefined) options[option] = build[knob];
    }
    t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage(); // every thread of the process, LanceDB's native pools included
    await table.createIndex('vector', { config: lancedb.Index.ivfPq(options) });
    const indexSeconds = seconds(t0);
    const cpu = process.cpuUsage(cpu0);
    const indexCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const buildSeconds = ingestSeconds + scalarSeconds + indexSeconds;
    const size = dirBytes(tableDir);
    const vectorIndexBytes = dirBytes(path.join(tableDir, '_indices')) - beforeVector;
    out.indexes.push({
      index: label, build_seconds: round(buildSeconds, 3), ingest_seconds: round(ingestSeconds, 3),
      scalar_index_seconds: round(scalarSeconds, 3), index_seconds: round(indexSeconds, 3),
      vector_index_cpu_seconds: round(indexCpuSeconds, 3), size_bytes: size, vector_index_bytes: vectorIndexBytes,
      size_kind: 'table directory on disk (data + indexes)',
    });

    for (const s of settings) {
      for (const f of filters) {
        const where = f === null ? null : `year >= ${f[0]} AND year <= ${f[1]}`;
        const search = (vector) => {
          let query = table.query().nearestTo(vector).distanceType(metric).limit(k).select(['id', '_distance']);
          if (s.nprobes !== undefined) query = query.nprobes(s.nprobes);
          if (s.refine_factor !== undefined) query = query.refineFactor(s.refine_factor);
          if (where !== null) query = query.where(where); // prefilter is LanceDB's default
          return query.toArrow();
        };
        const ids = new Int32Array(q * k).fill(-1);
        const dist = new Float32Array(q * k).fill(NaN);
        for (let i = 0; i < q; i++) await search(queries.subarray(i * dims, (i + 1) * dims)); // warm-up
        const lat = new Array(q);
        const cpuBefore = process.cpuUsage();
        for (let i = 0; i < q; i++) {
          const vector = queries.subarray(i * dims, (i + 1) * dims);
          const start = process.hrtime.bigint();
          const result = await search(vector);
          // An empty answer comes back as a table without columns.
          const got = result.numRows ? result.getChild('id').toArray() : [];
          lat[i] = Number(process.hrtime.bigint() - start) / 1000;
          const d = result.numRows ? result.getChild('_distance').toArray() : [];
          for (let j = 0; j < Math.min(k, got.length); j++) {
            ids[i * k + j] = got[j];
            dist[i * k + j] = d[j];
          }
        }
        // Process CPU over the whole timed pass (LanceDB's threads and the copy loop included), per query.
        const cpuPass = process.cpuUsage(cpuBefore);
        const cpuPerQuery = (cpuPass.user + cpuPass.system) / q;
        const tag = f === null ? 'all' : `year${f[0]}-${f[1]}`;
        const stem = `${SYSTEM}-${safe(s.name)}-${tag}`;
        fs.writeFileSync(path.join(spec.work_dir, `${stem}.ids.i32`), new Uint8Array(ids.buffer));
        fs.writeFileSync(path.join(spec.work_dir, `${stem}.dist.f32`), new Uint8Array(dist.buffer));
        const run = {
          system: SYSTEM, setting: s.name, params: s, index: label,
          filter: f === null ? null : { lo: f[0], hi: f[1], matching_documents: matching.get(`${f[0]},${f[1]}`) },
          build_seconds: round(buildSeconds, 3), size_bytes: size,
          ids_file: `${stem}.ids.i32`, distances_file: `${stem}.dist.f32`,
          ...latencySummary(lat), cpu_us_per_query: round(cpuPerQuery, 1),
          latencies_us: lat.map((v) => round(v, 1)),
        };
        out.runs.push(run);
        console.log(`${SYSTEM} ${s.name} filter=${tag}: build ${buildSeconds.toFixed(2)} s ` +
          `(ingest ${ingestSeconds.toFixed(2)} s, index ${indexSeconds.toFixed(2)} s), ` +
          `size ${(size / 1e6).toFixed(1)} MB, latency p50 ${run.p50_us} us p99 ${run.p99_us} us ` +
          `mean ${run.mean_us} us over ${q} queries`);
      }
    }
    await db.dropTable(tableName); // keep work_dir bounded across many settings
  }

  const tmp = path.join(spec.work_dir, 'results.json.tmp');
  fs.writeFileSync(tmp, JSON.stringify(out));
  fs.renameSync(tmp, path.join(spec.work_dir, 'results.json'));
}

// An Arrow table (id, [year,] vector) over the documents, without copying the vectors:
// record batches of up to 65,536 rows viewing slices of the one Float32Array.
function toArrow(arrow, docs, years, n, dims) {
  const { Field, Schema, Int32, Float32, FixedSizeList, Struct, RecordBatch, Table, makeData } = arrow;
  const vectorType = new FixedSizeList(dims, new Field('item', new Float32(), true));
  const fields = [new Field('id', new Int32(), false)];
  if (years) fields.push(new Field('year', new Int32(), false));
  fields.push(new Field('vector', vectorType, false));
  const schema = new Schema(fields);
  const ids = Int32Array.from({ length: n }, (_, i) => i);
  const batches = [];
  for (let from = 0; from < n; from += 65536) {
    const to = Math.min(n, from + 65536);
    const length = to - from;
    const children = [makeData({ type: new Int32(), length, nullCount: 0, data: ids.subarray(from, to) })];
    if (years) children.push(makeData({ type: new Int32(), length, nullCount: 0, data: years.subarray(from, to) }));
    const values = makeData({ type: new Float32(), length: length * dims, nullCount: 0, data: docs.subarray(from * dims, to * dims) });
    children.push(makeData({ type: vectorType, length, nullCount: 0, child: values }));
    const rows = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
    batches.push(new RecordBatch(schema, rows));
  }
  return new Table(schema, batches);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
