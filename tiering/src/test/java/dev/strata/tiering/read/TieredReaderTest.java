package dev.strata.tiering.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.cache.DecodedCache;
import dev.strata.cache.ObjectId;
import dev.strata.cache.Page;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.PageSource;
import dev.strata.cache.Tier;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The reader's range ↔ page arithmetic, over pages held in an array (logic only). */
class TieredReaderTest {

    private static final PageGeometry GEOMETRY = new PageGeometry(4096);

    /** Serves pages out of one array, as the given tier; counts the pages asked for. */
    private static final class ArrayPages implements PageSource {
        final byte[] data;
        final Tier tier;
        final List<long[]> calls = new ArrayList<>();

        ArrayPages(byte[] data, Tier tier) {
            this.data = data;
            this.tier = tier;
        }

        @Override
        public CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes) {
            calls.add(pageIndexes.clone());
            List<Page> pages = new ArrayList<>();
            for (long p : pageIndexes) {
                int from = (int) GEOMETRY.pageStart(p);
                pages.add(new Page(Arrays.copyOfRange(data, from, from + GEOMETRY.pageLength(object, p)), tier));
            }
            return CompletableFuture.completedFuture(pages);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void randomReadsReturnExactlyTheObjectsBytes() {
        Random random = new Random(7);
        byte[] data = new byte[5 * 4096 + 123];
        random.nextBytes(data);
        ObjectId object = new ObjectId("segments/a", data.length);
        ArrayPages pages = new ArrayPages(data, Tier.SSD);
        TieredReader reader = new TieredReader(pages, GEOMETRY);
        for (int trial = 0; trial < 300; trial++) {
            List<ByteRange> ranges = new ArrayList<>();
            for (int i = 1 + random.nextInt(5); i > 0; i--) {
                long start = random.nextInt(data.length + 1);
                long end = start + random.nextInt((int) (data.length - start) + 1);
                ranges.add(new ByteRange(start, end));
            }
            ReadStats stats = new ReadStats();
            List<ByteBuffer> got = reader.open(object, stats).read(ranges).join();
            assertEquals(ranges.size(), got.size());
            for (int i = 0; i < ranges.size(); i++) {
                ByteRange r = ranges.get(i);
                assertArrayEquals(Arrays.copyOfRange(data, (int) r.start(), (int) r.end()), bytes(got.get(i)), r.toString());
            }
            long[] asked = pages.calls.isEmpty() ? new long[0] : pages.calls.get(pages.calls.size() - 1);
            for (int i = 1; i < asked.length; i++) {
                assertEquals(true, asked[i - 1] < asked[i], "pages asked sorted and distinct");
            }
        }
    }

    @Test
    void edgesOfTheObjectAndStats() {
        byte[] data = new byte[2 * 4096 + 10];
        new Random(1).nextBytes(data);
        ObjectId object = new ObjectId("k", data.length);
        ArrayPages pages = new ArrayPages(data, Tier.OBJECT_STORE);
        ReadStats stats = new ReadStats();
        RangeSource source = new TieredReader(pages, GEOMETRY).open(object, stats);
        List<ByteBuffer> got = source.read(List.of(
                new ByteRange(0, 1), new ByteRange(data.length - 1, data.length),
                new ByteRange(4095, 4097), new ByteRange(7, 7))).join();
        assertEquals(data[0], got.get(0).get(0));
        assertEquals(data[data.length - 1], got.get(1).get(0));
        assertArrayEquals(new byte[] {data[4095], data[4096]}, bytes(got.get(2)));
        assertEquals(0, got.get(3).remaining());
        assertEquals(1, pages.calls.size(), "one call down for all ranges of a read");
        assertArrayEquals(new long[] {0, 1, 2}, pages.calls.get(0));
        assertEquals(3, stats.pages(Tier.OBJECT_STORE));
        assertEquals(data.length, stats.bytes(Tier.OBJECT_STORE));
        assertEquals(Tier.OBJECT_STORE, stats.coldest());
    }

    @Test
    void aRangeBeyondTheObjectFails() {
        ObjectId object = new ObjectId("k", 100);
        TieredReader reader = new TieredReader(new ArrayPages(new byte[100], Tier.MEMORY), GEOMETRY);
        CompletionException e = assertThrows(CompletionException.class,
                () -> reader.read(object, List.of(new ByteRange(50, 101)), new ReadStats()).join());
        assertEquals(IndexOutOfBoundsException.class, e.getCause().getClass());
    }

    /** Decodes a range into its sum of bytes; counts its calls and fails on request. */
    private static final class SumDecoder implements RangeSource.Decoder<Long> {
        int calls;
        boolean fail;

        @Override
        public Class<Long> type() {
            return Long.class;
        }

        @Override
        public Long decode(int index, ByteBuffer bytes) {
            calls++;
            if (fail) {
                throw new IllegalStateException("bad bytes");
            }
            long sum = 0;
            while (bytes.hasRemaining()) {
                sum += bytes.get();
            }
            return sum;
        }

        @Override
        public long weight(Long value) {
            return 100;
        }
    }

    private static long sum(byte[] data, ByteRange r) {
        long sum = 0;
        for (long i = r.start(); i < r.end(); i++) {
            sum += data[(int) i];
        }
        return sum;
    }

    @Test
    void decodedRangesAreKeptAndServedWithoutReadingPages() {
        byte[] data = new byte[3 * 4096];
        new Random(3).nextBytes(data);
        ObjectId object = new ObjectId("segments/b", data.length);
        ArrayPages pages = new ArrayPages(data, Tier.SSD);
        DecodedCache decoded = new DecodedCache(1 << 20, Runnable::run);
        TieredReader reader = new TieredReader(pages, GEOMETRY, new TierTraffic(), decoded);
        List<ByteRange> first = List.of(new ByteRange(10, 5000), new ByteRange(9000, 9100));
        SumDecoder decoder = new SumDecoder();

        ReadStats cold = new ReadStats();
        List<Long> got = reader.open(object, cold).readDecoded(first, decoder, Runnable::run).join();
        assertEquals(List.of(sum(data, first.get(0)), sum(data, first.get(1))), got);
        assertEquals(2, decoder.calls);
        assertEquals(Tier.SSD, cold.coldest());

        // One range kept, one new: only the new one is read (its page) and decoded.
        List<ByteRange> second = List.of(new ByteRange(9000, 9100), new ByteRange(100, 200));
        ReadStats mixed = new ReadStats();
        got = reader.open(object, mixed).readDecoded(second, decoder, Runnable::run).join();
        assertEquals(List.of(sum(data, second.get(0)), sum(data, second.get(1))), got);
        assertEquals(3, decoder.calls);
        assertArrayEquals(new long[] {0}, pages.calls.get(pages.calls.size() - 1));
        assertEquals(1, mixed.pages(Tier.MEMORY), "a kept range counts as one page served by memory");
        assertEquals(100, mixed.bytes(Tier.MEMORY));

        // All kept: nothing read, nothing decoded, hot.
        int callsBefore = pages.calls.size();
        ReadStats hot = new ReadStats();
        got = reader.open(object, hot).readDecoded(first, decoder, Runnable::run).join();
        assertEquals(List.of(sum(data, first.get(0)), sum(data, first.get(1))), got);
        assertEquals(3, decoder.calls);
        assertEquals(callsBefore, pages.calls.size());
        assertEquals(Tier.MEMORY, hot.coldest());
        assertEquals(first.get(0).length() + first.get(1).length(), hot.bytes(Tier.MEMORY));

        // Another object's same range is not the kept one.
        ObjectId other = new ObjectId("segments/c", data.length);
        reader.open(other, new ReadStats()).readDecoded(List.of(first.get(1)), decoder, Runnable::run).join();
        assertEquals(4, decoder.calls);
    }

    @Test
    void aValueThatFailsToDecodeIsNotKept() {
        byte[] data = new byte[4096];
        ObjectId object = new ObjectId("segments/d", data.length);
        TieredReader reader = new TieredReader(new ArrayPages(data, Tier.MEMORY), GEOMETRY, new TierTraffic(),
                new DecodedCache(1 << 20, Runnable::run));
        SumDecoder decoder = new SumDecoder();
        decoder.fail = true;
        List<ByteRange> ranges = List.of(new ByteRange(0, 64));
        CompletionException e = assertThrows(CompletionException.class,
                () -> reader.open(object, new ReadStats()).readDecoded(ranges, decoder, Runnable::run).join());
        assertEquals(IllegalStateException.class, e.getCause().getClass());
        decoder.fail = false;
        assertEquals(List.of(0L), reader.open(object, new ReadStats()).readDecoded(ranges, decoder, Runnable::run).join());
        assertEquals(2, decoder.calls, "the failed decode was not kept; the range is decoded again");
    }
}
