package dev.strata.bench.compare;

import dev.strata.bench.Percentiles;
import dev.strata.bench.data.Corpus;
import dev.strata.bench.data.EmbedCorpus;
import dev.strata.bench.data.GroundTruth;
import dev.strata.bench.data.VectorFiles;
import dev.strata.bench.data.YearRanges;
import dev.strata.index.vector.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The side-by-side in-memory benchmark: Strata's IVF + RaBitQ index, faiss (IVF-PQ and HNSW) and
 * LanceDB (IVF_PQ) on the same vectors, the same queries and the same ground truth, in one run.
 *
 * <p>Each system runs as its own child process under the spec-file contract of
 * {@code bench/peers/README.md} (Strata through {@link StrataPeer} in a child JVM), one process
 * per index, so build time and peak RSS ({@link ChildProcess}) are measured the same way for all.
 * Every process times each query alone on one thread after an untimed warm-up pass over the
 * same queries. This class scores what they wrote: recall@10 of their ids against the exact
 * truth files {@code IndexBench} uses, and p50/p99 from their per-query latencies, all with one
 * method. Repeated runs report the median of each figure.
 *
 * <p>Usage (run {@code bench/peers/setup.sh} once first):
 * {@code CompareBench [documents=100000] [queries=1000] [repeats=1] [peers=...] [workDir=bench/work]},
 * where {@code peers} is a comma-separated subset of {@code strata,faiss-ivfpq,faiss-hnsw,
 * lancedb-defaults,lancedb-tuned} (default: all, without {@code faiss-hnsw} above 100,000
 * documents, whose single-thread build takes hours there). Prints markdown tables.
 */
public final class CompareBench {

    private static final int K = 10;
    private static final int DIMS = EmbedCorpus.DIMENSIONS;
    private static final Metric METRIC = Metric.COSINE_DISTANCE;
    private static final double[] SELECTIVITIES = {0.5, 0.05, 0.005, 0.0001};
    private static final double RECALL_BAR = 0.95;
    private static final Path PEERS = Path.of("bench/peers");
    /**
     * With {@code -Dstrata.compare.reuse=true}, a peer run whose results and memory record are
     * already in its folder is scored again instead of rerun (to add repetitions or peers to a
     * comparison, or to score peers that ran at the same time from separate commands).
     */
    private static final boolean REUSE = Boolean.getBoolean("strata.compare.reuse");

    /** One peer process: a name, how to start it on a spec, and the settings it runs. */
    private record Peer(String name, String system, boolean ivf, Function<Path, List<String>> command,
                        List<Map<String, Object>> settings) {}

    /** One scored (setting, filter) pass of one repetition; {@code cpuMs} is process CPU per query. */
    private record Score(double recall, double p50Ms, double p99Ms, double cpuMs) {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int q = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        List<String> wanted = args.length > 3 ? List.of(args[3].split(","))
                : n <= 100_000 ? List.of("strata", "faiss-ivfpq", "faiss-hnsw", "lancedb-defaults", "lancedb-tuned")
                : List.of("strata", "faiss-ivfpq", "lancedb-defaults", "lancedb-tuned");
        Path work = Path.of(args.length > 4 ? args[4] : "bench/work").toAbsolutePath();
        if (q > Corpus.QUERIES) {
            throw new IllegalArgumentException("at most " + Corpus.QUERIES + " queries");
        }
        Map<String, Peer> known = peers(n);
        List<Peer> peers = new ArrayList<>();
        for (String name : wanted) {
            Peer p = known.get(name);
            if (p == null) {
                throw new IllegalArgumentException("unknown peer " + name + "; known: " + known.keySet());
            }
            peers.add(p);
        }

        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = loadAverage();
        Path dir = work.resolve("compare-" + n + "-q" + q);
        Files.createDirectories(dir);
        int[] years = Corpus.years(n);
        VectorFiles.writeInts(dir.resolve("attributes.i32"), years);
        List<int[]> ranges = new ArrayList<>();
        for (double target : SELECTIVITIES) {
            ranges.add(YearRanges.closest(years, target));
        }
        Map<String, int[]> truths = truths(work, n, q, years, ranges);

