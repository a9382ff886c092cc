package dev.strata.actors.namespace;

import dev.strata.index.doc.Schema;
import dev.strata.index.vector.Metric;
import dev.strata.tiering.read.ReadStats;
import java.util.List;

/**
 * The committed state of a namespace at one instant, handed to a query: immutable, so a query
 * runs on the compute executor while the entity commits further writes.
 *
 * @param segments oldest first, each with the ordinals newer writes superseded
 * @param tail     committed, unindexed WAL batches in sequence order
 * @param stats    the namespace's shared read counters (see {@link QueryExecution})
 * @param exists   whether the namespace has any data at all
 */
record Snapshot(Schema schema, Metric metricOrNull, List<SegmentView> segments, List<TailBatch> tail,
                ReadStats stats, boolean exists) {
    Snapshot {
        segments = List.copyOf(segments);
        tail = List.copyOf(tail);
    }
}
