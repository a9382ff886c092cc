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
 */
public record NamespaceSettings(long maxUnindexedBytes, long maxUnindexedOps, Duration passivateAfter) {

    private static final String ROOT = "strata.namespace.";

    public NamespaceSettings {
        require(maxUnindexedBytes > 0, ROOT + "backpressure.max-unindexed-bytes",
                maxUnindexedBytes, "must be positive");
        require(maxUnindexedOps > 0, ROOT + "backpressure.max-unindexed-ops",
                maxUnindexedOps, "must be positive");
        require(passivateAfter != null && !passivateAfter.isNegative() && !passivateAfter.isZero(),
                ROOT + "passivate-after", passivateAfter, "must be positive");
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
                    root.getDuration(ROOT + "passivate-after"));
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage(), e);
        }
    }
}