        // Figures per repetition, keyed by peer / setting / filter tag, in first-seen order.
        Map<String, List<Score>> scores = new LinkedHashMap<>();
        Map<String, String> effective = new LinkedHashMap<>();
        Map<String, List<PeerResults.Index>> builds = new LinkedHashMap<>();
        Map<String, List<ChildProcess.Outcome>> outcomes = new LinkedHashMap<>();
        Map<String, String> versions = new LinkedHashMap<>();
        for (int rep = 1; rep <= repeats; rep++) {
            for (Peer peer : peers) {
                Path runDir = dir.resolve(peer.name() + "-r" + rep);
                Path log = runDir.resolve("peer.log");
                ChildProcess.Outcome outcome;
                if (REUSE && Files.exists(runDir.resolve("results.json")) && Files.exists(runDir.resolve("peer.log.maxrss"))) {
                    System.err.printf(Locale.ROOT, "run %d/%d: %s, reusing the finished run in %s%n", rep, repeats, peer.name(), runDir);
                    outcome = ChildProcess.recorded(runDir.resolve("spec.json"), log);
                } else {
                    Files.createDirectories(runDir);
                    Files.deleteIfExists(runDir.resolve("results.json"));
                    Path spec = writeSpec(runDir, work, dir, n, q, ranges, peer);
                    System.err.printf(Locale.ROOT, "run %d/%d: %s (log %s)%n", rep, repeats, peer.name(), log);
                    outcome = ChildProcess.run(peer.command().apply(spec), Map.of("LANCE_CPU_THREADS", "1"), log);
                }
                if (outcome.exitCode() != 0) {
                    System.err.println(peer.name() + " failed with exit code " + outcome.exitCode() + "; its log ends:");
                    List<String> lines = Files.readAllLines(log);
                    lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(System.err::println);
                    continue;
                }
                outcomes.computeIfAbsent(peer.name(), x -> new ArrayList<>()).add(outcome);
                PeerResults results = PeerResults.read(runDir.resolve("results.json"));
                versions.put(peer.name(), results.system() + " " + results.version());
                builds.computeIfAbsent(peer.name(), x -> new ArrayList<>()).addAll(results.indexes());
                for (PeerResults.Run run : results.runs()) {
                    if (run.latenciesMicros().length != q) {
                        throw new IllegalStateException(peer.name() + " timed " + run.latenciesMicros().length + " queries, not " + q);
                    }
                    int[] truth = truths.get(tag(run.filter()));
                    int[] ids = VectorFiles.readInts(run.idsFile());
                    long[] nanos = Arrays.stream(run.latenciesMicros()).mapToLong(us -> Math.round(us * 1000)).toArray();
                    Percentiles t = Percentiles.of(nanos);
                    String key = peer.name() + "|" + run.setting() + "|" + tag(run.filter());
                    scores.computeIfAbsent(key, x -> new ArrayList<>())
                            .add(new Score(GroundTruth.meanRecall(truth, ids, q, K), t.p50Millis(), t.p99Millis(),
                                    run.cpuMicrosPerQuery() / 1000));
                    effective.put(peer.name() + "|" + run.setting(), run.effective());
                }
            }
        }

        System.out.printf(Locale.ROOT, "# CompareBench: %d documents, first %d queries, k=%d, %d-d, cosine, one query at a time on one thread, "
                        + "%d repetition(s), medians%n", n, q, K, DIMS, repeats);
        System.out.printf(Locale.ROOT, "started %s; %d processors; load average before: %s, after: %s%s%n", started,
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage(),
                REUSE ? " (reuse mode: reused runs were measured earlier, under the load of their own time)" : "");
        versions.forEach((peer, v) -> System.out.printf(Locale.ROOT, "- %s: %s%n", peer, v));

