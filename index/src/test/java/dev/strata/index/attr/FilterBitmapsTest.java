package dev.strata.index.attr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.RandomData;
import dev.strata.index.doc.Schema;
import dev.strata.index.filter.DocumentMatcher;
import dev.strata.index.filter.Filter;
import dev.strata.index.filter.FilterBinder;
import dev.strata.index.filter.FilterParser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Bitmap evaluation over columns against per-document evaluation (the oracle). */
class FilterBitmapsTest {

    private static final Schema SCHEMA = RandomData.schema();

    /** Builds in-memory columns straight from documents, as the segment writer does. */
    static ColumnSet columns(List<Document> docs, Schema schema) {
        Map<String, AttributeColumn> columns = new HashMap<>();
        schema.attributes().forEach((name, a) -> {
            ColumnBuilder b = new ColumnBuilder(name, a.type(), a.filterable());
            docs.forEach(d -> b.add(d.attribute(name)));
            columns.put(name, b.build());
        });
        List<DocId> ids = new ArrayList<>();
        docs.forEach(d -> ids.add(d.id()));
        IdColumn idColumn = IdColumn.build(ids);
        return new ColumnSet() {
            @Override
            public int rowCount() {
                return docs.size();
            }

            @Override
            public AttributeColumn column(String name) {
                return columns.get(name);
            }

            @Override
            public IdColumn ids() {
                return idColumn;
            }
        };
    }

    static RoaringBitmap oracle(Filter bound, List<Document> docs) {
        DocumentMatcher matcher = new DocumentMatcher(SCHEMA);
        RoaringBitmap expected = new RoaringBitmap();
        for (int i = 0; i < docs.size(); i++) {
            if (matcher.matches(bound, docs.get(i))) {
                expected.add(i);
            }
        }
        return expected;
    }

    @Test
    void randomFiltersMatchThePerDocumentOracle() {
        Set<Filter.Op> seen = EnumSet.noneOf(Filter.Op.class);
        for (int trial = 0; trial < 25; trial++) {
            RandomData data = new RandomData(1000 + trial);
            List<Document> docs = data.documents(50 + data.random().nextInt(400), trial % 3 != 0);
            ColumnSet columns = columns(docs, SCHEMA);
            for (int f = 0; f < 60; f++) {
                Object json = data.filterJson(docs, 3);
                Filter bound = FilterBinder.bind(FilterParser.parse(json), SCHEMA);
                collectOps(bound, seen);
                RoaringBitmap expected = oracle(bound, docs);
                RoaringBitmap actual = FilterBitmaps.evaluate(bound, columns);
                int seed = 1000 + trial;
                assertEquals(expected, actual, () -> "seed " + seed + ", filter " + json);
            }
        }
        assertEquals(EnumSet.allOf(Filter.Op.class), seen, "every operator was exercised");
    }

