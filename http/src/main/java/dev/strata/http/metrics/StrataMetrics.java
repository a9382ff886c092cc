package dev.strata.http.metrics;

import dev.strata.actors.ObservedThreadPools;
import dev.strata.actors.namespace.NamespaceMetrics;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.read.TieredStorage;
import dev.strata.tiering.store.MeteredObjectStore;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A node's Prometheus metrics: the registry {@code GET /metrics} exposes, and the full catalog
 * of Strata's metric names with small recording methods for the code paths that feed them.
 *
 * <p>Labels are always from a small fixed set (an enum below: API operation, query kind, cache
 * temperature, tier, object-store operation and outcome); a namespace name is never a label.
 * Every label combination is created at start-up, so each series exists (at 0) before its first
 * event and dashboards and alerts never see a missing series. Recording methods are thread-safe
 * and non-blocking (the Prometheus client's counters and histograms are striped adders).
 *
 * <p>Storage, cluster, thread-pool and JVM metrics are read at scrape time from the counters the
 * components keep themselves ({@link #bindStorage}, {@link #bindCluster}, {@link #bindDispatchers});
 * shards and namespaces on this node are polled from the shard region ({@link #bindSharding}).
 */
public final class StrataMetrics implements NamespaceMetrics {

    /** The API operations requests are counted under. */
    public enum Operation {
        WRITE, QUERY, MULTI_QUERY, METADATA, SCHEMA, DELETE_NAMESPACE, LIST_NAMESPACES, WARM_CACHE, RECALL,
        EXPLAIN, OTHER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How cold a query's data was, as the API's {@code performance.cache_temperature} reports it. */
    public enum Temperature {
        HOT, WARM, COLD;

        /** The temperature the API reports as {@code label} ("hot", "warm", "cold"). */
        public static Temperature of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The kinds of row change a write carries. */
    public enum RowOperation {
        UPSERT, PATCH, DELETE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a request was turned away before it ran. */
    public enum Rejection {
        /** The namespace's (or node's) query concurrency limit was reached. */
        CONCURRENCY_LIMIT,
        /** Writes are held back because indexing is too far behind (unindexed bytes over the limit). */
        BACKPRESSURE,
        /** The request is over a size or count limit. */
        TOO_LARGE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Latency buckets, in seconds: from sub-millisecond hot queries to object-store timeouts. */
    static final double[] LATENCY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 30};
    /** Long-running background work (indexing, compaction, hydration), in seconds. */
    static final double[] JOB_BUCKETS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
    /** Writes per WAL object. */
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

    private static final double NANOS_PER_SECOND = 1e9;

    private final PrometheusRegistry registry = new PrometheusRegistry();

    // API requests.
    private final Counter requests;
    private final Histogram requestDuration;
    private final Gauge requestsInFlight;
    private final Counter rejected;
    // Queries.
    private final Counter queries;
    private final Histogram queryDuration;
    // Writes.
    private final Counter writeRows;
    private final Counter writeBytes;
    private final Histogram writeDuration;
    private final Histogram walCommitDuration;
    private final Histogram groupCommitSize;
    private final Gauge unindexedBytes;
    // Indexing and compaction.
    private final Histogram indexingDuration;
    private final Histogram compactionDuration;
    private final Gauge indexingBacklog;
    // Namespace entities.
    private final Counter passivations;
    private final Counter hydrations;
    private final Histogram hydrationDuration;
    private final Gauge activeNamespaces;
    private final Gauge shards;

    private final StorageMetrics storage;
    private final ThreadPoolMetrics pools;

    /** A registry with the whole catalog and the JVM's metrics registered. */
    public StrataMetrics() {
        requests = Counter.builder().name("strata_requests")
                .help("API requests answered, by operation and HTTP status class (2xx, 4xx, 5xx)")
                .labelNames("operation", "status_class").register(registry);
        requestDuration = Histogram.builder().name("strata_request_duration_seconds")
                .help("Time from receiving an API request to sending its response")
                .labelNames("operation").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        requestsInFlight = Gauge.builder().name("strata_requests_in_flight")
                .help("API requests received and not yet answered").labelNames("operation").register(registry);
        rejected = Counter.builder().name("strata_requests_rejected")
                .help("API requests turned away before running, by operation and reason")
                .labelNames("operation", "reason").register(registry);
        queries = Counter.builder().name("strata_queries")
                .help("Queries answered, by kind and cache temperature").labelNames("kind", "temperature").register(registry);
        queryDuration = Histogram.builder().name("strata_query_duration_seconds")
                .help("Query execution time in the owning node, by kind and cache temperature")
                .labelNames("kind", "temperature").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        writeRows = Counter.builder().name("strata_write_rows")
                .help("Rows written (acknowledged), by row operation").labelNames("operation").register(registry);
        writeBytes = Counter.builder().name("strata_write_bytes")
                .help("Bytes of acknowledged writes as stored in the WAL").register(registry);
        writeDuration = Histogram.builder().name("strata_write_ack_duration_seconds")
                .help("Time from a write reaching its namespace's owner to its acknowledgement (durable)")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        walCommitDuration = Histogram.builder().name("strata_wal_commit_duration_seconds")
                .help("Duration of one WAL object's conditional PUT (one group commit)")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        groupCommitSize = Histogram.builder().name("strata_wal_group_commit_writes")
                .help("Writes committed together in one WAL object")
                .classicOnly().classicUpperBounds(BATCH_BUCKETS).register(registry);
        unindexedBytes = Gauge.builder().name("strata_unindexed_bytes")
                .help("WAL bytes not yet folded into index segments, summed over the namespaces this node owns")
                .register(registry);
        indexingDuration = Histogram.builder().name("strata_indexing_duration_seconds")
                .help("Duration of one indexing job (WAL entries into a new segment)")
                .classicOnly().classicUpperBounds(JOB_BUCKETS).register(registry);
        compactionDuration = Histogram.builder().name("strata_compaction_duration_seconds")
                .help("Duration of one compaction job (segments merged)")
                .classicOnly().classicUpperBounds(JOB_BUCKETS).register(registry);
        indexingBacklog = Gauge.builder().name("strata_indexing_backlog")
                .help("Indexing and compaction jobs started and not finished on this node").register(registry);
        passivations = Counter.builder().name("strata_namespace_passivations")
                .help("Namespace entities passivated for being idle").register(registry);
        hydrations = Counter.builder().name("strata_namespace_hydrations")
                .help("Namespace entities started (manifest and WAL tail loaded), by outcome")
                .labelNames("outcome").register(registry);
        hydrationDuration = Histogram.builder().name("strata_namespace_hydration_duration_seconds")
                .help("Time to hydrate a namespace entity before it serves")
                .classicOnly().classicUpperBounds(JOB_BUCKETS).register(registry);
        activeNamespaces = Gauge.builder().name("strata_namespaces_active")
                .help("Namespace entities running on this node").register(registry);
        shards = Gauge.builder().name("strata_shards")
                .help("Cluster sharding shards hosted by this node").register(registry);

        for (Operation op : Operation.values()) {
            for (String statusClass : new String[] {"2xx", "4xx", "5xx"}) {
                requests.labelValues(op.label(), statusClass);
            }
            requestDuration.labelValues(op.label());
            requestsInFlight.labelValues(op.label());
            for (Rejection reason : Rejection.values()) {
                rejected.labelValues(op.label(), reason.label());
            }
        }
        for (QueryKind kind : QueryKind.values()) {
            for (Temperature t : Temperature.values()) {
                queries.labelValues(label(kind), t.label());
                queryDuration.labelValues(label(kind), t.label());
            }
        }
        for (RowOperation op : RowOperation.values()) {
            writeRows.labelValues(op.label());
        }
        hydrations.labelValues("success");
        hydrations.labelValues("failure");

        storage = new StorageMetrics(registry);
        pools = new ThreadPoolMetrics(registry);
        JvmMetrics.register(registry);
    }

    /** The registry {@code GET /metrics} scrapes. */
    public PrometheusRegistry registry() {
        return registry;
    }

    // ---- wiring of components that keep their own counters ----

    /** The listener to give {@link TieredStorage#open} so object-store requests are measured. */
    public MeteredObjectStore.Listener objectStoreListener() {
        return storage;
    }

    /** Exports the cache tiers' and coalescing's counters of {@code storage}. */
    public void bindStorage(TieredStorage storage) {
        this.storage.bind(storage);
    }

    /** Exports the cluster membership as this node sees it. */
    public void bindCluster(ActorSystem<?> system) {
        ClusterMetrics.registerMembership(registry, system);
    }

    /**
     * Keeps {@code strata_shards} and {@code strata_namespaces_active} current by asking this
     * node's shard region for entities of {@code type} every {@code interval}.
     */
    public void bindSharding(ActorSystem<?> system, EntityTypeKey<?> type, Duration interval) {
        ShardingMetrics.start(system, type, interval, shards, activeNamespaces);
    }

    /**
     * Exports size, activity and queue of the pools behind the {@code strata.io},
     * {@code strata.compute} and {@code strata.indexer} dispatchers, labelled io, compute, indexer.
     */
    public void bindDispatchers() {
        pools.add("io", () -> ObservedThreadPools.pool(StrataThreads.IO_DISPATCHER));
        pools.add("compute", () -> ObservedThreadPools.pool(StrataThreads.COMPUTE_DISPATCHER));
        pools.add("indexer", () -> ObservedThreadPools.pool(StrataThreads.INDEXER_DISPATCHER));
    }

    // ---- recording methods: the HTTP layer's, and the namespace entities' (NamespaceMetrics) ----

    /** An API request arrived; pair with {@link #requestFinished}. */
    public void requestStarted(Operation operation) {
        requestsInFlight.labelValues(operation.label()).inc();
    }

    /** An API request was answered with {@code status} after {@code nanos}. */
    public void requestFinished(Operation operation, int status, long nanos) {
        requestsInFlight.labelValues(operation.label()).dec();
        requests.labelValues(operation.label(), statusClass(status)).inc();
        requestDuration.labelValues(operation.label()).observe(nanos / NANOS_PER_SECOND);
    }

    /** A request was turned away before running (it is also counted by {@link #requestFinished}). */
    public void requestRejected(Operation operation, Rejection reason) {
        rejected.labelValues(operation.label(), reason.label()).inc();
    }

    @Override
    public void queryCompleted(QueryKind kind, String temperature, long nanos) {
        String t = Temperature.of(temperature).label();
        queries.labelValues(label(kind), t).inc();
        queryDuration.labelValues(label(kind), t).observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void queryRejected() {
        requestRejected(Operation.QUERY, Rejection.CONCURRENCY_LIMIT);
    }

    @Override
    public void writeRejected() {
        requestRejected(Operation.WRITE, Rejection.BACKPRESSURE);
    }

    @Override
    public void writeAcknowledged(long upserts, long patches, long deletes, long nanos) {
        writeRows.labelValues(RowOperation.UPSERT.label()).inc(upserts);
        writeRows.labelValues(RowOperation.PATCH.label()).inc(patches);
        writeRows.labelValues(RowOperation.DELETE.label()).inc(deletes);
        writeDuration.observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void walCommitted(int writes, long bytes, long nanos) {
        groupCommitSize.observe(writes);
        writeBytes.inc(bytes);
        walCommitDuration.observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void unindexedBytesChanged(long delta) {
        unindexedBytes.inc(delta);
    }

    @Override
    public void indexJobFinished(boolean compaction, long nanos) {
        (compaction ? compactionDuration : indexingDuration).observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void indexingBacklogChanged(long delta) {
        indexingBacklog.inc(delta);
    }

    @Override
    public void hydrated(boolean succeeded, long nanos) {
        hydrations.labelValues(succeeded ? "success" : "failure").inc();
        hydrationDuration.observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void passivated() {
        passivations.inc();
    }

    private static String label(QueryKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    static String statusClass(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        return (status / 100) + "xx";
    }
}