        // Scenario 1: the unfiltered recall/latency curve of every system.
        System.out.printf(Locale.ROOT, "%n### Scenario 1: recall@10 against latency (no filter)%n%n"
                + "| system | setting | recall@10 | p50 ms | p99 ms | CPU ms/query |%n|---|---|---|---|---|---|%n");
        for (Peer peer : peers) {
            for (String setting : settingsOf(peer, scores)) {
                Score s = median(scores.get(peer.name() + "|" + setting + "|all"));
                System.out.printf(Locale.ROOT, "| %s | %s | %.4f | %.3f | %.3f | %.3f |%n", peer.name(),
                        label(setting, effective.get(peer.name() + "|" + setting)), s.recall(), s.p50Ms(), s.p99Ms(), s.cpuMs());
            }
        }
        System.out.printf(Locale.ROOT, "%nCPU ms/query: CPU time of the whole peer process (all threads) over the timed pass, "
                + "divided by its queries; unlike p50/p99 it does not count time spent waiting for a core.%n");
        System.out.printf(Locale.ROOT, "%n| system | cheapest measured setting with recall@10 ≥ %.2f | recall@10 | p50 ms | p99 ms "
                + "| CPU ms/query |%n|---|---|---|---|---|---|%n", RECALL_BAR);
        Map<String, String> cheapest = new LinkedHashMap<>();
        for (Peer peer : peers) {
            String best = null;
            for (String setting : settingsOf(peer, scores)) {
                Score s = median(scores.get(peer.name() + "|" + setting + "|all"));
                if (s.recall() >= RECALL_BAR && (best == null
                        || s.p50Ms() < median(scores.get(peer.name() + "|" + best + "|all")).p50Ms())) {
                    best = setting;
                }
            }
            if (best == null) {
                System.out.printf(Locale.ROOT, "| %s | not reached | | | | |%n", peer.name());
                continue;
            }
            cheapest.put(peer.name(), best);
            Score s = median(scores.get(peer.name() + "|" + best + "|all"));
            System.out.printf(Locale.ROOT, "| %s | %s | %.4f | %.3f | %.3f | %.3f |%n", peer.name(),
                    label(best, effective.get(peer.name() + "|" + best)), s.recall(), s.p50Ms(), s.p99Ms(), s.cpuMs());
        }

        // Scenario 2: build time and peak memory of each process (one index each).
        System.out.printf(Locale.ROOT, "%n### Scenario 2: build time and peak memory (one process per index, one build thread)%n%n"
                + "| system | index | build s | of which vector index s | vector index CPU s | peak RSS MiB | process wall s "
                + "| index size MiB | size counts |%n"
                + "|---|---|---|---|---|---|---|---|---|%n");
        for (Peer peer : peers) {
            List<PeerResults.Index> idx = builds.get(peer.name());
            List<ChildProcess.Outcome> outs = outcomes.get(peer.name());
            if (idx == null || outs == null) {
                System.out.printf(Locale.ROOT, "| %s | failed | | | | | | | |%n", peer.name());
                continue;
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.0f | %.0f | %.1f | %s |%n", peer.name(), idx.get(0).label(),
                    median(idx.stream().mapToDouble(PeerResults.Index::buildSeconds).toArray()),
                    median(idx.stream().mapToDouble(PeerResults.Index::vectorIndexSeconds).toArray()),
                    median(idx.stream().mapToDouble(PeerResults.Index::vectorIndexCpuSeconds).toArray()),
                    median(outs.stream().mapToDouble(o -> o.peakRssKib() / 1024.0).toArray()),
                    median(outs.stream().mapToDouble(ChildProcess.Outcome::wallSeconds).toArray()),
                    median(idx.stream().mapToDouble(i -> i.sizeBytes() / 1048576.0).toArray()), idx.get(0).sizeKind());
        }
        if (!outcomes.isEmpty()) {
            System.out.printf(Locale.ROOT, "%nPeak RSS: %s of the child process, which holds the input vectors, the index and "
                    + "the runtime. Vector index CPU s: CPU time of the whole child process (all its threads) during the vector "
                    + "index step, as the peer reports it; on a shared machine it moves less with load than wall time.%n",
                    outcomes.values().iterator().next().get(0).rssMethod());
        }