    /** A selective first condition makes the rest test few rows by lookup; results must not change. */
    @Test
    void conditionsAfterASelectiveOneAgreeWithTheOracle() {
        for (int trial = 0; trial < 10; trial++) {
            RandomData data = new RandomData(500 + trial);
            List<Document> docs = data.documents(400, true);
            ColumnSet columns = columns(docs, SCHEMA);
            for (int f = 0; f < 100; f++) {
                List<Object> few = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    DocId id = data.pick(docs).id();
                    few.add(id instanceof DocId.Uuid u ? u.value() : id.toJson());
                }
                Object json = List.of("And", List.of(List.of("id", "In", few), data.filterJson(docs, 0),
                        data.filterJson(docs, 0)));
                Filter bound = FilterBinder.bind(FilterParser.parse(json), SCHEMA);
                assertEquals(oracle(bound, docs), FilterBitmaps.evaluate(bound, columns), () -> "filter " + json);
            }
        }
    }

    @Test
    void singleScalarConditionsAreEstimatedExactlyAndArrayOnesFromAbove() {
        RandomData data = new RandomData(77);
        List<Document> docs = data.documents(500, true);
        ColumnSet columns = columns(docs, SCHEMA);
        int checked = 0;
        for (int f = 0; f < 2000; f++) {
            Filter bound = FilterBinder.bind(FilterParser.parse(data.filterJson(docs, 0)), SCHEMA);
            Filter.Condition c = (Filter.Condition) bound;
            long actual = FilterBitmaps.evaluate(bound, columns).getLongCardinality();
            long estimate = FilterBitmaps.estimate(bound, columns);
            boolean array = !c.attribute().equals("id") && SCHEMA.attribute(c.attribute()).orElseThrow().type().isArray();
            if (!array) {
                assertEquals(actual, estimate, () -> "estimate of " + bound);
                checked++;
            } else if (!c.op().isNegated() && c.operand() != null) {
                assertTrue(estimate >= actual, () -> "estimate " + estimate + " below " + actual + " for " + bound);
                checked++;
            }
        }
        assertTrue(checked > 1000);
    }

    @Test
    void rangesOnAHighCardinalityColumnScanAndStillAgree() {
        RandomData data = new RandomData(5);
        List<Document> docs = data.documents(3000, false);
        ColumnSet columns = columns(docs, SCHEMA);
        assertTrue(columns.column("wide").distinctValues() > 1500, "the column is high-cardinality");
        for (long bound = -600; bound <= 12000; bound += 1733) {
            for (String op : List.of("Lt", "Lte", "Gt", "Gte", "Eq", "NotEq")) {
                Filter f = FilterBinder.bind(FilterParser.parse(List.of("wide", op, bound)), SCHEMA);
                assertEquals(oracle(f, docs), FilterBitmaps.evaluate(f, columns), op + " " + bound);
            }
        }
    }

    @Test
    void missingValuesFollowTheDocumentedNullOrdering() {
        Schema schema = Schema.empty().withAttribute("n", AttributeType.INT, true);
        List<Document> docs = List.of(
                new Document(DocId.of(1), Map.of("n", 5L)),
                new Document(DocId.of(2), Map.of()),
                new Document(DocId.of(3), Map.of("n", 9L)));
        ColumnSet columns = columns(docs, schema);
        Map<List<Object>, RoaringBitmap> cases = new java.util.LinkedHashMap<>();
        cases.put(java.util.Arrays.asList("n", "Eq", null), RoaringBitmap.bitmapOf(1));
        cases.put(java.util.Arrays.asList("n", "NotEq", null), RoaringBitmap.bitmapOf(0, 2));
        cases.put(java.util.Arrays.asList("n", "NotEq", 5), RoaringBitmap.bitmapOf(1, 2));
        cases.put(java.util.Arrays.asList("n", "Lt", 9), RoaringBitmap.bitmapOf(0, 1));
        cases.put(java.util.Arrays.asList("n", "Lt", null), RoaringBitmap.bitmapOf());
        cases.put(java.util.Arrays.asList("n", "Lte", null), RoaringBitmap.bitmapOf(1));
        cases.put(java.util.Arrays.asList("n", "Gt", 4), RoaringBitmap.bitmapOf(0, 2));
        cases.put(java.util.Arrays.asList("n", "Gt", null), RoaringBitmap.bitmapOf(0, 2));
        cases.put(java.util.Arrays.asList("n", "Gte", null), RoaringBitmap.bitmapOf(0, 1, 2));
        cases.put(java.util.Arrays.asList("n", "NotIn", List.of(5, 9)), RoaringBitmap.bitmapOf(1));
        DocumentMatcher matcher = new DocumentMatcher(schema);
        cases.forEach((json, expected) -> {
            Filter f = FilterBinder.bind(FilterParser.parse(json), schema);
            assertEquals(expected, FilterBitmaps.evaluate(f, columns), "bitmap " + json);
            RoaringBitmap byDoc = new RoaringBitmap();
            for (int i = 0; i < docs.size(); i++) {
                if (matcher.matches(f, docs.get(i))) {
                    byDoc.add(i);
                }
            }
            assertEquals(expected, byDoc, "per document " + json);
        });
    }

    private static void collectOps(Filter f, Set<Filter.Op> seen) {
        if (f instanceof Filter.Condition c) {
            seen.add(c.op());
        } else if (f instanceof Filter.Not n) {
            collectOps(n.filter(), seen);
        } else {
            (f instanceof Filter.And a ? a.filters() : ((Filter.Or) f).filters()).forEach(x -> collectOps(x, seen));
        }
    }
}
