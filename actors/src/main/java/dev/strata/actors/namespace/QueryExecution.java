package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.cache.Tier;
import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.doc.Values;
import dev.strata.index.filter.DocumentMatcher;
import dev.strata.index.filter.Filter;
import dev.strata.index.filter.FilterBinder;
import dev.strata.index.filter.FilterParser;
import dev.strata.index.ivf.Hit;
import dev.strata.index.ivf.SearchParams;
import dev.strata.index.wal.WalOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.roaringbitmap.RoaringBitmap;

/**
 * Runs one query against a {@link Snapshot} on the compute executor: each segment answers through
 * its index (ANN over the filter's bitmap minus superseded ordinals, or ordering by an
 * attribute), the unindexed tail is scanned exactly with a {@link DocumentMatcher} (newest
 * operation of each id wins, deletes hide), and the candidates are merged; the tail never
 * overlaps a segment's live ordinals, nor one segment another's, so no row appears twice.
 *
 * <p>Cache temperature: segments read through the namespace's one {@code ReadStats}, so the
 * temperature is the coldest tier whose page count grew while this query ran. Concurrent queries
 * of one namespace may see each other's reads; the value is a performance hint.
 */
final class QueryExecution {

    /** A candidate row: from the tail ({@code segment} -1, {@code doc} set) or a segment ordinal. */
    private record Candidate(int segment, int ordinal, Document doc, DocId id, float dist, Object sortValue) {}

    private final Snapshot snapshot;
    private final QueryRequest query;
    private final Executor compute;
    private final Filter filter;
    private final AttributeType orderType;
    private final long[] pagesBefore;

