package dev.strata.bench.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.bench.data.GroundTruth;
import dev.strata.bench.data.VectorFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing a peer's results.json and scoring its ids file, the comparison's pure logic. */
class PeerResultsTest {

    @TempDir
    Path dir;

    /** A LanceDB-shaped results file: one index, an unfiltered and a filtered run. */
    private static final String RESULTS = """
            {"system": "lancedb", "system_version": "0.37.1", "n": 6, "dims": 2, "q": 2, "k": 3,
             "metric": "cosine", "threads": 1, "load_seconds": 0.01,
             "indexes": [{"index": "ivf_pq(defaults)", "build_seconds": 5.5, "ingest_seconds": 1.0,
                          "scalar_index_seconds": 0.5, "index_seconds": 4.0, "vector_index_cpu_seconds": 4.5,
                          "size_bytes": 4096,
                          "size_kind": "table directory on disk (data + indexes)"}],
             "runs": [{"system": "lancedb", "setting": "defaults", "params": {"name": "defaults"},
                       "index": "ivf_pq(defaults)", "filter": null, "build_seconds": 5.5, "size_bytes": 4096,
                       "ids_file": "all.ids.i32", "distances_file": "all.dist.f32",
                       "mean_us": 2.0, "p50_us": 2.0, "p95_us": 3.0, "p99_us": 3.0, "cpu_us_per_query": 2.25,
                       "latencies_us": [1.5, 2.5]},
                      {"system": "lancedb", "setting": "defaults", "params": {"name": "defaults"},
                       "index": "ivf_pq(defaults)", "filter": {"lo": 2000, "hi": 2010, "matching_documents": 3},
                       "build_seconds": 5.5, "size_bytes": 4096,
                       "ids_file": "year.ids.i32", "distances_file": "year.dist.f32",
                       "mean_us": 2.0, "p50_us": 2.0, "p95_us": 3.0, "p99_us": 3.0, "latencies_us": [7.0, 9.0]}]}
            """;

    @Test
    void readsIndexesAndRunsWithTheirFiles() throws Exception {
        Files.writeString(dir.resolve("results.json"), RESULTS);
        PeerResults r = PeerResults.read(dir.resolve("results.json"));

        assertEquals("lancedb", r.system());
        assertEquals("0.37.1", r.version());
        assertEquals(1, r.indexes().size());
        PeerResults.Index index = r.indexes().get(0);
        assertEquals(5.5, index.buildSeconds());
        assertEquals(4.0, index.vectorIndexSeconds(), "LanceDB's vector index time is index_seconds, not the whole build");
        assertEquals(4.5, index.vectorIndexCpuSeconds());
        assertEquals(4096, index.sizeBytes());
        assertEquals(2, r.runs().size());
        PeerResults.Run all = r.runs().get(0);
        assertNull(all.filter());
        assertEquals(dir.resolve("all.ids.i32"), all.idsFile());
        assertArrayEquals(new double[] {1.5, 2.5}, all.latenciesMicros());
        assertEquals(2.25, all.cpuMicrosPerQuery());
        assertEquals(Double.NaN, r.runs().get(1).cpuMicrosPerQuery(), "a pass without CPU figures is unknown, not free");
        assertEquals(new PeerResults.YearFilter(2000, 2010, 3), r.runs().get(1).filter());
        assertEquals(index, r.indexOf(r.runs().get(1)));
    }

    @Test
    void aWholeBuildCountsAsTheVectorIndexWhenNoPhaseIsGiven() throws Exception {
        Files.writeString(dir.resolve("results.json"), RESULTS.replace("\"index_seconds\": 4.0, ", ""));
        assertEquals(5.5, PeerResults.read(dir.resolve("results.json")).indexes().get(0).vectorIndexSeconds());
    }

    @Test
    void cpuTimeIsUnknownNotZeroWhenAPeerDoesNotReportIt() throws Exception {
        Files.writeString(dir.resolve("results.json"), RESULTS.replace("\"vector_index_cpu_seconds\": 4.5,", ""));
        assertEquals(Double.NaN, PeerResults.read(dir.resolve("results.json")).indexes().get(0).vectorIndexCpuSeconds());
    }

    @Test
    void aMissingFieldIsAnErrorNotAZero() throws Exception {
        Files.writeString(dir.resolve("results.json"), RESULTS.replace("\"latencies_us\": [7.0, 9.0]", "\"x\": 1"));
        assertThrows(IllegalStateException.class, () -> PeerResults.read(dir.resolve("results.json")));
    }

    @Test
    void recallIsScoredFromTheIdsFileAgainstTruth() {
        // Two queries, k = 3. Query 0 finds all three (in another order); query 1 finds one of
        // three and pads with -1, which never counts as a match.
        VectorFiles.writeInts(dir.resolve("all.ids.i32"), new int[] {5, 3, 1, 2, -1, -1});
        int[] truth = {1, 3, 5, 2, 4, 0};
        int[] ids = VectorFiles.readInts(dir.resolve("all.ids.i32"));
        assertEquals((1.0 + 1.0 / 3) / 2, GroundTruth.meanRecall(truth, ids, 2, 3), 1e-12);
        // Scoring only the first query ignores the rest.
        assertEquals(1.0, GroundTruth.meanRecall(truth, ids, 1, 3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> GroundTruth.meanRecall(truth, ids, 3, 3));
    }

    @Test
    void truthWithFewerMatchesThanKCountsOnlyWhatExists() {
        // Under a narrow filter only two documents pass: the truth row is padded with -1.
        int[] truth = {7, 9, -1};
        assertEquals(1.0, GroundTruth.meanRecall(truth, new int[] {9, 7, -1}, 1, 3), 1e-12);
        assertEquals(0.5, GroundTruth.meanRecall(truth, new int[] {9, 4, 2}, 1, 3), 1e-12);
    }

    @Test
    void medianOfRepetitions() {
        assertEquals(2.0, CompareBench.median(new double[] {3.0, 1.0, 2.0}));
        assertEquals(2.5, CompareBench.median(new double[] {4.0, 1.0, 2.0, 3.0}));
        assertEquals(Double.NaN, CompareBench.median(new double[0]));
    }
}
