package dev.strata.tiering.read;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Reads byte ranges of immutable objects through a chain of page tiers (memory → SSD → object
 * store). A read is turned into the sorted set of pages it touches, asked of the hottest tier in
 * one call (each tier passes only its gaps down, and the object store coalesces what is left),
 * then the ranges are cut back out of the pages. Every page's tier is recorded in the caller's
 * {@link ReadStats}, from which the API reports a query as hot, warm or cold.
 *
 * <p>Ranges read to be decoded ({@link RangeSource#readDecoded}) are answered from the
 * {@link DecodedCache} where it holds them; such a range counts as one page the memory tier
 * served.
 */
public final class TieredReader {

    private final PageSource tiers;
    private final PageGeometry geometry;
    private final TierTraffic traffic;
    private final DecodedCache decoded;

    public TieredReader(PageSource tiers, PageGeometry geometry) {
        this(tiers, geometry, new TierTraffic());
    }

    /** A reader that also adds every page it serves to the node-wide {@code traffic}. */
    public TieredReader(PageSource tiers, PageGeometry geometry, TierTraffic traffic) {
        this(tiers, geometry, traffic, DecodedCache.NONE);
    }

    /** A reader that also keeps decoded ranges in {@code decoded}. */
    public TieredReader(PageSource tiers, PageGeometry geometry, TierTraffic traffic, DecodedCache decoded) {
        this.tiers = tiers;
        this.geometry = geometry;
        this.traffic = traffic;
        this.decoded = decoded;
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

            @Override
            public <T> CompletableFuture<List<T>> readDecoded(List<ByteRange> ranges, Decoder<T> decoder,
                                                             Executor executor) {
                if (!decoded.enabled()) {
                    return RangeSource.super.readDecoded(ranges, decoder, executor);
                }
                return TieredReader.this.readDecoded(object, ranges, decoder, executor, stats);
            }
        };
    }

    /**
     * Decoded values of {@code ranges} of {@code object}, in request order: those the decoded
     * cache holds at once, the others read through the tiers in one call, decoded on
     * {@code executor} and kept.
     */
    private <T> CompletableFuture<List<T>> readDecoded(ObjectId object, List<ByteRange> ranges,
                                                      RangeSource.Decoder<T> decoder, Executor executor,
                                                      ReadStats stats) {
        Object[] values = new Object[ranges.size()];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            ByteRange r = ranges.get(i);
            values[i] = decoded.get(new DecodedCache.Key(object, r.start(), r.end(), decoder.type()), decoder.type());
            if (values[i] == null) {
                missing.add(i);
            } else {
                stats.record(Tier.MEMORY, r.intLength());
                traffic.record(Tier.MEMORY, r.intLength());
            }
        }
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(typed(values, decoder));
        }
        List<ByteRange> reads = missing.stream().map(ranges::get).toList();
        return read(object, reads, stats).thenApplyAsync(buffers -> {
            for (int j = 0; j < reads.size(); j++) {
                int i = missing.get(j);
                T value = decoder.decode(i, buffers.get(j));
                decoded.put(new DecodedCache.Key(object, reads.get(j).start(), reads.get(j).end(), decoder.type()),
                        value, decoder.weight(value));
                values[i] = value;
            }
            return typed(values, decoder);
        }, executor);
    }

    private static <T> List<T> typed(Object[] values, RangeSource.Decoder<T> decoder) {
        List<T> out = new ArrayList<>(values.length);
        for (Object v : values) {
            out.add(decoder.type().cast(v));
        }
        return out;
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
