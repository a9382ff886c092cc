package dev.strata.index.attr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.RandomData;
import dev.strata.index.doc.Schema;
import dev.strata.index.doc.Values;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Top-N by attribute and by id against a full sort of the documents. */
class AttributeOrderingTest {

    private static final Schema SCHEMA = RandomData.schema();

    @Test
    void topNMatchesASortedOracleForEveryScalarType() {
        for (int trial = 0; trial < 20; trial++) {
            RandomData data = new RandomData(300 + trial);
            List<Document> docs = data.documents(20 + data.random().nextInt(300), true);
            ColumnSet columns = FilterBitmapsTest.columns(docs, SCHEMA);
            for (String name : SCHEMA.attributes().keySet()) {
                AttributeType type = SCHEMA.attribute(name).orElseThrow().type();
                if (type.isArray()) {
                    continue;
                }
                for (boolean descending : new boolean[] {false, true}) {
                    RoaringBitmap allowed = data.random().nextBoolean() ? null : randomSubset(data, docs.size());
                    int limit = data.random().nextInt(docs.size() + 5);
                    int[] expected = oracle(docs, name, type, descending, allowed, limit);
                    int[] actual = AttributeOrdering.topN(columns.column(name), descending, allowed, limit);
                    int t = trial;
                    assertArrayEquals(expected, actual, () -> "seed " + t + " " + name + (descending ? " desc" : " asc"));
                }
            }
            for (boolean descending : new boolean[] {false, true}) {
                RoaringBitmap allowed = randomSubset(data, docs.size());
                int limit = data.random().nextInt(docs.size() + 5);
                List<Integer> ordinals = new ArrayList<>();
                allowed.forEach((int i) -> ordinals.add(i));
                Comparator<Integer> byId = Comparator.comparing(i -> docs.get(i).id());
                ordinals.sort(descending ? byId.reversed() : byId);
                int[] expected = ordinals.stream().limit(limit).mapToInt(Integer::intValue).toArray();
                assertArrayEquals(expected, columns.ids().topN(descending, allowed, limit));
            }
        }
    }

    @Test
    void orderingByAnArrayAttributeIsRefused() {
        RandomData data = new RandomData(1);
        ColumnSet columns = FilterBitmapsTest.columns(data.documents(10, false), SCHEMA);
        assertThrows(IllegalArgumentException.class,
                () -> AttributeOrdering.topN(columns.column("arr_int"), false, null, 3));
    }

    private static RoaringBitmap randomSubset(RandomData data, int n) {
        RoaringBitmap out = new RoaringBitmap();
        for (int i = 0; i < n; i++) {
            if (data.random().nextInt(3) != 0) {
                out.add(i);
            }
        }
        return out;
    }

    /** Missing values first ascending and last descending; ties by ascending ordinal. */
    private static int[] oracle(List<Document> docs, String name, AttributeType type, boolean descending,
            RoaringBitmap allowed, int limit) {
        List<Integer> ordinals = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (allowed == null || allowed.contains(i)) {
                ordinals.add(i);
            }
        }
        Comparator<Object> values = (a, b) -> a == null ? (b == null ? 0 : -1) : b == null ? 1 : Values.compare(type, a, b);
        Comparator<Object> direction = descending ? values.reversed() : values;
        ordinals.sort(Comparator.<Integer, Object>comparing(i -> docs.get(i).attribute(name), direction)
                .thenComparing(Comparator.naturalOrder()));
        return ordinals.stream().limit(limit).mapToInt(Integer::intValue).toArray();
    }
}
