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
import dev.strata.index.search.Segment;
import dev.strata.index.wal.WalOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * Runs one query against a {@link Snapshot} on the compute executor: each segment answers through
 * its index (ANN over the filter's bitmap minus superseded ordinals, or ordering by an
 * attribute), the unindexed tail is scanned exactly with a {@link DocumentMatcher} (newest
 * operation of each id wins, deletes hide), and the candidates are merged; the tail never
 * overlaps a segment's live ordinals, nor one segment another's, so no row appears twice.
 *
 * <p>Kinds of query: ANN ({@code vectorOrNull}), exact kNN ({@code exact}: every allowed document
 * of every segment is scored; like turbopuffer's {@code kNN} it needs a filter, except for the
 * internal exhaustive runs of {@link RecallExecution}), ordering by an attribute, and aggregates
 * ({@code aggregateBy}, only {@code ["Count"]}, optionally per distinct combination of the
 * {@code groupBy} attributes: groups ordered by their values, nulls first, limited to
 * {@code topK}). A row carries the requested attributes; "vector" (when the schema has no
 * attribute of that name) adds the stored vector as a list of doubles under the key "vector".
 *
 * <p>Cache temperature: segments read through the namespace's one {@code ReadStats}, so the
 * temperature is the coldest tier whose page count grew while this query ran. Concurrent queries
 * of one namespace may see each other's reads; the value is a performance hint.
 */
final class QueryExecution {

    /** A candidate row: from the tail ({@code segment} -1, {@code doc} set) or a segment ordinal. */
    private record Candidate(int segment, int ordinal, Document doc, DocId id, float dist, Object sortValue) {}

    /** The name under which a row carries the document's vector. */
    static final String VECTOR = "vector";

    private final Snapshot snapshot;
    private final QueryRequest query;
    private final Executor compute;
    private final Filter filter;
    private final AttributeType orderType;
    private final long[] pagesBefore;
    private final boolean aggregate;

    private QueryExecution(Snapshot snapshot, QueryRequest query, Executor compute, boolean internal) {
        this.snapshot = snapshot;
        this.query = query;
        this.compute = compute;
        this.pagesBefore = pages(snapshot);
        Schema schema = snapshot.schema();
        this.aggregate = !query.aggregateBy().isEmpty();
        if (!query.groupBy().isEmpty() && !aggregate) {
            throw bad("group_by needs aggregate_by");
        }
        if (aggregate) {
            checkAggregates(query, schema);
        } else {
            checkRanking(query, internal);
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

    private static void checkRanking(QueryRequest query, boolean internal) {
        if (query.topK() < 1 || query.topK() > QueryRequest.MAX_TOP_K) {
            throw bad("top_k must be between 1 and " + QueryRequest.MAX_TOP_K + ", got " + query.topK());
        }
        if (query.exact() && query.vectorOrNull() == null) {
            throw bad("exact (kNN) search needs a query vector");
        }
        if ((query.vectorOrNull() == null) == (query.orderByOrNull() == null)) {
            throw bad("a query ranks either by vector distance or by an attribute");
        }
        if (query.exact() && query.filtersOrNull() == null && !internal) {
            throw bad("exact (kNN) search requires filters; use ANN to search the whole namespace");
        }
    }

    private static void checkAggregates(QueryRequest query, Schema schema) {
        if (query.vectorOrNull() != null || query.orderByOrNull() != null) {
            throw bad("aggregate_by cannot be combined with rank_by");
        }
        query.aggregateBy().forEach((label, aggregate) -> {
            if (!(aggregate instanceof List<?> list && list.equals(List.of("Count")))) {
                throw bad("unsupported aggregate '" + label + "': " + aggregate + "; only [\"Count\"] is supported");
            }
        });
        if (!query.groupBy().isEmpty()) {
            if (query.topK() < 1 || query.topK() > QueryRequest.MAX_TOP_K) {
                throw bad("top_k (the number of groups) must be between 1 and " + QueryRequest.MAX_TOP_K + ", got "
                        + query.topK());
            }
            for (String name : query.groupBy()) {
                AttributeType type = schema.attribute(name)
                        .orElseThrow(() -> bad("cannot group by unknown attribute '" + name + "'")).type();
                if (type.isArray()) {
                    throw bad("cannot group by array attribute '" + name + "' (" + type + ")");
                }
            }
        }
    }

    static CompletableFuture<QueryResult> run(Snapshot snapshot, QueryRequest query, Executor compute) {
        return start(snapshot, query, compute, false);
    }

    /** Like {@link #run}, but an exact search needs no filter: the exhaustive side of a recall measurement. */
    static CompletableFuture<QueryResult> exhaustive(Snapshot snapshot, QueryRequest query, Executor compute) {
        return start(snapshot, query, compute, true);
    }

    /** Validates the query as {@link #run} would, then describes how it would run (see {@link QueryPlan}). */
    static CompletableFuture<String> explain(Snapshot snapshot, QueryRequest query, Executor compute) {
        if (!snapshot.exists()) {
            return CompletableFuture.failedFuture(new NamespaceException.NotFound("namespace not found"));
        }
        // Validated and started inside the compute task: a thenCompose on the task's future would
        // run on the caller (the entity's thread) whenever the task finished first.
        return CompletableFuture.supplyAsync(() -> QueryPlan.describe(snapshot, query,
                new QueryExecution(snapshot, query, compute, false).filter, compute), compute)
                .thenCompose(plan -> plan);
    }

    private static CompletableFuture<QueryResult> start(Snapshot snapshot, QueryRequest query, Executor compute,
                                                        boolean internal) {
        if (!snapshot.exists()) {
            return CompletableFuture.failedFuture(new NamespaceException.NotFound("namespace not found"));
        }
        // Validated and started inside the compute task: with a thenCompose on the task's future,
        // the search itself ran on the caller (the entity's thread) whenever the task finished
        // before thenCompose was reached.
        return CompletableFuture.supplyAsync(() -> {
            QueryExecution e = new QueryExecution(snapshot, query, compute, internal);
            return e.aggregate ? e.aggregates() : e.execute();
        }, compute).thenCompose(result -> result);
    }

    /** Live documents as of the snapshot: segments' unsuperseded rows plus the tail's newest upserts. */
    static long liveDocuments(Snapshot snapshot) {
        long n = 0;
        for (SegmentView view : snapshot.segments()) {
            n += view.segment().size() - view.excluded().getLongCardinality();
        }
        for (WalOp op : newest(snapshot).values()) {
            if (op instanceof WalOp.Upsert) {
                n++;
            }
        }
        return n;
    }

    /** The newest operation of each id in the tail, in first-seen order. */
    static Map<DocId, WalOp> newest(Snapshot snapshot) {
        Map<DocId, WalOp> newest = new LinkedHashMap<>();
        for (TailBatch batch : snapshot.tail()) {
            for (WalOp op : batch.ops()) {
                newest.put(op.id(), op);
            }
        }
        return newest;
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
            return rows(top).thenApply(rows -> new QueryResult(rows, temperature(), scanned, Map.of(), List.of(),
                    liveDocuments(snapshot)));
        }, compute);
    }

