package dev.strata.http.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.ToDoubleFunction;

/**
 * Scrape-time readers of Strata's own thread pools (io, compute, indexer), labelled by pool
 * name. Pools that are not {@link ThreadPoolExecutor}s are not exported.
 */
final class ThreadPoolMetrics {

    // Written when a pool is bound, read on every scrape.
    private final Map<String, ThreadPoolExecutor> pools = new ConcurrentSkipListMap<>();

    ThreadPoolMetrics(PrometheusRegistry registry) {
        gauge(registry, "strata_thread_pool_threads", "Threads in a Strata thread pool",
                ThreadPoolExecutor::getPoolSize);
        gauge(registry, "strata_thread_pool_active_threads", "Threads of a Strata thread pool running a task",
                ThreadPoolExecutor::getActiveCount);
        gauge(registry, "strata_thread_pool_queued_tasks", "Tasks waiting for a thread of a Strata thread pool",
                p -> p.getQueue().size());
        CounterWithCallback.builder().name("strata_thread_pool_completed_tasks")
                .help("Tasks a Strata thread pool has completed").labelNames("pool")
                .callback(cb -> pools.forEach((name, p) -> cb.call(p.getCompletedTaskCount(), name)))
                .register(registry);
    }

    private void gauge(PrometheusRegistry registry, String name, String help, ToDoubleFunction<ThreadPoolExecutor> read) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("pool")
                .callback(cb -> pools.forEach((pool, p) -> cb.call(read.applyAsDouble(p), pool)))
                .register(registry);
    }

    /** Exports {@code pool} under {@code name}; ignored unless it is a {@link ThreadPoolExecutor}. */
    void add(String name, Object pool) {
        if (pool instanceof ThreadPoolExecutor executor) {
            pools.put(name, executor);
        }
    }
}
