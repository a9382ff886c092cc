package dev.strata.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.strata.config.CacheSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory tier: a node-wide, byte-budgeted cache of pages in front of a colder
 * {@link PageSource}.
 *
 * <p>Pages live in a Caffeine {@link AsyncCache} keyed by (object, page index) and weighed in
 * bytes: the page length plus {@link #ENTRY_OVERHEAD_BYTES}. A read asks the cache for all its
 * pages at once; the pages nobody holds or is loading go to the colder source in one call, and
 * the pending futures sit in the cache meanwhile, so concurrent readers of the same pages share
 * that one call. A load that fails is removed from the cache by Caffeine; only its waiting readers
 * see the error. No I/O happens inside a cache operation: the bulk loader returns a pending
 * future, and the colder read that completes it starts after the cache call has returned.
 *
 * <p>Each returned page names where it came from for this caller: {@link Tier#MEMORY} when it was
 * already loaded, otherwise the tier the colder source reported for the load that produced it,
 * whether this call started that load or joined another reader's.
 *
 * <p>A budget of 0 turns the tier into a pass-through: every read goes to the colder source.
 */
public final class MemoryPageCache implements PageSource {

    /**
     * An estimate of what one cached page costs beyond its bytes: the key and its object id, the
     * Caffeine node, the completed future, the {@link Page} record and the array header.
     */
    public static final int ENTRY_OVERHEAD_BYTES = 160;

    private static final int CLAIM_STRIPES = 64;

    private final PageSource delegate;
    private final AsyncCache<PageKey, Page> cache;
    private final Policy<PageKey, Page> policy;
    private final LongAdder bytesHeld = new LongAdder();
    /** Serialize, per object (striped), the claiming of missing pages; see readPages. */
    private final Object[] claimLocks = new Object[CLAIM_STRIPES];

    /**
     * @param delegate the colder source (the SSD tier, or the object store)
     * @param budgetBytes the most bytes, overhead included, the cache may hold; 0 for none
     * @param executor runs Caffeine's maintenance and removal notifications
     * @param ticker Caffeine's time source (tests pass a fake)
     */
    public MemoryPageCache(PageSource delegate, long budgetBytes, Executor executor, Ticker ticker) {
        if (delegate == null || executor == null || ticker == null) {
            throw new IllegalArgumentException("delegate, executor and ticker are required");
        }
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("memory cache budget must not be negative: " + budgetBytes);
        }
        this.delegate = delegate;
        Arrays.setAll(claimLocks, i -> new Object());
        if (budgetBytes == 0) {
            this.cache = null;
            this.policy = null;
            return;
        }
        this.cache = Caffeine.newBuilder()
                .maximumWeight(budgetBytes)
                .weigher((PageKey key, Page page) -> weight(page))
                .executor(executor)
                .ticker(ticker)
                .removalListener(this::onRemoval)
                .recordStats()
                .buildAsync();
        this.policy = cache.synchronous().policy();
    }

    /** A memory tier sized by {@code strata.cache.memory.size}, on the system clock. */
    public static MemoryPageCache create(CacheSettings settings, PageSource delegate, Executor executor) {
        return new MemoryPageCache(delegate, settings.memoryBytes(), executor, Ticker.systemTicker());
    }

    /** What a page counts against the budget. */
    static int weight(Page page) {
        return page.bytes().length + ENTRY_OVERHEAD_BYTES;
    }

    @Override
    public CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes) {
        if (cache == null) {
            return PageReads.read(delegate, object, pageIndexes);
        }
        if (pageIndexes.length == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<Page> resident = allLoaded(object, pageIndexes);
        if (resident != null) {
            return CompletableFuture.completedFuture(resident);
        }
        List<PageKey> keys = new ArrayList<>(pageIndexes.length);
        boolean[] loadedBefore = new boolean[pageIndexes.length];
        boolean allLoaded = true;
        for (int i = 0; i < pageIndexes.length; i++) {
            PageKey key = new PageKey(object, pageIndexes[i]);
            keys.add(key);
            // A quiet peek (no stats, no policy access) that sees only completed loads. A page
            // evicted between here and getAll and reloaded by another reader in that window is
            // reported as MEMORY; the window is a few instructions and only affects attribution.
            loadedBefore[i] = policy.getIfPresentQuietly(key) != null;
            allLoaded &= loadedBefore[i];
        }
        // The bulk loader only records which pages this call must load and hands Caffeine a
        // pending future; the colder read starts below, after getAll, outside any cache call.
        // Caffeine calls the loader synchronously inside getAll, on this thread.
        CompletableFuture<Map<PageKey, Page>> gate = new CompletableFuture<>();
        AtomicReference<Set<PageKey>> missingHolder = new AtomicReference<>(Set.of());
        BiFunction<Set<? extends PageKey>, Executor, CompletableFuture<Map<PageKey, Page>>> loader =
                (missing, ignoredExecutor) -> {
                    missingHolder.set(Set.copyOf(missing));
                    return gate;
                };
        CompletableFuture<Map<PageKey, Page>> all;
        if (allLoaded) {
            all = cache.getAll(keys, loader);
        } else {
            // getAll claims keys one at a time, so two readers of the same pages could each claim
            // some and split one colder read into two. Readers of one object take turns claiming;
            // the lock covers only Caffeine's in-memory map updates, never I/O.
            synchronized (claimLocks[Math.floorMod(object.key().hashCode(), claimLocks.length)]) {
                all = cache.getAll(keys, loader);
            }
        }
        Set<PageKey> loadedHere = missingHolder.get();
        if (!loadedHere.isEmpty()) {
            load(object, loadedHere).whenComplete((loaded, error) -> {
                if (error != null) {
                    gate.completeExceptionally(error);
                } else {
                    gate.complete(loaded);
                }
            });
        }
        return all.thenApply(loaded -> {
            Page[] out = new Page[keys.size()];
            for (int i = 0; i < out.length; i++) {
                PageKey key = keys.get(i);
                Page page = loaded.get(key);
                if (page == null) {
                    throw new IllegalStateException("page " + key.pageIndex() + " of " + object + " was not loaded");
                }
                // Pages this call or another in-flight call loaded keep the colder tier's report.
                boolean hot = loadedBefore[i] && !loadedHere.contains(key);
                out[i] = hot ? page.servedBy(Tier.MEMORY) : page;
            }
            return List.of(out);
        });
    }

    /**
     * The pages, all served by this tier, when every one is already loaded; null otherwise, with
     * nothing recorded, so the general path counts the read once. The hot read of a hot
     * namespace, made cheap: a quiet peek per page (no statistics), then for each page one
     * ordinary lookup that records the hit and the access the eviction policy needs, exactly as
     * the general path's {@code getAll} would, without its maps and futures. A page evicted
     * between the two passes sends the read down the general path after some of its hits were
     * counted; that window is a few instructions and only skews the statistics.
     */
    private List<Page> allLoaded(ObjectId object, long[] pageIndexes) {
        PageKey[] keys = new PageKey[pageIndexes.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new PageKey(object, pageIndexes[i]);
            if (policy.getIfPresentQuietly(keys[i]) == null) {
                return null;
            }
        }
        Page[] out = new Page[keys.length];
        for (int i = 0; i < keys.length; i++) {
            CompletableFuture<Page> loaded = cache.getIfPresent(keys[i]);
            // getIfPresentQuietly sees only completed loads, and a page stays loaded until evicted.
            Page page = loaded == null ? null : loaded.getNow(null);
            if (page == null) {
                return null;
            }
            out[i] = page.servedBy(Tier.MEMORY);
        }
        return Arrays.asList(out);
    }

    /** Starts one colder read for the pages no one holds or is loading. */
    private CompletableFuture<Map<PageKey, Page>> load(ObjectId object, Set<? extends PageKey> missing) {
        long[] indexes = new long[missing.size()];
        int n = 0;
        for (PageKey key : missing) {
            indexes[n++] = key.pageIndex();
        }
        Arrays.sort(indexes);
        return PageReads.read(delegate, object, indexes).thenApply(pages -> {
            PageReads.requireCount(pages, object, indexes);
            Map<PageKey, Page> byKey = new HashMap<>(indexes.length * 2);
            for (int i = 0; i < indexes.length; i++) {
                Page page = pages.get(i);
                byKey.put(new PageKey(object, indexes[i]), page);
                // Counted before Caffeine stores the value, so the matching removal always follows.
                bytesHeld.add(page.bytes().length);
            }
            return byKey;
        });
    }

    private void onRemoval(PageKey key, Page page, RemovalCause cause) {
        // Caffeine notifies only for successfully loaded values, exactly those counted in load().
        if (page != null) {
            bytesHeld.add(-page.bytes().length);
        }
    }

    /**
     * Runs Caffeine's pending maintenance (evictions, removal notifications) now. Useful with a
     * same-thread executor in tests, and before reading exact statistics.
     */
    public void cleanUp() {
        if (cache != null) {
            cache.synchronous().cleanUp();
        }
    }

    /** A snapshot of the counters; the tier keeps counting while it is taken. */
    public MemoryCacheStats stats() {
        if (cache == null) {
            return MemoryCacheStats.EMPTY;
        }
        CacheStats s = cache.synchronous().stats();
        return new MemoryCacheStats(s.hitCount(), s.missCount(), s.loadFailureCount(), s.evictionCount(),
                // sum() is not atomic: an add and its later removal may be seen out of order.
                Math.max(0, bytesHeld.sum()));
    }
}
