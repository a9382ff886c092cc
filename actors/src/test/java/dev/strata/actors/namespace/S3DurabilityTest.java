package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.actors.testing.IoPool;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The namespace entity on a real S3-protocol server (S3Proxy): a strong query sees every
 * acknowledged write, and a process killed with SIGKILL in the middle of a write storm loses
 * no acknowledged write and leaves no write half applied.
 */
class S3DurabilityTest {

    private static final String NS = "storm";
    private static final int WRITERS = 4;
    /** The child is killed once this many writes are acknowledged. */
    private static final int KILL_AFTER_ACKS = 200;
    private static final String EOF = "\u0000eof";

    @TempDir
    Path dir;

    @RegisterExtension
    final IoPool io = new IoPool();

    private ObjectStore s3(S3ProxyServer server) {
        return new S3ObjectStore(server.settings(""), io.executor());
    }

    private static long scanned(TestNode node) {
        return node.queryOk(NS, QueryRequest.nearest(StormPlan.ORIGIN, 1)).exhaustiveSearchCount();
    }

    @Test
    void aStrongQueryOnS3SeesEveryAcknowledgedWrite() throws Exception {
        String config = "strata.namespace.indexing.after-ops = 20\n"
                + "strata.namespace.indexing.after-quiet = 1h\n"
                + "strata.namespace.compaction.max-segments = 2\n";
        int requests = 16;
        try (S3ProxyServer server = S3ProxyServer.start("strong");
             TestNode node = new TestNode(s3(server), config)) {
            for (int c = 0; c < requests; c++) {
                node.writeOk(NS, StormPlan.request(0, c));
                // Sent after the acknowledgement: must see request c and everything before it,
                // whether it is still in the tail or already folded into a segment.
                Map<Long, Row> rows = StormPlan.byWriter(node.queryOk(NS, StormPlan.everything()))
                        .getOrDefault(0, Map.of());
                assertNull(StormPlan.difference(StormPlan.model(0, c + 1), rows), "after request " + c);
            }
            Manifest m = latest(s3(server));
            assertTrue(m.segments().size() >= 1, () -> "indexing ran on S3: " + m);
        }
    }

    @Test
    void sigkillDuringAWriteStormLosesNoAcknowledgedWrite() throws Exception {
        Path bucketDir = dir.resolve("bucket");
        java.nio.file.Files.createDirectories(bucketDir);
        int[] lastAck = new int[WRITERS];
        Arrays.fill(lastAck, -1);
        int acks = 0;
        try (S3ProxyServer server = S3ProxyServer.startOnDisk("storm", bucketDir)) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), WriteStormMain.class.getName(),
                    server.endpoint().toString(), server.bucket(), NS, String.valueOf(WRITERS))
                    .redirectError(dir.resolve("child-stderr.txt").toFile())
                    .start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    lines.add("READ-FAILED " + e);
                } finally {
                    lines.add(EOF);
                }
            }, "storm-child-stdout");
            reader.start();
            boolean killed = false;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (true) {
                    String line = killed ? lines.take() : lines.poll(1, TimeUnit.SECONDS);
                    if (line == null) {
                        if (System.nanoTime() > deadline || !child.isAlive()) {
                            fail("the storm did not reach " + KILL_AFTER_ACKS + " acknowledgements (got " + acks
                                    + "); child stderr in " + dir.resolve("child-stderr.txt"));
                        }
                        continue;
                    }
                    if (line.equals(EOF)) {
                        break;
                    }
                    if (line.startsWith("ACK ")) {
                        String[] parts = line.split(" ");
                        int w = Integer.parseInt(parts[1]);
                        int c = Integer.parseInt(parts[2]);
                        assertEquals(lastAck[w] + 1, c, "writer " + w + " acknowledges in order");
                        lastAck[w] = c;
                        acks++;
                    } else if (line.startsWith("ERR ")) {
                        // The writer stopped; its request's outcome is unknown, which the check allows.
                        System.err.println("storm child: " + line);
                    }
                    if (!killed && acks >= KILL_AFTER_ACKS) {
                        child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no handoff
                        killed = true;
                        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                    }
                }
            } finally {
                child.destroyForcibly();
            }
            assertTrue(acks >= KILL_AFTER_ACKS);
            assertTrue(latest(s3(server)).version() >= 2, "indexing published manifests during the storm");

            String config = "strata.namespace.indexing.after-quiet = 200ms\n";
            try (TestNode node = new TestNode(s3(server), config)) {
                assertRecovered(node, lastAck);
                // The recovered tail is indexed, and the answer stays the same.
                node.kit.createTestProbe().awaitAssert(TestNode.TIMEOUT, () -> {
                    assertEquals(0, scanned(node));
                    return null;
                });
                assertRecovered(node, lastAck);
            }
        }
    }

    /**
     * Each writer's ids hold exactly the state after its acknowledged requests, or after one
     * more: the request it was waiting for when the process died, applied whole.
     */
    private static void assertRecovered(TestNode node, int[] lastAck) {
        QueryResult all = node.queryOk(NS, StormPlan.everything());
        Map<Integer, Map<Long, Row>> byWriter = StormPlan.byWriter(all);
        for (int w : byWriter.keySet()) {
            assertTrue(w >= 0 && w < WRITERS, "rows of a writer that never existed: " + byWriter.get(w).keySet());
        }
        for (int w = 0; w < WRITERS; w++) {
            Map<Long, Row> rows = byWriter.getOrDefault(w, Map.of());
            String acknowledged = StormPlan.difference(StormPlan.model(w, lastAck[w] + 1), rows);
            String plusOne = StormPlan.difference(StormPlan.model(w, lastAck[w] + 2), rows);
            if (acknowledged != null && plusOne != null) {
                fail("writer " + w + " (last acknowledged request " + lastAck[w] + "): " + acknowledged
                        + "; nor is it the next request applied whole: " + plusOne);
            }
        }
    }

    private static Manifest latest(ObjectStore store) {
        SequencedLog manifests = new SequencedLog(store, new NamespaceLayout(new NamespaceName(NS)).manifestPrefix());
        long version = manifests.latest().join();
        return version < 0 ? Manifest.empty(new NamespaceName(NS))
                : ManifestCodec.decode(manifests.read(version).join(), "manifest " + version);
    }
}
