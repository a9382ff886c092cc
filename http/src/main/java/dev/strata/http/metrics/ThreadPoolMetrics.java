package dev.strata.http.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Scrape-time readers of Strata's own thread pools (io, compute, indexer), labelled by pool
 * name.
 */
final class ThreadPoolMetrics {

    // Written when a pool is bound, read on every scrape. A dispatcher starts its pool lazily,
    // so each entry is looked up again at every scrape; a pool not started yet reads as zeros.
    private final Map<String, Supplier<Optional<ThreadPoolExecutor>>> pools = new ConcurrentSkipListMap<>();

    ThreadPoolMetrics(PrometheusRegistry registry) {
        gauge(registry, "strata_thread_pool_threads", "Threads in a Strata thread pool",
                ThreadPoolExecutor::getPoolSize);
        gauge(registry, "strata_thread_pool_active_threads", "Threads of a Strata thread pool running a task",
                ThreadPoolExecutor::getActiveCount);
        gauge(registry, "strata_thread_pool_queued_tasks", "Tasks waiting for a thread of a Strata thread pool",
                p -> p.getQueue().size());
        CounterWithCallback.builder().name("strata_thread_pool_completed_tasks")
                .help("Tasks a Strata thread pool has completed").labelNames("pool")
                .callback(cb -> pools.forEach((name, p) -> cb.call(p.get().map(ThreadPoolExecutor::getCompletedTaskCount).orElse(0L), name)))
                .register(registry);
    }

    private void gauge(PrometheusRegistry registry, String name, String help, ToDoubleFunction<ThreadPoolExecutor> read) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("pool")
                .callback(cb -> pools.forEach((pool, p) -> cb.call(p.get().map(read::applyAsDouble).orElse(0.0), pool)))
                .register(registry);
    }

    /** Exports the pool {@code pool} supplies, when it has one, under {@code name}. */
    void add(String name, Supplier<Optional<ThreadPoolExecutor>> pool) {
        pools.put(name, pool);
    }
}
