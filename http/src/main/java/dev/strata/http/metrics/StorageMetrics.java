package dev.strata.http.metrics;

import dev.strata.cache.MemoryCacheStats;
import dev.strata.cache.SsdCacheStats;
import dev.strata.cache.SsdPageCache;
import dev.strata.cache.Tier;
import dev.strata.tiering.read.CoalescingStats;
import dev.strata.tiering.read.TierTraffic;
import dev.strata.tiering.read.TieredStorage;
import dev.strata.tiering.store.MeteredObjectStore;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The storage stack's metrics: object-store requests (fed by {@link MeteredObjectStore} as they
 * complete) and, read at scrape time, the cache tiers' counters, the bytes each tier served, and
 * range coalescing. Tier labels are {@code memory}, {@code ssd} and {@code object_store}.
 */
final class StorageMetrics implements MeteredObjectStore.Listener {

    private static final double NANOS_PER_SECOND = 1e9;

    private final PrometheusRegistry registry;
    // Resolved once: the listener runs on every object-store request.
    private final Map<MeteredObjectStore.Operation, Map<MeteredObjectStore.Outcome, CounterDataPoint>> requests =
            new EnumMap<>(MeteredObjectStore.Operation.class);
    private final Map<MeteredObjectStore.Operation, DistributionDataPoint> latency =
            new EnumMap<>(MeteredObjectStore.Operation.class);
    private final CounterDataPoint bytesRead;
    private final CounterDataPoint bytesWritten;

    StorageMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        Counter requestCounter = Counter.builder().name("strata_object_store_requests")
                .help("Object-store requests, by operation and outcome (success, not_found, conflict, error)")
                .labelNames("operation", "outcome").register(registry);
        Histogram duration = Histogram.builder().name("strata_object_store_request_duration_seconds")
                .help("Object-store request latency, by operation")
                .labelNames("operation").classicOnly().classicUpperBounds(StrataMetrics.LATENCY_BUCKETS)
                .register(registry);
        Counter bytes = Counter.builder().name("strata_object_store_bytes")
                .help("Bytes moved to and from the object store, by direction (read, written)")
                .labelNames("direction").register(registry);
        for (MeteredObjectStore.Operation op : MeteredObjectStore.Operation.values()) {
            Map<MeteredObjectStore.Outcome, CounterDataPoint> byOutcome = new EnumMap<>(MeteredObjectStore.Outcome.class);
            for (MeteredObjectStore.Outcome outcome : MeteredObjectStore.Outcome.values()) {
                byOutcome.put(outcome, requestCounter.labelValues(op.label(), outcome.label()));
            }
            requests.put(op, byOutcome);
            latency.put(op, duration.labelValues(op.label()));
        }
        bytesRead = bytes.labelValues("read");
        bytesWritten = bytes.labelValues("written");
    }

    @Override
    public void completed(MeteredObjectStore.Operation operation, MeteredObjectStore.Outcome outcome, long nanos,
                          long bytes) {
        // The maps are filled in the constructor and never change: concurrent gets are safe.
        requests.get(operation).get(outcome).inc();
        latency.get(operation).observe(nanos / NANOS_PER_SECOND);
        boolean write = operation == MeteredObjectStore.Operation.PUT
                || operation == MeteredObjectStore.Operation.CREATE_IF_ABSENT;
        (write ? bytesWritten : bytesRead).inc(bytes);
    }

    /** Registers the scrape-time readers of {@code storage}'s counters. */
    void bind(TieredStorage storage) {
        SsdPageCache ssd = storage.ssd();
        Supplier<MemoryCacheStats> memory = () -> storage.memory().stats();
        // The decoded cache (verified code blocks kept beside the memory tier) counts values, not pages.
        Supplier<MemoryCacheStats> decoded = () -> storage.decoded().stats();
        Supplier<SsdCacheStats> ssdStats = ssd == null ? () -> null : ssd::stats;

        CounterWithCallback.builder().name("strata_cache_hits")
                .help("Pages (decoded: values) found in a cache tier").labelNames("tier")
                .callback(cb -> {
                    cb.call(memory.get().hits(), "memory");
                    cb.call(decoded.get().hits(), "decoded");
                    SsdCacheStats s = ssdStats.get();
                    cb.call(s == null ? 0 : s.hits(), "ssd");
                }).register(registry);
        CounterWithCallback.builder().name("strata_cache_misses")
                .help("Pages (decoded: values) a cache tier had to ask the colder tier for").labelNames("tier")
                .callback(cb -> {
                    cb.call(memory.get().misses(), "memory");
                    cb.call(decoded.get().misses(), "decoded");
                    SsdCacheStats s = ssdStats.get();
                    cb.call(s == null ? 0 : s.misses(), "ssd");
                }).register(registry);
        CounterWithCallback.builder().name("strata_cache_evictions")
                .help("Pages (memory), values (decoded) or regions (ssd) evicted to make room").labelNames("tier")
                .callback(cb -> {
                    cb.call(memory.get().evictions(), "memory");
                    cb.call(decoded.get().evictions(), "decoded");
                    SsdCacheStats s = ssdStats.get();
                    cb.call(s == null ? 0 : s.evictions(), "ssd");
                }).register(registry);
        GaugeWithCallback.builder().name("strata_cache_held_bytes")
                .help("Bytes the memory tier holds now: page bytes, or the decoded values' heap estimate")
                .labelNames("tier")
                .callback(cb -> {
                    cb.call(memory.get().bytesHeld(), "memory");
                    cb.call(decoded.get().bytesHeld(), "decoded");
                }).register(registry);
        CounterWithCallback.builder().name("strata_cache_ssd_written_bytes")
                .help("Bytes written into the SSD tier's cache file").callback(cb -> {
                    SsdCacheStats s = ssdStats.get();
                    cb.call(s == null ? 0 : s.bytesWritten());
                }).register(registry);
        CounterWithCallback.builder().name("strata_cache_ssd_faults")
                .help("SSD tier pages refetched or not cached, by kind (corrupt, raced, io_error, skipped_write)")
                .labelNames("kind").callback(cb -> {
                    SsdCacheStats s = ssdStats.get();
                    cb.call(s == null ? 0 : s.corruptPages(), "corrupt");
                    cb.call(s == null ? 0 : s.racedPages(), "raced");
                    cb.call(s == null ? 0 : s.ioErrors(), "io_error");
                    cb.call(s == null ? 0 : s.skippedWrites(), "skipped_write");
                }).register(registry);

        TierTraffic traffic = storage.traffic();
        CounterWithCallback.builder().name("strata_tier_served_bytes")
                .help("Bytes served to readers by each tier (memory, ssd, object_store)").labelNames("tier")
                .callback(cb -> {
                    for (Tier tier : Tier.values()) {
                        cb.call(traffic.bytes(tier), tierLabel(tier));
                    }
                }).register(registry);
        CounterWithCallback.builder().name("strata_tier_served_pages")
                .help("Pages served to readers by each tier (memory, ssd, object_store)").labelNames("tier")
                .callback(cb -> {
                    for (Tier tier : Tier.values()) {
                        cb.call(traffic.pages(tier), tierLabel(tier));
                    }
                }).register(registry);

        CoalescingStats coalescing = storage.coalescing();
        CounterWithCallback.builder().name("strata_coalescing_ranges_requested")
                .help("Page ranges asked of the object store before coalescing")
                .callback(cb -> cb.call(coalescing.rangesRequested())).register(registry);
        CounterWithCallback.builder().name("strata_coalescing_requests_issued")
                .help("Range requests issued to the object store after coalescing")
                .callback(cb -> cb.call(coalescing.requestsIssued())).register(registry);
        CounterWithCallback.builder().name("strata_coalescing_requested_bytes")
                .help("Bytes the requested page ranges cover")
                .callback(cb -> cb.call(coalescing.bytesRequested())).register(registry);
        CounterWithCallback.builder().name("strata_coalescing_fetched_bytes")
                .help("Bytes the coalesced requests cover (requested plus bridged gaps)")
                .callback(cb -> cb.call(coalescing.bytesFetched())).register(registry);
    }

    static String tierLabel(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }
}
