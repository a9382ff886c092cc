package dev.strata.bench.compare;

import dev.strata.bench.data.VectorFiles;
import dev.strata.bench.index.InMemoryIvf;
import dev.strata.index.ivf.IvfBuildParams;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.vector.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strata as a benchmark peer: the same spec-file contract as {@code bench/peers/faiss_peer.py}
 * and {@code bench/peers/lancedb/peer.mjs} (see {@code bench/peers/README.md}), so that
 * {@link CompareBench} runs Strata's in-memory index in a child process exactly as it runs the
 * other systems, and measures its build time, query latency and peak memory the same way.
 *
 * <p>Builds one IVF + RaBitQ section ({@link InMemoryIvf}, library defaults) on {@code threads}
 * threads, then for each setting and filter runs every query once untimed and once timed, one
 * at a time on the main thread. Knobs of a setting: {@code nprobe} (default: the section's
 * default) and {@code rerank} (candidates re-ranked exactly, as a multiple of k; default 10).
 * Filters are a bitmap of the allowed documents, built before the timed pass.
 *
 * <p>Usage: {@code StrataPeer SPEC.json}; writes {@code results.json} and the ids and distances
 * files into the spec's {@code work_dir}.
 */
public final class StrataPeer {

    static final String SYSTEM = "strata";
    private static final Set<String> KNOBS = Set.of("name", "system", "nprobe", "rerank");

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: StrataPeer SPEC.json");
        }
        JsonMapper json = JsonMapper.builder().build();
        Path specFile = Path.of(args[0]).toAbsolutePath();
        JsonNode spec = json.readTree(specFile.toFile());
        Path base = specFile.getParent();
        int n = required(spec, "n").asInt();
        int dims = required(spec, "dims").asInt();
        int q = required(spec, "q").asInt();
        int k = required(spec, "k").asInt();
        String metricName = required(spec, "metric").asString();
        Metric metric = switch (metricName) {
            case "cosine" -> Metric.COSINE_DISTANCE;
            case "l2" -> Metric.EUCLIDEAN_SQUARED;
            default -> throw new IllegalArgumentException("spec: metric must be cosine or l2, got " + metricName);
        };
        int threads = spec.path("threads").asInt(1);
        Path workDir = base.resolve(spec.path("work_dir").asString("."));
        Files.createDirectories(workDir);
        List<JsonNode> settings = settings(spec);

        long t0 = System.nanoTime();
        float[] docs = VectorFiles.readFloats(base.resolve(required(spec, "documents").asString()), n, dims);
        float[] queries = VectorFiles.readFloats(base.resolve(required(spec, "queries").asString()), q, dims);
        List<int[]> ranges = new ArrayList<>();
        ranges.add(null);
        int[] years = null;
        JsonNode filters = spec.path("filters");
        if (!filters.isMissingNode() && !filters.isNull()) {
            int[] all = VectorFiles.readInts(base.resolve(filters.path("attribute").asString()));
            if (all.length < n) {
                throw new IllegalArgumentException("spec: the attribute file holds " + all.length + " values, " + n + " needed");
            }
            years = java.util.Arrays.copyOf(all, n);
            for (JsonNode r : filters.path("ranges")) {
                ranges.add(new int[] {r.get(0).asInt(), r.get(1).asInt()});
            }
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;

        // Process CPU (every JVM thread: the build's, the JIT's and the collector's), comparable
        // across peers on a machine too busy for wall time to mean much.
        long cpu0 = processCpuNanos();
        InMemoryIvf ivf = InMemoryIvf.build(docs, dims, IvfBuildParams.defaults(metric), threads);
        double buildCpuSeconds = cpu0 < 0 ? Double.NaN : (processCpuNanos() - cpu0) / 1e9;
        String label = "ivf-rabitq(partitions=" + ivf.partitions() + ",bits=1)";
        ObjectNode out = json.createObjectNode();
        out.put("system", SYSTEM).put("system_version", "0.1.0-SNAPSHOT").put("n", n).put("dims", dims).put("q", q)
                .put("k", k).put("metric", metricName).put("threads", threads).put("load_seconds", round(loadSeconds));
        out.putArray("indexes").addObject().put("index", label).put("build_seconds", round(ivf.buildSeconds()))
                .put("vector_index_cpu_seconds", round(buildCpuSeconds))
                .put("size_bytes", ivf.sectionBytes()).put("size_kind", "segment section in memory (codes, f32 vectors, centroids)");
        ArrayNode runs = out.putArray("runs");
        for (JsonNode s : settings) {
            SearchParams params = SearchParams.DEFAULT
                    .withNprobe(s.has("nprobe") ? s.get("nprobe").asInt() : ivf.defaultNprobe())
                    .withRerankMultiple(s.path("rerank").asInt(SearchParams.DEFAULT.rerankMultiple()));
            for (int[] range : ranges) {
                RoaringBitmap allowed = null;
                if (range != null) {
                    int[] y = years;
                    allowed = ivf.ordinalsOf(row -> y[row] >= range[0] && y[row] <= range[1]);
                }
                ivf.run(queries, q, k, params, allowed); // warm-up pass, untimed
                long passCpu0 = processCpuNanos();
                InMemoryIvf.Pass pass = ivf.run(queries, q, k, params, allowed);
                // Process CPU over the whole timed pass, per query (the JVM reads it in clock ticks,
                // so only a whole pass is long enough to measure).
                double cpuMicrosPerQuery = passCpu0 < 0 ? Double.NaN : (processCpuNanos() - passCpu0) / 1e3 / q;
                String tag = range == null ? "all" : "year" + range[0] + "-" + range[1];
                String stem = SYSTEM + "-" + safe(s.get("name").asString()) + "-" + tag;
                VectorFiles.writeInts(workDir.resolve(stem + ".ids.i32"), pass.rows());
                VectorFiles.writeFloats(workDir.resolve(stem + ".dist.f32"), pass.distances());
                ObjectNode run = runs.addObject();
                run.put("system", SYSTEM).put("setting", s.get("name").asString()).set("params", s);
                if (!s.has("nprobe")) {
                    run.put("effective", "nprobe=" + params.nprobe()); // what the default resolved to
                }
                run.put("index", label);
                if (range == null) {
                    run.putNull("filter");
                } else {
                    run.putObject("filter").put("lo", range[0]).put("hi", range[1])
                            .put("matching_documents", allowed.getCardinality());
                }
                run.put("build_seconds", round(ivf.buildSeconds())).put("size_bytes", ivf.sectionBytes())
                        .put("ids_file", stem + ".ids.i32").put("distances_file", stem + ".dist.f32")
                        .put("cpu_us_per_query", Math.round(cpuMicrosPerQuery * 10) / 10.0);
                ArrayNode lat = run.putArray("latencies_us");
                for (long nanos : pass.nanos()) {
                    lat.add(Math.round(nanos / 100.0) / 10.0);
                }
                System.out.printf(Locale.ROOT, "%s %s filter=%s: build %.2f s, nprobe %d, rerank %d × k%n", SYSTEM,
                        s.get("name").asString(), tag, ivf.buildSeconds(), params.nprobe(), params.rerankMultiple());
            }
        }
        Path tmp = workDir.resolve("results.json.tmp");
        json.writeValue(tmp.toFile(), out);
        Files.move(tmp, workDir.resolve("results.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** This peer's settings: those for "strata" or for every system; unknown knobs are an error. */
    private static List<JsonNode> settings(JsonNode spec) {
        List<JsonNode> mine = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode s : spec.path("settings")) {
            if (!s.path("system").asString(SYSTEM).equals(SYSTEM)) {
                continue;
            }
            for (String knob : s.propertyNames()) {
                if (!KNOBS.contains(knob)) {
                    throw new IllegalArgumentException("setting " + s.path("name").asString() + ": unknown knob " + knob);
                }
            }
            if (!names.add(required(s, "name").asString())) {
                throw new IllegalArgumentException("spec: setting names must be unique");
            }
            mine.add(s);
        }
        if (mine.isEmpty()) {
            mine.add(JsonMapper.builder().build().createObjectNode().put("name", "default"));
        }
        return mine;
    }

    private static JsonNode required(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("spec: missing '" + key + "'");
        }
        return v;
    }

    /** CPU time of the whole process so far, in nanoseconds; -1 where the JVM cannot tell. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    /** A setting name as a file-name part, as the other peers write it. */
    static String safe(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) && c < 128 || "-_.=".indexOf(c) >= 0 ? c : '_');
        }
        return b.toString();
    }

    private StrataPeer() {}
}
