package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;

/**
 * What namespace entities report about their work, for a node's metrics. One instance serves
 * every entity of a node, so implementations are thread-safe; calls come from entity actors and
 * from the compute executor and must not block. Every method does nothing by default, and
 * {@link #NONE} reports nowhere.
 */
public interface NamespaceMetrics {

    /** Reports nowhere: for tests and tools that run entities without a metrics registry. */
    NamespaceMetrics NONE = new NamespaceMetrics() {};

    /** What a query ranked or computed by. */
    enum QueryKind {
        /** Approximate nearest neighbours through the index. */
        ANN,
        /** Exact nearest neighbours (a full scan). */
        KNN,
        /** Ordered by an attribute, or filtered only. */
        ORDER_BY,
        /** Aggregations (count, group by). */
        AGGREGATE;

        public static QueryKind of(QueryRequest request) {
            if (request.vectorOrNull() != null) {
                return request.exact() ? KNN : ANN;
            }
            return request.orderByOrNull() == null && !request.aggregateBy().isEmpty() ? AGGREGATE : ORDER_BY;
        }
    }

    /** A query ran in {@code nanos}; {@code temperature} is the coldest tier it read, as the API reports it. */
    default void queryCompleted(QueryKind kind, String temperature, long nanos) {}

    /** A query was turned away by the namespace's concurrency limit. */
    default void queryRejected() {}

    /** A write was turned away because the namespace's unindexed tail is over its limit. */
    default void writeRejected() {}

    /** A write was acknowledged {@code nanos} after its owner received it. */
    default void writeAcknowledged(long upserts, long patches, long deletes, long nanos) {}

    /** One WAL object of {@code bytes}, holding {@code writes} writes, became durable in {@code nanos}. */
    default void walCommitted(int writes, long bytes, long nanos) {}

    /** The WAL bytes not yet indexed, over the namespaces on this node, changed by {@code delta}. */
    default void unindexedBytesChanged(long delta) {}

    /** Indexing or compaction jobs started and not finished on this node changed by {@code delta}. */
    default void indexingBacklogChanged(long delta) {}

    /** An indexing job ({@code compaction} false) or compaction job ended after {@code nanos}. */
    default void indexJobFinished(boolean compaction, long nanos) {}

    /** An entity finished loading its namespace (or failed to) after {@code nanos}. */
    default void hydrated(boolean succeeded, long nanos) {}

    /** An entity asked to be passivated for being idle. */
    default void passivated() {}
}
