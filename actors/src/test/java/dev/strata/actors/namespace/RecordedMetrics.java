package dev.strata.actors.namespace;

import java.util.concurrent.atomic.AtomicLong;

/** Sums what entities report, as a node's gauges and counters would. */
final class RecordedMetrics implements NamespaceMetrics {
    final AtomicLong queries = new AtomicLong();
    final AtomicLong writesAcknowledged = new AtomicLong();
    final AtomicLong walCommits = new AtomicLong();
    final AtomicLong unindexedBytes = new AtomicLong();
    final AtomicLong indexingBacklog = new AtomicLong();
    final AtomicLong indexJobs = new AtomicLong();
    final AtomicLong compactions = new AtomicLong();
    final AtomicLong hydrations = new AtomicLong();
    final AtomicLong passivations = new AtomicLong();

    @Override
    public void queryCompleted(QueryKind kind, String temperature, long nanos) {
        queries.incrementAndGet();
    }

    @Override
    public void writeAcknowledged(long upserts, long patches, long deletes, long nanos) {
        writesAcknowledged.incrementAndGet();
    }

    @Override
    public void walCommitted(int writes, long bytes, long nanos) {
        walCommits.incrementAndGet();
    }

    @Override
    public void unindexedBytesChanged(long delta) {
        unindexedBytes.addAndGet(delta);
    }

    @Override
    public void indexingBacklogChanged(long delta) {
        indexingBacklog.addAndGet(delta);
    }

    @Override
    public void indexJobFinished(boolean compaction, long nanos) {
        indexJobs.incrementAndGet();
        if (compaction) {
            compactions.incrementAndGet();
        }
    }

    @Override
    public void hydrated(boolean succeeded, long nanos) {
        hydrations.incrementAndGet();
    }

    @Override
    public void passivated() {
        passivations.incrementAndGet();
    }
}
