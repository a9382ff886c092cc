package dev.strata.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An in-memory stand-in for the object store under test: serves pages of byte arrays as
 * {@link Tier#OBJECT_STORE}, records every call, and fails a malformed request.
 */
final class FakeColdSource implements PageSource {

    private final PageGeometry geometry;
    private final Map<ObjectId, byte[]> objects = new HashMap<>();
    private final List<long[]> calls = new ArrayList<>();
    private final Executor completer;
    private long pagesServed;

    /** Completes each read on the calling thread. */
    FakeColdSource(PageGeometry geometry) {
        this(geometry, Runnable::run);
    }

    /** Completes each read by a task on {@code completer}. */
    FakeColdSource(PageGeometry geometry, Executor completer) {
        this.geometry = geometry;
        this.completer = completer;
    }

    ObjectId add(String key, byte[] bytes) {
        ObjectId id = new ObjectId(key, bytes.length);
        objects.put(id, bytes);
        return id;
    }

    /** The expected bytes of a page, sliced from the model. */
    byte[] page(ObjectId object, long index) {
        long start = geometry.pageStart(index);
        return Arrays.copyOfRange(objects.get(object), (int) start,
                (int) (start + geometry.pageLength(object, index)));
    }

    synchronized int callCount() {
        return calls.size();
    }

    synchronized long[] call(int n) {
        return calls.get(n).clone();
    }

    synchronized long pagesServed() {
        return pagesServed;
    }

    @Override
    public CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes) {
        synchronized (this) {
            calls.add(pageIndexes.clone());
            pagesServed += pageIndexes.length;
        }
        if (!objects.containsKey(object)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no object " + object));
        }
        for (int i = 0; i < pageIndexes.length; i++) {
            if (pageIndexes[i] < 0 || pageIndexes[i] >= geometry.pageCount(object.length())
                    || (i > 0 && pageIndexes[i] <= pageIndexes[i - 1])) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "malformed request " + Arrays.toString(pageIndexes) + " of " + object));
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            List<Page> pages = new ArrayList<>(pageIndexes.length);
            for (long index : pageIndexes) {
                pages.add(new Page(page(object, index), Tier.OBJECT_STORE));
            }
            return pages;
        }, completer);
    }
}
