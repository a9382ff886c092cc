package dev.strata.tiering.read;

import dev.strata.cache.ObjectId;
import dev.strata.cache.Page;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.PageSource;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads byte ranges of immutable objects through a chain of page tiers (memory → SSD → object
 * store). A read is turned into the sorted set of pages it touches, asked of the hottest tier in
 * one call (each tier passes only its gaps down, and the object store coalesces what is left),
 * then the ranges are cut back out of the pages. Every page's tier is recorded in the caller's
 * {@link ReadStats}, from which the API reports a query as hot, warm or cold.
 */
public final class TieredReader {

    private final PageSource tiers;
    private final PageGeometry geometry;
    private final TierTraffic traffic;

    public TieredReader(PageSource tiers, PageGeometry geometry) {
        this(tiers, geometry, new TierTraffic());
    }

    /** A reader that also adds every page it serves to the node-wide {@code traffic}. */
    public TieredReader(PageSource tiers, PageGeometry geometry, TierTraffic traffic) {
        this.tiers = tiers;
        this.geometry = geometry;
        this.traffic = traffic;
    }

    /** The pages and bytes this reader has served, per tier. */
    public TierTraffic traffic() {
        return traffic;
    }

    /** A range source over one object whose reads are accounted in {@code stats}. */
    public RangeSource open(ObjectId object, ReadStats stats) {
        return new RangeSource() {
            @Override
            public long length() {
                return object.length();
            }

            @Override
            public CompletableFuture<List<ByteBuffer>> read(List<ByteRange> ranges) {
                return TieredReader.this.read(object, ranges, stats);
            }
        };
    }

    /** Reads {@code ranges} of {@code object}: one buffer per range, in request order. */
    public CompletableFuture<List<ByteBuffer>> read(ObjectId object, List<ByteRange> ranges, ReadStats stats) {
        long[] pages;
        try {
            pages = pagesOf(object, ranges);
        } catch (IndexOutOfBoundsException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (pages.length == 0) {
            return CompletableFuture.completedFuture(ranges.stream().map(r -> wrap(new byte[0], 0, 0)).toList());
        }
        return tiers.readPages(object, pages).thenApply(served -> {
            for (Page page : served) {
                stats.record(page.servedBy(), page.bytes().length);
                traffic.record(page.servedBy(), page.bytes().length);
            }
            List<ByteBuffer> out = new ArrayList<>(ranges.size());
            for (ByteRange r : ranges) {
                out.add(cut(r, pages, served));
            }
            return out;
        });
    }

    /** The distinct, sorted pages the ranges touch; fails if a range lies outside the object. */
    private long[] pagesOf(ObjectId object, List<ByteRange> ranges) {
        long[] pages = new long[16];
        int n = 0;
        for (ByteRange r : ranges) {
            if (r.end() > object.length()) {
                throw new IndexOutOfBoundsException("range " + r + " beyond the end of " + object);
            }
            if (r.isEmpty()) {
                continue;
            }
            for (long p = geometry.pageOf(r.start()); p <= geometry.pageOf(r.end() - 1); p++) {
                if (n == pages.length) {
                    pages = Arrays.copyOf(pages, n * 2);
                }
                pages[n++] = p;
            }
        }
        Arrays.sort(pages, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || pages[distinct - 1] != pages[i]) {
                pages[distinct++] = pages[i];
            }
        }
        return Arrays.copyOf(pages, distinct);
    }

    /** The bytes of {@code r}: a view of one page when it fits in one, else a copy. */
    private ByteBuffer cut(ByteRange r, long[] pages, List<Page> served) {
        if (r.isEmpty()) {
            return wrap(new byte[0], 0, 0);
        }
        long first = geometry.pageOf(r.start());
        long last = geometry.pageOf(r.end() - 1);
        int at = Arrays.binarySearch(pages, first);
        int offset = (int) (r.start() - geometry.pageStart(first));
        if (first == last) {
            return wrap(served.get(at).bytes(), offset, r.intLength());
        }
        byte[] copy = new byte[r.intLength()];
        int filled = 0;
        for (long p = first; p <= last; p++, at++, offset = 0) {
            byte[] page = served.get(at).bytes();
            int n = Math.min(page.length - offset, copy.length - filled);
            System.arraycopy(page, offset, copy, filled, n);
            filled += n;
        }
        return wrap(copy, 0, copy.length);
    }

    private static ByteBuffer wrap(byte[] bytes, int offset, int length) {
        return ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
