package dev.strata.index.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.attr.AttributeColumn;
import dev.strata.index.attr.ColumnSet;
import dev.strata.index.attr.FilterBitmaps;
import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.RandomData;
import dev.strata.index.doc.Schema;
import dev.strata.index.filter.DocumentMatcher;
import dev.strata.index.filter.Filter;
import dev.strata.index.filter.FilterBinder;
import dev.strata.index.filter.FilterParser;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class SegmentRoundTripTest {

    private static final Schema SCHEMA = RandomData.schema();
    private static final String NAME = "ns/segments/0001";

    /** Counts read calls and the ranges asked for. */
    static final class CountingSource implements RangeSource {
        final RangeSource delegate;
        final List<List<ByteRange>> calls = new ArrayList<>();

        CountingSource(byte[] bytes) {
            delegate = RangeSource.of(bytes);
        }

        @Override
        public long length() {
            return delegate.length();
        }

        @Override
        public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
            calls.add(ranges);
            return delegate.read(ranges);
        }
    }

    private static byte[] opaque(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] write(List<Document> docs, byte[] vectors) {
        SegmentWriter w = new SegmentWriter(SCHEMA);
        docs.forEach(w::add);
        if (vectors != null) {
            w.opaqueSection(SegmentFormat.VECTORS, vectors);
        }
        return w.toByteArray();
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Test
    void documentsIdsAndOpaqueSectionsRoundTripInTheGivenOrder() {
        for (int seed = 0; seed < 6; seed++) {
            RandomData data = new RandomData(seed);
            List<Document> docs = data.documents(seed * 60, seed % 2 == 0);
            byte[] vectors = opaque(1000 + seed, seed);
            byte[] file = write(docs, vectors);
            SegmentReader reader = SegmentReader.open(RangeSource.of(file), NAME).join();
            assertEquals(docs.size(), reader.rowCount());
            ColumnSet columns = reader.columns(SCHEMA.attributes().keySet(), SCHEMA).join();
            for (int i = 0; i < docs.size(); i++) {
                for (String name : SCHEMA.attributes().keySet()) {
                    assertEquals(docs.get(i).attribute(name), columns.column(name).value(i), "row " + i + " " + name);
                }
            }
            IdColumn ids = reader.ids().join();
            for (int i = 0; i < docs.size(); i++) {
                assertEquals(docs.get(i).id(), ids.id(i));
                assertEquals(i, ids.ordinalOf(docs.get(i).id()));
            }
            assertEquals(-1, ids.ordinalOf(DocId.of("never-written")));
            ByteRange range = reader.vectorsRange().orElseThrow();
            assertEquals(vectors.length, range.length());
            assertEquals(0, range.start() % SegmentFormat.ALIGNMENT);
            assertArrayEquals(vectors, java.util.Arrays.copyOfRange(file, (int) range.start(), (int) range.end()));
            ByteBuffer whole = reader.readSection(SegmentFormat.VECTORS).join();
            byte[] copy = new byte[whole.remaining()];
            whole.get(copy);
            assertArrayEquals(vectors, copy);
        }
    }

    @Test
    void filtersOverTheSegmentMatchTheOracle() {
        RandomData data = new RandomData(42);
        List<Document> docs = data.documents(400, false);
        SegmentReader reader = SegmentReader.open(RangeSource.of(write(docs, null)), NAME).join();
        assertTrue(!reader.attributeNames().contains("rare"), "an attribute without values has no column");
        DocumentMatcher matcher = new DocumentMatcher(SCHEMA);
        for (int f = 0; f < 300; f++) {
            Object json = data.filterJson(docs, 2);
            Filter bound = FilterBinder.bind(FilterParser.parse(json), SCHEMA);
            RoaringBitmap actual = reader.columns(bound.attributes(), SCHEMA)
                    .thenApply(cols -> FilterBitmaps.evaluate(bound, cols)).join();
            RoaringBitmap expected = new RoaringBitmap();
            for (int i = 0; i < docs.size(); i++) {
                if (matcher.matches(bound, docs.get(i))) {
                    expected.add(i);
                }
            }
            assertEquals(expected, actual, () -> "filter " + json);
        }
    }

    @Test
    void openReadsTheTailOnceWhenTheDirectoryFitsAndTwiceOtherwise() {
        byte[] file = write(new RandomData(3).documents(100, true), opaque(5000, 3));
        CountingSource fits = new CountingSource(file);
        SegmentReader.open(fits, NAME).join();
        assertEquals(1, fits.calls.size());
        assertEquals(List.of(new ByteRange(0, 8), new ByteRange(8, file.length)), fits.calls.get(0));

        CountingSource small = new CountingSource(file);
        SegmentReader reader = SegmentReader.open(small, NAME, 64).join();
        assertEquals(2, small.calls.size());
        assertEquals(new ByteRange(file.length - 64, file.length), small.calls.get(0).get(1));
        assertEquals(file.length, small.calls.get(1).get(0).end());
        assertEquals(100, reader.rowCount());
        int before = small.calls.size();
        reader.column("int", SCHEMA).join();
        reader.column("int", SCHEMA).join();
        assertEquals(before + 2, small.calls.size(), "values and postings read once, then served decoded");
    }

    @Test
    void everyTruncationFailsToOpen() {
        byte[] file = write(new RandomData(8).documents(20, true), opaque(100, 8));
        for (int length = 0; length < file.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(file, length);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> SegmentReader.open(RangeSource.of(cut), NAME, 256).join(), "length " + length);
            CorruptDataException corrupt = (CorruptDataException) cause(e);
            assertEquals(NAME, corrupt.resource());
        }
    }

    /**
     * Flips every byte of a small segment: opening and reading every section either fails with
     * {@link CorruptDataException} naming the segment or (for padding bytes, which no checksum
     * covers) yields exactly the original contents.
     */
    @Test
    void flippedBytesNeverGiveWrongResults() {
        List<Document> docs = new RandomData(11).documents(12, false);
        byte[] vectors = opaque(13, 11);
        byte[] file = write(docs, vectors);
        int undetected = 0;
        for (int i = 0; i < file.length; i++) {
            byte[] bad = file.clone();
            bad[i] ^= 0x20;
            try {
                SegmentReader reader = SegmentReader.open(RangeSource.of(bad), NAME, 128).join();
                ColumnSet columns = reader.columns(SCHEMA.attributes().keySet(), SCHEMA).join();
                IdColumn ids = reader.ids().join();
                ByteBuffer v = reader.readSection(SegmentFormat.VECTORS).join();
                byte[] copy = new byte[v.remaining()];
                v.get(copy);
                assertArrayEquals(vectors, copy, "byte " + i);
                for (int r = 0; r < docs.size(); r++) {
                    assertEquals(docs.get(r).id(), ids.id(r), "byte " + i);
                    for (String name : SCHEMA.attributes().keySet()) {
                        assertEquals(docs.get(r).attribute(name), columns.column(name).value(r), "byte " + i);
                    }
                }
                undetected++;
            } catch (CompletionException e) {
                Throwable c = cause(e);
                int at = i;
                assertTrue(c instanceof CorruptDataException, () -> "byte " + at + ": " + c);
                assertEquals(NAME, ((CorruptDataException) c).resource());
            }
        }
        assertTrue(undetected < SegmentFormat.ALIGNMENT * 20, "only padding bytes go unnoticed: " + undetected);
    }

    @Test
    void aCorruptSectionFailsOnlyWhenRead() {
        List<Document> docs = new RandomData(12).documents(50, false);
        byte[] file = write(docs, null);
        SegmentReader clean = SegmentReader.open(RangeSource.of(file), NAME).join();
        SectionInfo section = clean.section(SegmentFormat.ATTRIBUTE_PREFIX + "string").orElseThrow();
        byte[] bad = file.clone();
        bad[(int) section.offset() + 3] ^= 1;
        SegmentReader reader = SegmentReader.open(RangeSource.of(bad), NAME).join();
        assertEquals(docs.get(0).attribute("int"), reader.column("int", SCHEMA).join().value(0));
        CompletionException e = assertThrows(CompletionException.class, () -> reader.column("string", SCHEMA).join());
        assertTrue(cause(e).getMessage().contains("attr/string"), cause(e).getMessage());
    }

    @Test
    void writerRefusesDuplicateIdsAndUnknownAttributesAndReservedNames() {
        Document d = new Document(DocId.of(7), Map.of("int", 1L));
        SegmentWriter twice = new SegmentWriter(SCHEMA).add(d).add(d);
        assertThrows(IllegalArgumentException.class, twice::toByteArray);
        assertThrows(IllegalArgumentException.class,
                () -> new SegmentWriter(SCHEMA).add(new Document(DocId.of(1), Map.of("unknown", 1L))));
        assertThrows(IllegalArgumentException.class, () -> new SegmentWriter(SCHEMA).opaqueSection("ids", new byte[1]));
        assertThrows(IllegalArgumentException.class,
                () -> new SegmentWriter(SCHEMA).opaqueSection("attr/x", new byte[1]));
    }

    @Test
    void anAbsentAttributeReadsAsAllMissing() {
        Schema schema = Schema.empty().withAttribute("a", AttributeType.STRING, true)
                .withAttribute("b", AttributeType.INT_ARRAY, true);
        byte[] file = new SegmentWriter(schema).add(new Document(DocId.of(1), Map.of("a", "x")))
                .add(new Document(DocId.of(2), Map.of())).toByteArray();
        SegmentReader reader = SegmentReader.open(RangeSource.of(file), NAME).join();
        AttributeColumn b = reader.column("b", schema).join();
        assertEquals(null, b.value(0));
        Filter f = FilterBinder.bind(FilterParser.parse(java.util.Arrays.asList("b", "Eq", null)), schema);
        assertEquals(RoaringBitmap.bitmapOf(0, 1),
                FilterBitmaps.evaluate(f, reader.columns(f.attributes(), schema).join()));
    }
}
