package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A reproducible write storm and its model. Writer {@code w} owns the ids
 * {@code w * 1000 .. w * 1000 + IDS - 1} and sends its requests one at a time; request
 * {@code (w, c)} is a pure function of {@code w} and {@code c}: a mix of upserts, patches and
 * deletes on distinct ids of that writer, every row carrying the marker {@code req = c}. Each
 * request is idempotent (sending it twice leaves what sending it once does), so a writer may
 * retry a request whose outcome it does not know. Because writers' ids are disjoint and each
 * writer waits for one request before the next, the state of a writer's ids after its first
 * {@code k} requests is {@link #model(int, int)}, whatever the other writers did.
 */
final class StormPlan {

    /** Ids per writer. */
    static final int IDS = 40;
    static final int DIMS = 4;
    static final float[] ORIGIN = new float[DIMS];

    /** One document of the model. */
    record Doc(float[] vector, Map<String, Object> attributes) {}

    private StormPlan() {}

    static long id(int writer, int k) {
        return writer * 1000L + k;
    }

    static int writerOf(long id) {
        return (int) (id / 1000);
    }

    /** The operations of request {@code (writer, counter)}, on distinct ids. */
    private record Ops(List<UpsertRow> upserts, List<PatchRow> patches, List<Object> deletes) {}

    private static Ops ops(int writer, int counter) {
        Random random = new Random(writer * 1_000_003L + counter);
        List<Long> pool = new ArrayList<>();
        for (int k = 0; k < IDS; k++) {
            pool.add(id(writer, k));
        }
        Collections.shuffle(pool, random);
        int upserts = 1 + random.nextInt(counter < 3 ? 8 : 4);
        int patches = counter < 2 ? 0 : random.nextInt(4);
        int deletes = counter < 2 ? 0 : random.nextInt(3);
        List<UpsertRow> u = new ArrayList<>();
        List<PatchRow> p = new ArrayList<>();
        List<Object> d = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < upserts; i++, next++) {
            long id = pool.get(next);
            float[] vector = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                vector[j] = random.nextFloat();
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("w", (long) writer);
            attributes.put("req", (long) counter);
            attributes.put("tag", writer + "-" + counter + "-" + id);
            u.add(new UpsertRow(id, vector, attributes));
        }
        for (int i = 0; i < patches; i++, next++) {
            p.add(new PatchRow(pool.get(next), Map.of("req", (long) counter, "patched", (long) counter)));
        }
        for (int i = 0; i < deletes; i++, next++) {
            d.add(pool.get(next));
        }
        return new Ops(u, p, d);
    }

    static WriteRequest request(int writer, int counter) {
        Ops ops = ops(writer, counter);
        return WriteRequest.of(ops.upserts(), ops.patches(), ops.deletes(), "euclidean_squared", false);
    }

    /** Applies request {@code (writer, counter)} to a model of that writer's ids. */
    static void apply(Map<Long, Doc> model, int writer, int counter) {
        Ops ops = ops(writer, counter);
        for (UpsertRow row : ops.upserts()) {
            model.put((Long) row.id(), new Doc(row.vectorOrNull(), new HashMap<>(row.attributes())));
        }
        for (PatchRow row : ops.patches()) {
            Doc doc = model.get((Long) row.id());
            if (doc != null) {
                Map<String, Object> attributes = new HashMap<>(doc.attributes());
                attributes.putAll(row.attributes());
                model.put((Long) row.id(), new Doc(doc.vector(), attributes));
            }
        }
        ops.deletes().forEach(model::remove);
    }

    /** The writer's ids after its first {@code requests} requests. */
    static Map<Long, Doc> model(int writer, int requests) {
        Map<Long, Doc> model = new TreeMap<>();
        for (int c = 0; c < requests; c++) {
            apply(model, writer, c);
        }
        return model;
    }

    /** Every document, exactly: each has the attribute {@code w}, and the filter keeps the scan exact. */
    static QueryRequest everything() {
        return QueryRequest.nearest(ORIGIN, QueryRequest.MAX_TOP_K).withFilters(List.of("w", "Gte", 0L)).includingAll();
    }

    /** The documents a query returned, per writer. */
    static Map<Integer, Map<Long, Row>> byWriter(QueryResult result) {
        Map<Integer, Map<Long, Row>> out = new TreeMap<>();
        for (Row row : result.rows()) {
            long id = (Long) row.id();
            Row previous = out.computeIfAbsent(writerOf(id), w -> new TreeMap<>()).put(id, row);
            if (previous != null) {
                throw new AssertionError("id " + id + " returned twice");
            }
        }
        return out;
    }

    /**
     * Null when the rows of one writer are exactly the model (same ids, attributes, vectors, and
     * the distance of the model's vector from the origin), else what differs.
     */
    static String difference(Map<Long, Doc> model, Map<Long, Row> rows) {
        if (!model.keySet().equals(rows.keySet())) {
            return "ids " + rows.keySet() + ", expected " + model.keySet();
        }
        for (Map.Entry<Long, Doc> e : model.entrySet()) {
            Row row = rows.get(e.getKey());
            Map<String, Object> attributes = new HashMap<>(row.attributes());
            Object vector = attributes.remove("vector");
            if (!e.getValue().attributes().equals(attributes)) {
                return "id " + e.getKey() + " has " + attributes + ", expected " + e.getValue().attributes();
            }
            if (!sameVector(e.getValue().vector(), vector)) {
                return "id " + e.getKey() + " has vector " + vector + ", expected " + Arrays.toString(e.getValue().vector());
            }
            double expected = 0;
            for (float x : e.getValue().vector()) {
                expected += (double) x * x;
            }
            if (row.dist() == null || Math.abs(row.dist() - expected) > 1e-4) {
                return "id " + e.getKey() + " at distance " + row.dist() + ", expected " + expected;
            }
        }
        return null;
    }

    private static boolean sameVector(float[] expected, Object returned) {
        if (!(returned instanceof List<?> values) || values.size() != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(values.get(i) instanceof Number n) || n.floatValue() != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