    private QueryExecution(Snapshot snapshot, QueryRequest query, Executor compute) {
        this.snapshot = snapshot;
        this.query = query;
        this.compute = compute;
        this.pagesBefore = pages(snapshot);
        Schema schema = snapshot.schema();
        if (query.topK() < 1 || query.topK() > QueryRequest.MAX_TOP_K) {
            throw bad("top_k must be between 1 and " + QueryRequest.MAX_TOP_K + ", got " + query.topK());
        }
        if ((query.vectorOrNull() == null) == (query.orderByOrNull() == null)) {
            throw bad("a query ranks either by vector distance or by an attribute");
        }
        if (query.vectorOrNull() != null && schema.vectorDims() != 0 && query.vectorOrNull().length != schema.vectorDims()) {
            throw bad("query vector has " + query.vectorOrNull().length + " dimensions, the namespace's vectors have "
                    + schema.vectorDims());
        }
        AttributeType type = null;
        String order = query.orderByOrNull();
        if (order != null && !order.equals("id")) {
            type = schema.attribute(order).orElseThrow(() -> bad("cannot order by unknown attribute '" + order + "'")).type();
            if (type.isArray()) {
                throw bad("cannot order by array attribute '" + order + "' (" + type + ")");
            }
        }
        this.orderType = type;
        try {
            this.filter = query.filtersOrNull() == null ? null
                    : FilterBinder.bind(FilterParser.parse(query.filtersOrNull()), schema);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    static CompletableFuture<QueryResult> run(Snapshot snapshot, QueryRequest query, Executor compute) {
        if (!snapshot.exists()) {
            return CompletableFuture.failedFuture(new NamespaceException.NotFound("namespace not found"));
        }
        return CompletableFuture.supplyAsync(() -> new QueryExecution(snapshot, query, compute), compute)
                .thenCompose(QueryExecution::execute);
    }

    private CompletableFuture<QueryResult> execute() {
        List<Candidate> all = new ArrayList<>();
        long scanned = scanTail(all);
        List<CompletableFuture<List<Candidate>>> parts = new ArrayList<>();
        for (int i = 0; i < snapshot.segments().size(); i++) {
            parts.add(searchSegment(i));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenComposeAsync(ignored -> {
            parts.forEach(p -> all.addAll(p.join()));
            all.sort(order());
            List<Candidate> top = all.subList(0, Math.min(query.topK(), all.size()));
            return rows(top).thenApply(rows -> new QueryResult(rows, temperature(), scanned));
        }, compute);
    }

    private long scanTail(List<Candidate> out) {
        Map<DocId, WalOp> newest = new LinkedHashMap<>();
        for (TailBatch batch : snapshot.tail()) {
            for (WalOp op : batch.ops()) {
                newest.put(op.id(), op);
            }
        }
        DocumentMatcher matcher = new DocumentMatcher(snapshot.schema());
        long scanned = 0;
        for (WalOp op : newest.values()) {
            if (!(op instanceof WalOp.Upsert u)) {
                continue;
            }
            Document doc = u.document();
            scanned++;
            if (filter != null && !matcher.matches(filter, doc)) {
                continue;
            }
            if (query.vectorOrNull() != null) {
                if (doc.vectorOrNull() != null) {
                    out.add(new Candidate(-1, -1, doc, doc.id(),
                            snapshot.metricOrNull().distance(query.vectorOrNull(), doc.vectorOrNull()), null));
                }
            } else {
                Object value = query.orderByOrNull().equals("id") ? doc.id() : doc.attribute(query.orderByOrNull());
                out.add(new Candidate(-1, -1, doc, doc.id(), 0f, value));
            }
        }
        return scanned;
    }

    private CompletableFuture<List<Candidate>> searchSegment(int index) {
        SegmentView view = snapshot.segments().get(index);
        Schema schema = snapshot.schema();
        if (query.vectorOrNull() != null && view.segment().vectors().isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return view.segment().allowed(filter, schema).thenCompose(allowed -> {
            RoaringBitmap live = view.live(allowed);
            if (live != null && live.isEmpty()) {
                return CompletableFuture.completedFuture(List.of());
            }
            if (query.vectorOrNull() != null) {
                return view.segment().nearest(query.vectorOrNull(), query.topK(), SearchParams.DEFAULT, live)
                        .thenApply(hits -> {
                            List<Candidate> out = new ArrayList<>(hits.size());
                            for (Hit h : hits) {
                                out.add(new Candidate(index, h.ordinal(), null, view.ids().id(h.ordinal()), h.distance(), null));
                            }
                            return out;
                        });
            }
            String attribute = query.orderByOrNull();
            return view.segment().orderBy(attribute, query.descending(), query.topK(), live, schema)
                    .thenCompose(ordinals -> (attribute.equals("id")
                            ? CompletableFuture.completedFuture((java.util.function.IntFunction<Object>) o -> view.ids().id(o))
                            : view.segment().container().column(attribute, schema)
                                    .thenApply(c -> (java.util.function.IntFunction<Object>) c::value))
                            .thenApply(values -> {
                                List<Candidate> out = new ArrayList<>(ordinals.length);
                                for (int o : ordinals) {
                                    out.add(new Candidate(index, o, null, view.ids().id(o), 0f, values.apply(o)));
                                }
                                return out;
                            }));
        });
    }

    private Comparator<Candidate> order() {
        Comparator<Candidate> byId = Comparator.comparing(Candidate::id);
        if (query.vectorOrNull() != null) {
            return Comparator.comparingDouble(Candidate::dist).thenComparing(byId);
        }
        // A missing value is the smallest: first ascending, last descending, as segments order.
        Comparator<Object> values = (a, b) -> {
            if (a == null || b == null) {
                return a == null ? (b == null ? 0 : -1) : 1;
            }
            return orderType == null ? ((DocId) a).compareTo((DocId) b) : Values.compare(orderType, a, b);
        };
        Comparator<Object> directed = query.descending() ? values.reversed() : values;
        return Comparator.comparing(Candidate::sortValue, directed).thenComparing(byId);
    }

    private CompletableFuture<List<Row>> rows(List<Candidate> top) {
        List<String> names = query.includeAllAttributes()
                ? new ArrayList<>(snapshot.schema().attributes().keySet())
                : query.includeAttributes().stream().filter(n -> snapshot.schema().attribute(n).isPresent()).toList();
        List<CompletableFuture<Row>> rows = new ArrayList<>(top.size());
        for (Candidate c : top) {
            Double dist = query.vectorOrNull() != null ? (double) c.dist() : null;
            if (c.segment() < 0) {
                Map<String, Object> attributes = new LinkedHashMap<>();
                for (String n : names) {
                    put(attributes, n, c.doc().attribute(n));
                }
                rows.add(CompletableFuture.completedFuture(new Row(c.id().toJson(), dist, attributes)));
            } else {
                SegmentView view = snapshot.segments().get(c.segment());
                rows.add(SegmentDocuments.attributes(view, c.ordinal(), names, snapshot.schema()).thenApply(values -> {
                    Map<String, Object> attributes = new LinkedHashMap<>();
                    values.forEach((n, v) -> put(attributes, n, v));
                    return new Row(c.id().toJson(), dist, attributes);
                }));
            }
        }
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> rows.stream().map(CompletableFuture::join).toList());
    }

    private void put(Map<String, Object> out, String name, Object canonical) {
        if (canonical == null) {
            return;
        }
        AttributeType type = snapshot.schema().attribute(name).orElseThrow().type();
        out.put(name, json(type.elementType(), canonical));
    }

    /** A canonical value as a JSON value: uuids as strings, datetimes as ISO-8601 strings. */
    private static Object json(AttributeType element, Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(v -> json(element, v)).toList();
        }
        if (value instanceof UUID u) {
            return u.toString();
        }
        if (element == AttributeType.DATETIME) {
            return Instant.ofEpochMilli((Long) value).toString();
        }
        return value;
    }

    private static long[] pages(Snapshot s) {
        long[] out = new long[Tier.values().length];
        for (Tier t : Tier.values()) {
            out[t.ordinal()] = s.stats().pages(t);
        }
        return out;
    }

    private String temperature() {
        long[] after = pages(snapshot);
        Tier coldest = Tier.MEMORY;
        for (Tier t : Tier.values()) {
            if (after[t.ordinal()] > pagesBefore[t.ordinal()]) {
                coldest = coldest.colder(t);
            }
        }
        return switch (coldest) {
            case MEMORY -> "hot";
            case SSD -> "warm";
            case OBJECT_STORE -> "cold";
        };
    }

    private static NamespaceException.BadRequest bad(String message) {
        return new NamespaceException.BadRequest(message);
    }
}
