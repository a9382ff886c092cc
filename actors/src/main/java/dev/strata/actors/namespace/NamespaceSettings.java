package dev.strata.actors.namespace;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.strata.config.SettingsException;
import java.time.Duration;

/**
 * The namespace entity's settings, read from {@code strata.namespace}.
 *
 * @param maxUnindexedBytes WAL bytes not yet folded into segments above which writes are refused
 * @param maxUnindexedOps   WAL operations not yet folded into segments above which writes are refused
 * @param passivateAfter    idle time after which an entity passivates
 * @param indexAfterOps     unindexed operations at which the tail is folded into a segment
 * @param indexAfterBytes   unindexed WAL bytes at which the tail is folded into a segment
 * @param indexAfterQuiet   time without writes after which a non-empty tail is folded
 * @param maxSegments       segment count above which a namespace's segments are merged
 * @param mergeWhenQuiet    whether a quiet namespace (no write for {@code indexAfterQuiet}, tail indexed)
 *                          with more than one segment has them merged into one
 * @param garbageGrace      how long unreferenced objects are kept before they are deleted
 * @param keepManifests     how many of the newest manifest versions are kept
 * @param maxConcurrentQueries query slots per namespace (an aggregation takes 4, an exact kNN 2)
 * @param queryQueueTimeout how long a query waits for a slot before it fails with 429
 * @param maxDeleteByFilter documents one delete_by_filter may delete (more: BadRequest unless allow_partial)
 * @param maxPatchByFilter  documents one patch_by_filter may patch (more: BadRequest unless allow_partial)
 * @param commitDelay       how long after a WAL commit answered its writers the next one waits at most
 *                          for as many writes to arrive, so that they share one WAL object
 * @param jobTimeout        how long a background job (build, merge, sweep, publication) may run
 *                          before it is failed
 */
public record NamespaceSettings(long maxUnindexedBytes, long maxUnindexedOps, Duration passivateAfter,
                                long indexAfterOps, long indexAfterBytes, Duration indexAfterQuiet,
                                int maxSegments, boolean mergeWhenQuiet, Duration garbageGrace, int keepManifests,
                                int maxConcurrentQueries, Duration queryQueueTimeout,
                                long maxDeleteByFilter, long maxPatchByFilter, Duration commitDelay,
                                Duration jobTimeout) {

    private static final String ROOT = "strata.namespace.";

    public NamespaceSettings {
        require(maxUnindexedBytes > 0, ROOT + "backpressure.max-unindexed-bytes",
                maxUnindexedBytes, "must be positive");
        require(maxUnindexedOps > 0, ROOT + "backpressure.max-unindexed-ops",
                maxUnindexedOps, "must be positive");
        require(positive(passivateAfter), ROOT + "passivate-after", passivateAfter, "must be positive");
        require(indexAfterOps > 0, ROOT + "indexing.after-ops", indexAfterOps, "must be positive");
        require(indexAfterBytes > 0, ROOT + "indexing.after-bytes", indexAfterBytes, "must be positive");
        require(positive(indexAfterQuiet), ROOT + "indexing.after-quiet", indexAfterQuiet, "must be positive");
        require(maxSegments > 0, ROOT + "compaction.max-segments", maxSegments, "must be positive");
        require(garbageGrace != null && !garbageGrace.isNegative(), ROOT + "garbage.grace", garbageGrace,
                "must not be negative");
        require(keepManifests > 0, ROOT + "garbage.keep-manifests", keepManifests, "must be positive");
        require(maxConcurrentQueries > 0, ROOT + "queries.max-concurrent", maxConcurrentQueries, "must be positive");
        require(queryQueueTimeout != null && !queryQueueTimeout.isNegative(), ROOT + "queries.queue-timeout",
                queryQueueTimeout, "must not be negative");
        require(maxDeleteByFilter > 0 && maxDeleteByFilter <= Integer.MAX_VALUE, ROOT + "writes.max-delete-by-filter",
                maxDeleteByFilter, "must be positive and at most " + Integer.MAX_VALUE);
        require(maxPatchByFilter > 0 && maxPatchByFilter <= Integer.MAX_VALUE, ROOT + "writes.max-patch-by-filter",
                maxPatchByFilter, "must be positive and at most " + Integer.MAX_VALUE);
        require(commitDelay != null && !commitDelay.isNegative() && commitDelay.compareTo(Duration.ofSeconds(1)) <= 0,
                ROOT + "writes.commit-delay", commitDelay, "must be between 0 and 1s");
        require(positive(jobTimeout), ROOT + "indexing.job-timeout", jobTimeout, "must be positive");
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String key, Object value, String expectation) {
        if (!ok) {
            throw new SettingsException(key + " = " + value + ": " + expectation);
        }
    }

    /** Reads and validates {@code strata.namespace} of a resolved configuration. */
    public static NamespaceSettings from(Config root) {
        try {
            return new NamespaceSettings(
                    root.getBytes(ROOT + "backpressure.max-unindexed-bytes"),
                    root.getLong(ROOT + "backpressure.max-unindexed-ops"),
                    root.getDuration(ROOT + "passivate-after"),
                    root.getLong(ROOT + "indexing.after-ops"),
                    root.getBytes(ROOT + "indexing.after-bytes"),
                    root.getDuration(ROOT + "indexing.after-quiet"),
                    root.getInt(ROOT + "compaction.max-segments"),
                    root.getBoolean(ROOT + "compaction.merge-when-quiet"),
                    root.getDuration(ROOT + "garbage.grace"),
                    root.getInt(ROOT + "garbage.keep-manifests"),
                    root.getInt(ROOT + "queries.max-concurrent"),
                    root.getDuration(ROOT + "queries.queue-timeout"),
                    root.getLong(ROOT + "writes.max-delete-by-filter"),
                    root.getLong(ROOT + "writes.max-patch-by-filter"),
                    root.getDuration(ROOT + "writes.commit-delay"),
                    root.getDuration(ROOT + "indexing.job-timeout"));
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage(), e);
        }
    }
}
