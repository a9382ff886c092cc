package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.cache.Tier;
import dev.strata.index.filter.Filter;
import dev.strata.index.ivf.IvfReader;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.wal.WalOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * The readable plan of an {@code explain_query}: one line for the query, one per segment (live
 * and stored documents, partitions, how many would be probed and the filter strategy: exact
 * scoring of a small allowed set, up to {@link SearchParams#exactFilterLimit()} documents, or
 * probing that skips disallowed documents), one for the exact scan of the unindexed tail, and
 * one for the cache tiers. Evaluating the filter reads its columns, as the query would; nothing
 * else is read.
 */
final class QueryPlan {

    private QueryPlan() {}

    static CompletableFuture<String> describe(Snapshot snapshot, QueryRequest query, Filter filterOrNull,
                                              Executor compute) {
        List<CompletableFuture<String>> lines = new ArrayList<>();
        for (SegmentView view : snapshot.segments()) {
            lines.add(view.segment().allowed(filterOrNull, snapshot.schema())
                    .thenApplyAsync(allowed -> segmentLine(view, query, filterOrNull, allowed), compute));
        }
        return CompletableFuture.allOf(lines.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            StringBuilder out = new StringBuilder();
            out.append(queryLine(query, filterOrNull)).append('\n');
            out.append("consistency: ").append(query.eventual() ? "eventual (no check of the WAL)"
                    : "strong (one check for a WAL entry newer than the snapshot, concurrent with the query's"
                    + " reads; answered only once it finds none)").append('\n');
            if (snapshot.segments().isEmpty()) {
                out.append("segments: none\n");
            }
            lines.forEach(l -> out.append(l.join()).append('\n'));
            out.append(tailLine(snapshot)).append('\n');
            out.append(cacheLine(snapshot));
            return out.toString();
        });
    }

    private static String queryLine(QueryRequest query, Filter filterOrNull) {
        String what;
        if (!query.aggregateBy().isEmpty()) {
            what = "aggregate " + query.aggregateBy().keySet().stream().sorted().toList() + " (Count)"
                    + (query.groupBy().isEmpty() ? "" : " grouped by " + query.groupBy() + ", first " + query.topK()
                    + " groups");
        } else if (query.vectorOrNull() != null) {
            what = (query.exact() ? "exact kNN" : "ANN") + " top_k=" + query.topK() + " over a "
                    + query.vectorOrNull().length + "-dimensional vector";
        } else {
            what = "order by " + query.orderByOrNull() + (query.descending() ? " desc" : " asc") + " top_k="
                    + query.topK();
        }
        return "query: " + what + (filterOrNull == null ? ", no filter" : ", filter " + query.filtersOrNull());
    }

    private static String segmentLine(SegmentView view, QueryRequest query, Filter filterOrNull,
                                      RoaringBitmap allowed) {
        int size = view.segment().size();
        RoaringBitmap live = view.live(allowed);
        long liveCount = size - view.excluded().getLongCardinality();
        StringBuilder out = new StringBuilder("segment ").append(view.entry().id()).append(": ")
                .append(liveCount).append(" live of ").append(size).append(" documents");
        if (filterOrNull != null || !view.excluded().isEmpty()) {
            long candidates = live == null ? size : live.getLongCardinality();
            out.append(", ").append(candidates).append(filterOrNull != null ? " allowed by the filter" : " live");
        }
        if (!query.aggregateBy().isEmpty()) {
            return out.append("; counted from the filter's bitmap").append(query.groupBy().isEmpty() ? ""
                    : " and the group-by columns").toString();
        }
        if (query.vectorOrNull() == null) {
            return out.append("; top ").append(query.topK()).append(" by the column of ")
                    .append(query.orderByOrNull()).toString();
        }
        if (view.segment().vectors().isEmpty()) {
            return out.append("; no vectors, skipped").toString();
        }
        IvfReader ivf = view.segment().vectors().get();
        SearchParams params = SearchParams.DEFAULT;
        int nprobe = params.nprobeFor(ivf.partitions());
        out.append("; ").append(ivf.partitions()).append(" partitions");
        if (query.exact()) {
            return out.append("; exhaustive: every allowed document's vector is scored").toString();
        }
        if (live == null) {
            return out.append("; probes the ").append(nprobe).append(" nearest partitions, reranks up to ")
                    .append(query.topK() * params.rerankMultiple()).append(" candidates").toString();
        }
        long candidates = live.getLongCardinality();
        if (candidates <= params.exactFilterLimit()) {
            return out.append("; exact scoring of the ").append(candidates)
                    .append(" allowed documents (at most ").append(params.exactFilterLimit()).append(")").toString();
        }
        return out.append("; filtered probing: at least ").append(nprobe)
                .append(" nearest partitions holding allowed documents, skipping disallowed ones").toString();
    }

    private static String tailLine(Snapshot snapshot) {
        long upserts = QueryExecution.newest(snapshot).values().stream().filter(op -> op instanceof WalOp.Upsert).count();
        long bytes = snapshot.tail().stream().mapToLong(TailBatch::bytes).sum();
        return "tail: exact scan of " + upserts + " unindexed documents in " + snapshot.tail().size()
                + " WAL entries (" + bytes + " bytes)";
    }

    private static String cacheLine(Snapshot snapshot) {
        if (snapshot.segments().isEmpty()) {
            return "cache: nothing to read (the tail is in memory)";
        }
        return "cache: centroids and ids in memory (read when the segment opened); codes, vectors and columns "
                + "through memory -> SSD -> object storage; pages read so far: " + snapshot.stats().pages(Tier.MEMORY)
                + " memory, " + snapshot.stats().pages(Tier.SSD) + " SSD, " + snapshot.stats().pages(Tier.OBJECT_STORE)
                + " object storage";
    }
}
