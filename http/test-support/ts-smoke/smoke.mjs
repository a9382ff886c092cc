// Drives a Strata server with the official turbopuffer TypeScript client. Usage:
//   STRATA_URL=http://127.0.0.1:PORT STRATA_API_KEY=key node smoke.mjs STEP...
// Steps: write, query, list, metadata. Prints one JSON line per step: {"step":…, "result":…};
// an error prints {"step":…, "error":…, "status":…} and exits 1.
import Turbopuffer from '@turbopuffer/turbopuffer';

const tpuf = new Turbopuffer({
  apiKey: process.env.STRATA_API_KEY,
  baseURL: process.env.STRATA_URL,
  // Gzip request bodies over 1 KiB and accept gzip responses.
  compression: true,
  maxRetries: 0,
});
const ns = tpuf.namespace('ts-smoke');

const steps = {
  async write() {
    const rows = [];
    for (let i = 0; i < 50; i++) {
      rows.push({ id: i, vector: [i, 0.5, 0.25], title: `document number ${i} of the smoke test`, even: i % 2 === 0 });
    }
    const r = await ns.write({ upsert_rows: rows, distance_metric: 'euclidean_squared' });
    return { rows_affected: r.rows_affected, status: r.status };
  },
  async query() {
    const r = await ns.query({
      rank_by: ['vector', 'ANN', [7, 0.5, 0.25]],
      top_k: 3,
      filters: ['even', 'Eq', false],
      include_attributes: ['title'],
    });
    return {
      ids: r.rows.map((row) => row.id),
      first_title: r.rows[0].title,
      first_dist: r.rows[0].$dist,
      cache_temperature: r.performance.cache_temperature,
    };
  },
  async list() {
    const ids = [];
    for await (const n of tpuf.namespaces({ prefix: 'ts-' })) {
      ids.push(n.id);
    }
    return { ids };
  },
  async metadata() {
    const m = await ns.metadata();
    return { approx_row_count: m.approx_row_count, schema_keys: Object.keys(m.schema).sort() };
  },
};

for (const step of process.argv.slice(2)) {
  try {
    const result = await steps[step]();
    console.log(JSON.stringify({ step, result }));
  } catch (e) {
    console.log(JSON.stringify({ step, error: String(e && e.message), status: e && e.status }));
    process.exit(1);
  }
}
