package dev.strata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.http.testing.LocalCluster;
import dev.strata.http.testing.NodeProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Strata servers in separate JVMs on loopback form one cluster through Cluster Bootstrap
 * with config discovery, and the cluster survives a member killed with SIGKILL: the split brain
 * resolver downs it and the remaining two stay Up (and keep serving).
 */
class ClusterBootstrapTest {

    @TempDir
    Path tmp;

    @Test
    void threeProcessesFormOneClusterAndTheMajorityDownsAKilledMember() throws Exception {
        long start = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.start(tmp, 3, Map.of())) {
            cluster.awaitMembersUp(Duration.ofSeconds(40));
            System.out.printf("3 processes formed one cluster after %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertEquals(3, cluster.members(cluster.node(0)).size(), cluster.describe());
            for (NodeProcess node : cluster.nodes()) {
                // What the Kubernetes probes ask: ready once an Up member, alive all along.
                assertEquals(200, cluster.status(node.management().resolve("/health/ready")), node.toString());
                assertEquals(200, cluster.status(node.management().resolve("/health/alive")), node.toString());
            }

            NodeProcess victim = cluster.node(1);
            long killed = System.nanoTime();
            cluster.kill(victim);
            // The survivors first see the victim unreachable, then SBR (keep-majority: 2 of 3)
            // downs and removes it.
            cluster.awaitMembersUp(Duration.ofSeconds(30));
            System.out.printf("killed member removed after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
            for (NodeProcess survivor : List.of(cluster.node(0), cluster.node(2))) {
                Map<String, String> members = cluster.members(survivor);
                assertEquals(Map.of(cluster.node(0).memberAddress(), "Up", cluster.node(2).memberAddress(), "Up"),
                        members, cluster.describe());
            }
        }
    }

    @Test
    void aNamespaceWrittenThroughOneNodeIsServedByEveryNodeAndAfterOneIsKilled() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(tmp, 3, Map.of())) {
            cluster.awaitMembersUp(Duration.ofSeconds(40));
            String write = """
                    {"upsert_rows":[{"id":1,"vector":[0.1,0.2]}],"distance_metric":"cosine_distance"}""";
            String query = """
                    {"rank_by":["vector","ANN",[0.1,0.2]],"top_k":10}""";
            HttpResponse<String> written = cluster.postJson(
                    cluster.node(0).http().resolve("/v2/namespaces/bootstrap-test"), write);
            assertEquals(200, written.statusCode(), written.body());
            for (NodeProcess node : cluster.nodes()) {
                assertFinds(cluster, node, query);
            }
            // A refusal by the owner keeps its status through every node, the owner's own and
            // the two that forward to it (the error crosses the network as a StatusReply).
            for (NodeProcess node : cluster.nodes()) {
                HttpResponse<String> refused = cluster.postJson(node.http().resolve("/v2/namespaces/bootstrap-test"),
                        """
                        {"upsert_rows":[{"id":2,"vector":[0.1,0.2,0.3]}]}""");
                assertEquals(400, refused.statusCode(), node + ": " + refused.body());
            }

            cluster.kill(cluster.node(2));
            cluster.awaitMembersUp(Duration.ofSeconds(30));
            for (NodeProcess node : List.of(cluster.node(0), cluster.node(1))) {
                assertFinds(cluster, node, query);
            }
        }
    }

    private static void assertFinds(LocalCluster cluster, NodeProcess node, String query) throws Exception {
        HttpResponse<String> found = cluster.postJson(
                node.http().resolve("/v2/namespaces/bootstrap-test/query"), query);
        assertEquals(200, found.statusCode(), node + ": " + found.body());
        assertTrue(found.body().matches("(?s).*\"id\"\\s*:\\s*1\\b.*"), node + ": " + found.body());
    }
}