        // Scenario 4: filtered recall and tail latency.
        StringBuilder head = new StringBuilder("| system | setting |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int[] r : ranges) {
            long matches = Arrays.stream(years).filter(y -> y >= r[0] && y <= r[1]).count();
            head.append(String.format(Locale.ROOT, " %s (%.3f%%, %,d docs): recall@10 / p99 ms |", yearLabel(r),
                    100.0 * matches / n, matches));
            rule.append("---|");
        }
        System.out.printf(Locale.ROOT, "%n### Scenario 4: filtered recall@10 and p99 on year ranges%n%n%s%n%s%n", head, rule);
        for (Peer peer : peers) {
            for (String setting : settingsOf(peer, scores)) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s |", peer.name(),
                        label(setting, effective.get(peer.name() + "|" + setting))));
                for (int[] r : ranges) {
                    Score s = median(scores.get(peer.name() + "|" + setting + "|" + tag(r[0], r[1])));
                    row.append(String.format(Locale.ROOT, " %.4f / %.3f |", s.recall(), s.p99Ms()));
                }
                System.out.println(row);
            }
        }

        targets(peers, scores, builds, cheapest, ranges);
    }

    /** The three targets of issue 8, met or missed, from the figures above. */
    private static void targets(List<Peer> peers, Map<String, List<Score>> scores, Map<String, List<PeerResults.Index>> builds,
                                Map<String, String> cheapest, List<int[]> ranges) {
        System.out.printf(Locale.ROOT, "%n### Targets%n%n| target | measured | |%n|---|---|---|%n");
        String strataBest = cheapest.get("strata");
        String bestPeer = null;
        double bestPeerP50 = Double.MAX_VALUE;
        for (Map.Entry<String, String> e : cheapest.entrySet()) {
            double p50 = median(scores.get(e.getKey() + "|" + e.getValue() + "|all")).p50Ms();
            if (!e.getKey().equals("strata") && p50 < bestPeerP50) {
                bestPeer = e.getKey();
                bestPeerP50 = p50;
            }
        }
        boolean anyPeer = peers.stream().anyMatch(p -> !p.name().equals("strata") && builds.containsKey(p.name()));
        if (strataBest == null || bestPeer == null) {
            System.out.printf(Locale.ROOT, "| Strata p50 ≤ 0.7 × best peer's p50 at recall@10 ≥ 0.95 | %s | not decided |%n",
                    strataBest == null ? "Strata did not reach 0.95" : anyPeer ? "no peer reached 0.95" : "no peer measured");
        } else {
            double strataP50 = median(scores.get("strata|" + strataBest + "|all")).p50Ms();
            System.out.printf(Locale.ROOT, "| Strata p50 ≤ 0.7 × best peer's p50 at recall@10 ≥ 0.95 | Strata %.3f ms (%s) vs %s %.3f ms (%s): "
                            + "ratio %.2f | %s |%n", strataP50, strataBest, bestPeer, bestPeerP50, cheapest.get(bestPeer),
                    strataP50 / bestPeerP50, strataP50 <= 0.7 * bestPeerP50 ? "met" : "**missed**");
            double strataCpu = median(scores.get("strata|" + strataBest + "|all")).cpuMs();
            double peerCpu = median(scores.get(bestPeer + "|" + cheapest.get(bestPeer) + "|all")).cpuMs();
            System.out.printf(Locale.ROOT, "| (the same pair by CPU ms/query, not the target's measure) | Strata %.3f vs %s %.3f: "
                    + "ratio %.2f | |%n", strataCpu, bestPeer, peerCpu, strataCpu / peerCpu);
        }
        buildTarget(peers, builds, "wall", PeerResults.Index::vectorIndexSeconds);
        buildTarget(peers, builds, "CPU", PeerResults.Index::vectorIndexCpuSeconds);
        List<Score> filtered = new ArrayList<>();
        for (int[] r : ranges) {
            List<Score> s = scores.get("strata|default|" + tag(r[0], r[1]));
            if (s != null) {
                filtered.add(median(s));
            }
        }
        if (filtered.size() != ranges.size()) {
            System.out.printf(Locale.ROOT, "| Strata filtered recall@10 ≥ 0.95 at every selectivity | Strata's default setting not run | not decided |%n");
        } else {
            StringBuilder m = new StringBuilder("Strata default: ");
            boolean met = true;
            for (Score s : filtered) {
                m.append(String.format(Locale.ROOT, "%.4f ", s.recall()));
                met &= s.recall() >= RECALL_BAR;
            }
            System.out.printf(Locale.ROOT, "| Strata filtered recall@10 ≥ 0.95 at every selectivity | %s| %s |%n", m,
                    met ? "met" : "**missed**");
        }
    }

    /** Strata's vector index build against the fastest IVF peer's, by one measure of seconds. */
    private static void buildTarget(List<Peer> peers, Map<String, List<PeerResults.Index>> builds, String measure,
                                    java.util.function.ToDoubleFunction<PeerResults.Index> seconds) {
        double strataBuild = Double.NaN;
        String fastestIvf = null;
        double fastestIvfBuild = Double.MAX_VALUE;
        for (Peer peer : peers) {
            List<PeerResults.Index> idx = builds.get(peer.name());
            if (idx == null) {
                continue;
            }
            double s = median(idx.stream().mapToDouble(seconds).toArray());
            if (peer.name().equals("strata")) {
                strataBuild = s;
            } else if (peer.ivf() && !Double.isNaN(s) && s < fastestIvfBuild) {
                fastestIvf = peer.name();
                fastestIvfBuild = s;
            }
        }
        if (Double.isNaN(strataBuild) || fastestIvf == null) {
            System.out.printf(Locale.ROOT, "| Strata build ≤ best peer's IVF build (%s) | missing a build | not decided |%n", measure);
        } else {
            System.out.printf(Locale.ROOT, "| Strata build ≤ best peer's IVF build (vector index alone, %s s) | Strata %.1f s vs %s %.1f s | %s |%n",
                    measure, strataBuild, fastestIvf, fastestIvfBuild, strataBuild <= fastestIvfBuild ? "met" : "**missed**");
        }
    }

    /** The peers and the settings each runs: 4–6 per system, the same re-rank depth (10 × k) for every IVF. */
    private static Map<String, Peer> peers(int n) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("java.class.path");
        String heap = System.getProperty("strata.compare.heap", "-Xmx4g");
        Map<String, Peer> out = new LinkedHashMap<>();
        List<Map<String, Object>> strata = new ArrayList<>();
        for (int nprobe : new int[] {8, 16, 32, 64, 128}) {
            strata.add(Map.of("name", "nprobe=" + nprobe, "nprobe", nprobe));
        }
        strata.add(Map.of("name", "default"));
        out.put("strata", new Peer("strata", "strata", true, spec -> List.of(java, "--add-modules=jdk.incubator.vector", heap,
                "-cp", classPath, StrataPeer.class.getName(), spec.toString()), strata));
        Function<Path, List<String>> faiss = spec -> List.of("/usr/bin/python3", PEERS.resolve("faiss_peer.py").toAbsolutePath().toString(),
                spec.toString());
        List<Map<String, Object>> ivfpq = new ArrayList<>();
        for (int nprobe : new int[] {8, 16, 32, 64, 128}) {
            ivfpq.add(Map.of("name", "ivfpq-nprobe=" + nprobe, "index", "ivfpq", "nprobe", nprobe, "k_factor", 10));
        }
        out.put("faiss-ivfpq", new Peer("faiss-ivfpq", "faiss", true, faiss, ivfpq));
        List<Map<String, Object>> hnsw = new ArrayList<>();
        for (int ef : new int[] {16, 32, 64, 128, 256}) {
            hnsw.add(Map.of("name", "hnsw-ef=" + ef, "index", "hnsw", "M", 32, "efSearch", ef));
        }
        out.put("faiss-hnsw", new Peer("faiss-hnsw", "faiss", false, faiss, hnsw));
        Function<Path, List<String>> lance = spec -> List.of("node", PEERS.resolve("lancedb/peer.mjs").toAbsolutePath().toString(),
                spec.toString());
        out.put("lancedb-defaults", new Peer("lancedb-defaults", "lancedb", true, lance, List.of(Map.of("name", "defaults"))));
        List<Map<String, Object>> tuned = new ArrayList<>();
        for (int nprobes : new int[] {8, 16, 32, 64, 128}) {
            tuned.add(Map.of("name", "tuned-nprobes=" + nprobes, "num_partitions", (int) Math.round(4 * Math.sqrt(n)),
                    "num_sub_vectors", DIMS / 8, "nprobes", nprobes, "refine_factor", 10));
        }
        out.put("lancedb-tuned", new Peer("lancedb-tuned", "lancedb", true, lance, tuned));
        return out;
    }

    private static Path writeSpec(Path runDir, Path work, Path dir, int n, int q, List<int[]> ranges, Peer peer) throws Exception {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode spec = json.createObjectNode();
        spec.put("documents", work.resolve("documents.f32").toString()).put("n", n).put("dims", DIMS)
                .put("queries", work.resolve("queries.f32").toString()).put("q", q).put("k", K)
                .put("metric", "cosine").put("threads", 1).put("work_dir", runDir.toString());
        ObjectNode filters = spec.putObject("filters").put("attribute", dir.resolve("attributes.i32").toString());
        ArrayNode rs = filters.putArray("ranges");
        for (int[] r : ranges) {
            rs.addArray().add(r[0]).add(r[1]);
        }
        ArrayNode settings = spec.putArray("settings");
        for (Map<String, Object> s : peer.settings()) {
            ObjectNode o = settings.addObject().put("system", peer.system());
            s.forEach((key, value) -> {
                if (value instanceof Integer i) {
                    o.put(key, i);
                } else {
                    o.put(key, value.toString());
                }
            });
        }
        Path file = runDir.resolve("spec.json");
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), spec);
        return file;
    }

    /** Exact truth for the unfiltered queries and for each year range, cached as IndexBench caches it. */
    private static Map<String, int[]> truths(Path work, int n, int q, int[] years, List<int[]> ranges) throws Exception {
        Path all = GroundTruth.file(work, n, Corpus.QUERIES, METRIC);
        List<Path> files = new ArrayList<>(List.of(all));
        for (int[] r : ranges) {
            files.add(GroundTruth.yearFile(work, n, q, METRIC, r[0], r[1]));
        }
        float[] docs = null;
        float[] queries = null;
        if (!files.stream().allMatch(Files::exists)) {
            docs = VectorFiles.readFloats(work.resolve("documents.f32"), n, DIMS);
            queries = VectorFiles.readFloats(work.resolve("queries.f32"), Corpus.QUERIES, DIMS);
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        out.put("all", GroundTruth.load(all, docs, queries, DIMS, K, METRIC, null));
        float[] first = queries == null ? null : Arrays.copyOf(queries, q * DIMS);
        for (int[] r : ranges) {
            out.put(tag(r[0], r[1]), GroundTruth.load(GroundTruth.yearFile(work, n, q, METRIC, r[0], r[1]), docs, first, DIMS, K,
                    METRIC, row -> years[row] >= r[0] && years[row] <= r[1]));
        }
        return out;
    }

    private static List<String> settingsOf(Peer peer, Map<String, List<Score>> scores) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> s : peer.settings()) {
            String name = (String) s.get("name");
            if (scores.containsKey(peer.name() + "|" + name + "|all")) {
                out.add(name);
            }
        }
        return out;
    }

    private static String label(String setting, String effective) {
        return effective == null || effective.isEmpty() ? setting : setting + " (" + effective + ")";
    }

    private static String tag(PeerResults.YearFilter f) {
        return f == null ? "all" : tag(f.lo(), f.hi());
    }

    private static String tag(int lo, int hi) {
        return "year" + lo + "-" + hi;
    }

    private static String yearLabel(int[] r) {
        return r[0] == r[1] ? String.valueOf(r[0]) : r[0] + "–" + r[1];
    }

    /** The median of each figure across repetitions. */
    static Score median(List<Score> runs) {
        return new Score(median(runs.stream().mapToDouble(Score::recall).toArray()),
                median(runs.stream().mapToDouble(Score::p50Ms).toArray()),
                median(runs.stream().mapToDouble(Score::p99Ms).toArray()),
                median(runs.stream().mapToDouble(Score::cpuMs).toArray()));
    }

    /** The median of the values (the mean of the middle two for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private CompareBench() {}
}
