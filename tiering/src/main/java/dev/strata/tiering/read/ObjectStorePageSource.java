package dev.strata.tiering.read;

import dev.strata.cache.ObjectId;
import dev.strata.cache.Page;
import dev.strata.cache.PageGeometry;
import dev.strata.cache.PageSource;
import dev.strata.cache.Tier;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.ObjectStoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The coldest tier: pages fetched from the object store. The pages of one call are turned into
 * byte ranges, coalesced by {@link RangeCoalescer}, and fetched with concurrent range GETs; a
 * response shorter than asked fails the read rather than yielding short pages.
 */
public final class ObjectStorePageSource implements PageSource {

    private final ObjectStore store;
    private final PageGeometry geometry;
    private final RangeCoalescer coalescer;
    private final CoalescingStats coalescing;

    public ObjectStorePageSource(ObjectStore store, PageGeometry geometry, RangeCoalescer coalescer) {
        this(store, geometry, coalescer, new CoalescingStats());
    }

    /** A source that also counts what coalescing did in {@code coalescing}. */
    public ObjectStorePageSource(ObjectStore store, PageGeometry geometry, RangeCoalescer coalescer,
                                 CoalescingStats coalescing) {
        this.store = store;
        this.geometry = geometry;
        this.coalescer = coalescer;
        this.coalescing = coalescing;
    }

    /** What coalescing has done for this source's reads. */
    public CoalescingStats coalescing() {
        return coalescing;
    }

    @Override
    public CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes) {
        List<ByteRange> pageRanges = new ArrayList<>(pageIndexes.length);
        for (long page : pageIndexes) {
            pageRanges.add(ByteRange.ofLength(geometry.pageStart(page), geometry.pageLength(object, page)));
        }
        List<ByteRange> requests = coalescer.coalesce(pageRanges);
        coalescing.record(pageRanges.size(), totalLength(pageRanges), requests.size(), totalLength(requests));
        return store.getRanges(object.key(), requests).thenApply(bodies -> {
            Page[] pages = new Page[pageIndexes.length];
            int p = 0;
            for (int i = 0; i < requests.size(); i++) {
                ByteRange request = requests.get(i);
                byte[] body = bodies.get(i);
                if (body.length != request.length()) {
                    throw new ObjectStoreException(store.describe(), object.key(), request,
                            "short read: " + body.length + " of " + request.length() + " bytes", true, null);
                }
                // Pages were listed in order, so the ones inside this request come next.
                for (; p < pages.length && request.contains(pageRanges.get(p)); p++) {
                    ByteRange r = pageRanges.get(p);
                    int from = (int) (r.start() - request.start());
                    pages[p] = new Page(Arrays.copyOfRange(body, from, from + r.intLength()), Tier.OBJECT_STORE);
                }
            }
            return Arrays.asList(pages);
        });
    }

    private static long totalLength(List<ByteRange> ranges) {
        long total = 0;
        for (ByteRange r : ranges) {
            total += r.length();
        }
        return total;
    }
}