    private long scanTail(List<Candidate> out) {
        Map<DocId, WalOp> newest = newest(snapshot);
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
                Segment segment = view.segment();
                return (query.exact() ? segment.exactNearest(query.vectorOrNull(), query.topK(), live)
                        : segment.nearest(query.vectorOrNull(), query.topK(), SearchParams.DEFAULT, live))
                        .thenCompose(hits -> segment.ids(hits).thenApply(ids -> {
                            List<Candidate> out = new ArrayList<>(hits.size());
                            for (int i = 0; i < ids.length; i++) {
                                Hit h = hits.get(i);
                                out.add(new Candidate(index, h.ordinal(), null, ids[i], h.distance(), null));
                            }
                            return out;
                        }));
            }
            String attribute = query.orderByOrNull();
            return view.idsLoaded().thenCompose(ids -> view.segment()
                    .orderBy(attribute, query.descending(), query.topK(), live, schema)
                    .thenCompose(ordinals -> (attribute.equals("id")
                            ? CompletableFuture.completedFuture((IntFunction<Object>) ids::id)
                            : view.segment().container().column(attribute, schema)
                                    .thenApply(c -> (IntFunction<Object>) c::value))
                            .thenApply(values -> {
                                List<Candidate> out = new ArrayList<>(ordinals.length);
                                for (int o : ordinals) {
                                    out.add(new Candidate(index, o, null, ids.id(o), 0f, values.apply(o)));
                                }
                                return out;
                            })));
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
        Schema schema = snapshot.schema();
        List<String> names = (query.includeAllAttributes()
                ? new ArrayList<>(schema.attributes().keySet())
                : query.includeAttributes().stream().filter(n -> schema.attribute(n).isPresent()).toList())
                .stream().filter(n -> !query.excludeAttributes().contains(n)).toList();
        boolean vector = schema.attribute(VECTOR).isEmpty() && !query.excludeAttributes().contains(VECTOR)
                && (query.includeAllAttributes() || query.includeAttributes().contains(VECTOR));
        List<CompletableFuture<Row>> rows = new ArrayList<>(top.size());
        for (Candidate c : top) {
            Double dist = query.vectorOrNull() != null ? (double) c.dist() : null;
            if (c.segment() < 0) {
                Map<String, Object> attributes = new LinkedHashMap<>();
                for (String n : names) {
                    put(attributes, n, c.doc().attribute(n));
                }
                if (vector && c.doc().vectorOrNull() != null) {
                    attributes.put(VECTOR, vectorJson(c.doc().vectorOrNull()));
                }
                rows.add(CompletableFuture.completedFuture(new Row(c.id().toJson(), dist, attributes)));
            } else {
                SegmentView view = snapshot.segments().get(c.segment());
                CompletableFuture<float[]> stored = vector && view.segment().vectors().isPresent()
                        ? view.segment().vectors().get().vector(c.ordinal())
                        : CompletableFuture.completedFuture(null);
                rows.add(SegmentDocuments.attributes(view, c.ordinal(), names, schema).thenCombine(stored, (values, v) -> {
                    Map<String, Object> attributes = new LinkedHashMap<>();
                    values.forEach((n, value) -> put(attributes, n, value));
                    if (v != null) {
                        attributes.put(VECTOR, vectorJson(v));
                    }
                    return new Row(c.id().toJson(), dist, attributes);
                }));
            }
        }
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> rows.stream().map(CompletableFuture::join).toList());
    }

    /** A vector as a JSON-like list of doubles. */
    static List<Double> vectorJson(float[] vector) {
        List<Double> out = new ArrayList<>(vector.length);
        for (float f : vector) {
            out.add((double) f);
        }
        return out;
    }

    // ---- aggregates

    /** Counts the documents the filter allows, in total or per distinct combination of the group-by values. */
    private CompletableFuture<QueryResult> aggregates() {
        Schema schema = snapshot.schema();
        List<String> groupBy = query.groupBy();
        Map<List<Object>, Long> counts = new HashMap<>();
        DocumentMatcher matcher = new DocumentMatcher(schema);
        long scanned = 0;
        for (WalOp op : newest(snapshot).values()) {
            if (!(op instanceof WalOp.Upsert u)) {
                continue;
            }
            scanned++;
            Document doc = u.document();
            if (filter == null || matcher.matches(filter, doc)) {
                List<Object> key = new ArrayList<>(groupBy.size());
                groupBy.forEach(n -> key.add(doc.attribute(n)));
                counts.merge(key, 1L, Long::sum);
            }
        }
        List<CompletableFuture<Map<List<Object>, Long>>> parts = new ArrayList<>();
        for (SegmentView view : snapshot.segments()) {
            parts.add(view.segment().allowed(filter, schema).thenCompose(allowed -> {
                RoaringBitmap live = view.live(allowed);
                RoaringBitmap rows = live != null ? live : RoaringBitmap.bitmapOfRange(0, view.segment().size());
                if (groupBy.isEmpty() || rows.isEmpty()) {
                    return CompletableFuture.completedFuture(rows.isEmpty() ? Map.<List<Object>, Long>of()
                            : Map.of(List.<Object>of(), rows.getLongCardinality()));
                }
                List<CompletableFuture<IntFunction<Object>>> columns = new ArrayList<>();
                for (String n : groupBy) {
                    columns.add(view.segment().container().column(n, schema).thenApply(c -> (IntFunction<Object>) c::value));
                }
                return CompletableFuture.allOf(columns.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
                    Map<List<Object>, Long> out = new HashMap<>();
                    rows.forEach((int ordinal) -> {
                        List<Object> key = new ArrayList<>(columns.size());
                        columns.forEach(c -> key.add(c.join().apply(ordinal)));
                        out.merge(key, 1L, Long::sum);
                    });
                    return out;
                }, compute);
            }));
        }
        long tailScanned = scanned;
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
            parts.forEach(p -> p.join().forEach((k, n) -> counts.merge(k, n, Long::sum)));
            long live = liveDocuments(snapshot);
            if (groupBy.isEmpty()) {
                long total = counts.values().stream().mapToLong(Long::longValue).sum();
                Map<String, Object> aggregations = new LinkedHashMap<>();
                query.aggregateBy().keySet().stream().sorted().forEach(label -> aggregations.put(label, total));
                return new QueryResult(List.of(), temperature(), tailScanned, aggregations, List.of(), live);
            }
            List<List<Object>> keys = new ArrayList<>(counts.keySet());
            keys.sort(groupOrder(groupBy, schema));
            List<Map<String, Object>> groups = new ArrayList<>();
            for (List<Object> key : keys.subList(0, Math.min(query.topK(), keys.size()))) {
                Map<String, Object> group = new LinkedHashMap<>();
                for (int i = 0; i < groupBy.size(); i++) {
                    Object value = key.get(i);
                    AttributeType type = schema.attribute(groupBy.get(i)).orElseThrow().type();
                    group.put(groupBy.get(i), value == null ? null : json(type, value));
                }
                long n = counts.get(key);
                query.aggregateBy().keySet().stream().sorted().forEach(label -> group.put(label, n));
                groups.add(group);
            }
            return new QueryResult(List.of(), temperature(), tailScanned, Map.of(), groups, live);
        }, compute);
    }

    /** Groups by their values, attribute by attribute, a missing value first. */
    private static Comparator<List<Object>> groupOrder(List<String> groupBy, Schema schema) {
        AttributeType[] types = new AttributeType[groupBy.size()];
        Arrays.setAll(types, i -> schema.attribute(groupBy.get(i)).orElseThrow().type());
        return (a, b) -> {
            for (int i = 0; i < types.length; i++) {
                Object x = a.get(i);
                Object y = b.get(i);
                int c = x == null || y == null ? (x == null ? (y == null ? 0 : -1) : 1) : Values.compare(types[i], x, y);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
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
