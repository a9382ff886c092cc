package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.testing.IoPool;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.CountingObjectStore;
import dev.strata.tiering.store.ObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle namespace passivates (its entity stops and frees its memory) and the next request
 * rebuilds it from the bucket with exactly the answers it gave before; a namespace busy with a
 * build does not. The passivation is observed through the shard region's list of running
 * entities; the rebuild through the manifest listings in the bucket (each hydration lists the
 * manifests once, and nothing else in these tests does: no indexing after the first pass, no
 * garbage sweep within the test).
 */
class PassivationTest {

    private static final String NS = "sleepy";
    private static final String MANIFESTS = new NamespaceLayout(new NamespaceName(NS)).manifestPrefix();
    private static final String CONFIG = "strata.namespace.passivate-after = 1s\n"
            + "strata.namespace.indexing.after-ops = 25\n"
            + "strata.namespace.indexing.after-quiet = 1h\n"
            + "strata.namespace.garbage.grace = 1h\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private static Set<String> runningEntities(TestNode node) {
        TestProbe<ShardRegion.CurrentShardRegionState> probe = node.kit.createTestProbe();
        ClusterSharding.get(node.kit.system()).shardState()
                .tell(new GetShardRegionState(NamespaceEntity.TYPE_KEY, probe.getRef()));
        return probe.receiveMessage(TestNode.TIMEOUT).getShards().stream()
                .flatMap(shard -> shard.getEntityIds().stream()).collect(Collectors.toSet());
    }

    private static long hydrations(CountingObjectStore store) {
        return store.requests().stream()
                .filter(r -> r.operation() == CountingObjectStore.Operation.LIST && r.key().equals(MANIFESTS))
                .count();
    }

    /**
     * Three different questions, each with an exact answer wherever the documents live (an
     * indexing pass may finish between the two rounds): everything, the nearest few under a
     * filter, an ordering.
     */
    private static List<QueryResult> ask(TestNode node) {
        return List.of(node.queryOk(NS, StormPlan.everything()),
                node.queryOk(NS, QueryRequest.nearest(new float[] {0.3f, 0.6f, 0.1f, 0.9f}, 5)
                        .withFilters(List.of("req", "Gte", 3L)).includingAll()),
                node.queryOk(NS, QueryRequest.orderBy("tag", true, 7).includingAll()));
    }

    private static List<List<Row>> rows(List<QueryResult> results) {
        return results.stream().map(QueryResult::rows).toList();
    }

    /**
     * Cluster Sharding's own idle passivation (after 1 s here, two minutes by default) counts
     * only the messages its shard delivers. Left on, it stopped an entity part way through a long
     * merge that nothing outside asked about, and the merged segment was never published. Here a
     * build is held for several of those timeouts after the last write: the entity must still be
     * running, and publish the build itself once it finishes.
     */
    @Test
    void aBuildOutlastingShardingsIdleTimeoutIsPublishedByTheSameEntity() throws Exception {
        ObjectStore local = io.local(dir);
        CountingObjectStore store = new CountingObjectStore(local, io.executor());
        ExecutorService indexer = StrataThreads.newPool(StrataThreads.INDEXER, 1);
        GatedExecutor gate = new GatedExecutor(indexer);
        String config = "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 1s\n"
                + "strata.namespace.passivate-after = 1h\n"
                + "strata.namespace.indexing.after-ops = 25\n"
                + "strata.namespace.indexing.after-quiet = 1h\n"
                + "strata.namespace.compaction.merge-when-quiet = false\n"
                + "strata.namespace.garbage.grace = 1h\n";
        try (TestNode node = new TestNode(store, config, gate)) {
            gate.arm();
            for (int c = 0; c < 12; c++) {
                node.writeOk(NS, StormPlan.request(0, c));
            }
            gate.entered.get(TestNode.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            // Nothing reaches the entity through its shard from here on. The shard looks for idle
            // entities every half timeout, so three seconds give it several chances.
            Thread.sleep(3_000);
            assertTrue(runningEntities(node).contains(NS), "stopped while its build was running");

            gate.release.complete(null);
            // Read beside the counting store, so only the entity's hydrations are counted.
            ManifestLog manifests = new ManifestLog(new NamespaceName(NS), local);
            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                Manifest m = manifests.newest(Runnable::run).join().manifest();
                assertTrue(m.indexedThrough() > 0, "the build was not published");
                return null;
            });
            assertTrue(runningEntities(node).contains(NS));
            assertEquals(1, hydrations(store), "the entity that started the build published it");
            assertEquals(0, node.metrics.passivations.get());
        } finally {
            indexer.shutdownNow();
        }
    }

    @Test
    void aPassivatedNamespaceComesBackWithIdenticalAnswers() {
        CountingObjectStore store = new CountingObjectStore(io.local(dir), io.executor());
        try (TestNode node = new TestNode(store, CONFIG)) {
            int requests = 12;
            for (int c = 0; c < requests; c++) {
                node.writeOk(NS, StormPlan.request(0, c));
            }
            List<QueryResult> before = ask(node);
            assertNull(StormPlan.difference(StormPlan.model(0, requests),
                    StormPlan.byWriter(before.get(0)).get(0)), "the answers are right to begin with");
            assertTrue(runningEntities(node).contains(NS));
            assertEquals(1, hydrations(store));

            node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                assertFalse(runningEntities(node).contains(NS), "passivated");
                return null;
            });
            assertEquals(1, hydrations(store), "nothing woke the namespace yet");
            // A stopped entity takes its share out of the node's gauges.
            assertEquals(0, node.metrics.unindexedBytes.get(), "unindexed bytes of a stopped entity");
            assertEquals(0, node.metrics.indexingBacklog.get(), "builds of a stopped entity");
            assertEquals(1, node.metrics.passivations.get());
            assertEquals(1, node.metrics.hydrations.get());
            assertEquals(requests, node.metrics.writesAcknowledged.get());
            assertEquals(3, node.metrics.queries.get());

            List<QueryResult> after = ask(node);
            assertEquals(2, hydrations(store), "the next request rebuilt the entity from the bucket");
            assertEquals(rows(before), rows(after));
            assertTrue(runningEntities(node).contains(NS));
        }
    }
}
