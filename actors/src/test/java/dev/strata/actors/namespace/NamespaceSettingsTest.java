package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.SettingsException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NamespaceSettingsTest {

    @Test
    void defaultsComeFromReferenceConf() {
        NamespaceSettings s = NamespaceSettings.from(ConfigFactory.load());
        assertEquals(2L << 30, s.maxUnindexedBytes());
        assertEquals(Duration.ofMinutes(10), s.passivateAfter());
        assertEquals(100_000, s.indexAfterOps());
        assertEquals(Duration.ofSeconds(30), s.indexAfterQuiet());
        assertEquals(8, s.maxSegments());
        assertTrue(s.mergeWhenQuiet());
        assertEquals(Duration.ofMinutes(5), s.garbageGrace());
        assertEquals(3, s.keepManifests());
        assertEquals(16, s.maxConcurrentQueries());
        assertEquals(Duration.ofMillis(800), s.queryQueueTimeout());
        assertEquals(5_000_000L, s.maxDeleteByFilter());
        assertEquals(100_000L, s.maxPatchByFilter());
        assertEquals(Duration.ofMillis(10), s.commitDelay());
    }

    @Test
    void indexingSettingsAreValidatedByKey() {
        for (String bad : new String[] {"indexing.after-ops = 0", "queries.max-concurrent = 0", "compaction.max-segments = 0",
                "garbage.grace = -1s", "garbage.keep-manifests = 0", "queries.queue-timeout = -1s", "indexing.after-quiet = 0s",
                "writes.max-delete-by-filter = 0", "writes.max-patch-by-filter = 3000000000",
                "compaction.merge-when-quiet = sometimes", "writes.commit-delay = -1ms", "writes.commit-delay = 2s"}) {
            SettingsException e = assertThrows(SettingsException.class, () -> NamespaceSettings.from(
                    ConfigFactory.parseString("strata.namespace." + bad).withFallback(ConfigFactory.load())));
            String key = "strata.namespace." + bad.substring(0, bad.indexOf(' '));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void invalidValuesNameTheirKey() {
        SettingsException e = assertThrows(SettingsException.class, () -> NamespaceSettings.from(
                ConfigFactory.parseString("strata.namespace.backpressure.max-unindexed-ops = 0")
                        .withFallback(ConfigFactory.load())));
        assertTrue(e.getMessage().contains("strata.namespace.backpressure.max-unindexed-ops"), e.getMessage());
        SettingsException missing = assertThrows(SettingsException.class, () -> NamespaceSettings.from(
                ConfigFactory.parseString("strata.namespace.passivate-after = soon").withFallback(ConfigFactory.load())));
        assertTrue(missing.getMessage().contains("passivate-after"), missing.getMessage());
    }
}
