package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.RecallRequest;
import dev.strata.actors.namespace.NamespaceProtocol.RecallResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.index.wal.WalOp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * turbopuffer's {@code _debug/recall}: {@code num} live documents with vectors, drawn with a
 * fixed seed (the same snapshot gives the same sample), serve as query vectors; each is answered
 * by ANN and by exhaustive search with the same {@code topK} and filter, and recall is
 * |ANN ∩ exhaustive| / |exhaustive| (1 when both are empty), averaged. The queries run one after
 * another, so a large {@code num} does not flood the compute executor.
 */
final class RecallExecution {

    /** turbopuffer's defaults when the request leaves them out (sent as 0 or less). */
    static final int DEFAULT_NUM = 25;
    static final int DEFAULT_TOP_K = 10;
    static final int MAX_NUM = 1000;
    private static final long SEED = 0x5EED_2026L;

    private RecallExecution() {}

    static CompletableFuture<RecallResult> run(Snapshot snapshot, RecallRequest request, Executor compute) {
        if (!snapshot.exists()) {
            return CompletableFuture.failedFuture(new NamespaceException.NotFound("namespace not found"));
        }
        int num = request.num() <= 0 ? DEFAULT_NUM : request.num();
        int topK = request.topK() <= 0 ? DEFAULT_TOP_K : request.topK();
        if (num > MAX_NUM || topK > QueryRequest.MAX_TOP_K) {
            return CompletableFuture.failedFuture(new NamespaceException.BadRequest("recall needs num <= " + MAX_NUM
                    + " and top_k <= " + QueryRequest.MAX_TOP_K + ", got num " + num + ", top_k " + topK));
        }
        return CompletableFuture.supplyAsync(() -> sample(snapshot, num), compute)
                .thenCompose(vectors -> {
                    CompletableFuture<double[]> sums = CompletableFuture.completedFuture(new double[3]);
                    for (CompletableFuture<float[]> vector : vectors) {
                        // One query pair after another; each step sees the previous step's sums
                        // through the completion of its future.
                        sums = sums.thenCompose(acc -> vector.thenCompose(v -> measure(snapshot, v, topK,
                                request.filtersOrNull(), compute)).thenApply(one -> {
                                    for (int i = 0; i < 3; i++) {
                                        acc[i] += one[i];
                                    }
                                    return acc;
                                }));
                    }
                    int n = vectors.size();
                    return sums.thenApply(s -> new RecallResult(s[0] / n, s[1] / n, s[2] / n));
                });
    }

    /** Futures of the sampled documents' vectors; BadRequest when no live document has one. */
    private static List<CompletableFuture<float[]>> sample(Snapshot snapshot, int num) {
        List<SegmentView> segments = new ArrayList<>();
        List<RoaringBitmap> lives = new ArrayList<>();
        long total = 0;
        for (SegmentView view : snapshot.segments()) {
            if (view.segment().vectors().isEmpty()) {
                continue;
            }
            RoaringBitmap live = view.live(null);
            RoaringBitmap all = live != null ? live : RoaringBitmap.bitmapOfRange(0, view.segment().size());
            segments.add(view);
            lives.add(all);
            total += all.getLongCardinality();
        }
        List<float[]> tail = new ArrayList<>();
        for (WalOp op : QueryExecution.newest(snapshot).values()) {
            if (op instanceof WalOp.Upsert u && u.document().vectorOrNull() != null) {
                tail.add(u.document().vectorOrNull());
            }
        }
        total += tail.size();
        if (total == 0) {
            throw new NamespaceException.BadRequest("recall needs documents with vectors; the namespace has none");
        }
        long wanted = Math.min(num, total);
        Random random = new Random(SEED);
        Set<Long> picked = new HashSet<>();
        List<CompletableFuture<float[]>> out = new ArrayList<>();
        while (picked.size() < wanted) {
            long position = (long) (random.nextDouble() * total);
            if (!picked.add(position)) {
                continue;
            }
            long p = position;
            CompletableFuture<float[]> vector = null;
            for (int i = 0; i < segments.size() && vector == null; i++) {
                long count = lives.get(i).getLongCardinality();
                if (p < count) {
                    int ordinal = lives.get(i).select((int) p);
                    vector = segments.get(i).segment().vectors().get().vector(ordinal);
                } else {
                    p -= count;
                }
            }
            out.add(vector != null ? vector : CompletableFuture.completedFuture(tail.get((int) p)));
        }
        return out;
    }

    /** {recall, ANN result count, exhaustive result count} of one query vector. */
    private static CompletableFuture<double[]> measure(Snapshot snapshot, float[] vector, int topK, Object filters,
                                                       Executor compute) {
        QueryRequest ann = new QueryRequest(vector, false, null, false, topK, filters, List.of(), false, List.of(),
                true, Map.of(), List.of());
        QueryRequest exact = new QueryRequest(vector, true, null, false, topK, filters, List.of(), false, List.of(),
                true, Map.of(), List.of());
        return QueryExecution.run(snapshot, ann, compute)
                .thenCombine(QueryExecution.exhaustive(snapshot, exact, compute), (a, e) -> {
                    Set<Object> truth = ids(e);
                    Set<Object> found = ids(a);
                    found.retainAll(truth);
                    double recall = truth.isEmpty() ? 1.0 : (double) found.size() / truth.size();
                    return new double[] {recall, a.rows().size(), e.rows().size()};
                });
    }

    private static Set<Object> ids(QueryResult result) {
        Set<Object> out = new HashSet<>();
        for (Row row : result.rows()) {
            out.add(row.id());
        }
        return out;
    }
}
