package dev.strata.bench.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one peer process reported in its {@code results.json} (the format of
 * {@code bench/peers/README.md}), reduced to what the comparison scores: the indexes it built
 * and, per setting and filter, where its answers are and how long each query took.
 */
public record PeerResults(String system, String version, List<Index> indexes, List<Run> runs) {

    /**
     * One built index. {@code buildSeconds} is the peer's whole build (LanceDB: ingest, the
     * scalar index on year and the vector index); {@code vectorIndexSeconds} the vector index
     * alone (faiss: train + add; LanceDB: its IVF_PQ step; Strata: the section build), and
     * {@code vectorIndexCpuSeconds} the CPU time of the whole process during that step (all its
     * threads; NaN when the peer did not report it).
     */
    public record Index(String label, double buildSeconds, double vectorIndexSeconds, double vectorIndexCpuSeconds,
                        long sizeBytes, String sizeKind) {}

    /** A year filter {@code lo ≤ year ≤ hi} and how many documents pass it. */
    public record YearFilter(int lo, int hi, int matchingDocuments) {}

    /**
     * One (setting, filter) pass: {@code filter} is null for the unfiltered one;
     * {@code cpuMicrosPerQuery} is the process CPU time of the timed pass divided by its queries
     * (NaN when the peer did not report it).
     */
    public record Run(String setting, String effective, String index, YearFilter filter, Path idsFile, double[] latenciesMicros,
                      double cpuMicrosPerQuery) {}

    /** Parses {@code results.json}; ids files resolve against its folder. */
    public static PeerResults read(Path resultsFile) {
        JsonNode root = JsonMapper.builder().build().readTree(resultsFile.toFile());
        Path dir = resultsFile.toAbsolutePath().getParent();
        List<Index> indexes = new ArrayList<>();
        for (JsonNode i : root.path("indexes")) {
            double build = need(i, "build_seconds").asDouble();
            double vector = i.has("index_seconds") ? i.get("index_seconds").asDouble() : build;
            double cpu = i.has("vector_index_cpu_seconds") ? i.get("vector_index_cpu_seconds").asDouble() : Double.NaN;
            indexes.add(new Index(need(i, "index").asString(), build, vector, cpu, need(i, "size_bytes").asLong(),
                    i.path("size_kind").asString("")));
        }
        List<Run> runs = new ArrayList<>();
        for (JsonNode r : root.path("runs")) {
            JsonNode f = r.path("filter");
            YearFilter filter = f.isNull() || f.isMissingNode() ? null
                    : new YearFilter(need(f, "lo").asInt(), need(f, "hi").asInt(), need(f, "matching_documents").asInt());
            JsonNode lat = need(r, "latencies_us");
            double[] micros = new double[lat.size()];
            for (int j = 0; j < micros.length; j++) {
                micros[j] = lat.get(j).asDouble();
            }
            runs.add(new Run(need(r, "setting").asString(), r.path("effective").asString(""), need(r, "index").asString(),
                    filter, dir.resolve(need(r, "ids_file").asString()), micros,
                    r.has("cpu_us_per_query") ? r.get("cpu_us_per_query").asDouble() : Double.NaN));
        }
        return new PeerResults(need(root, "system").asString(), root.path("system_version").asString(""), indexes, runs);
    }

    /** The index a run was made on. */
    public Index indexOf(Run run) {
        for (Index i : indexes) {
            if (i.label().equals(run.index())) {
                return i;
            }
        }
        throw new IllegalStateException(system + ": run " + run.setting() + " names unknown index " + run.index());
    }

    private static JsonNode need(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalStateException("results.json: missing '" + key + "' in " + node);
        }
        return v;
    }
}
