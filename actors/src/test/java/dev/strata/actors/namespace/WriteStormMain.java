package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.config.StorageSettings;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.store.S3ObjectStore;
import dev.strata.tiering.testing.S3ProxyServer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.apache.pekko.pattern.StatusReply;

/**
 * The process {@link S3DurabilityTest} kills: a one-node cluster serving one namespace on an S3
 * bucket (given as endpoint and bucket of the parent's S3Proxy), with several writers sending
 * {@link StormPlan} requests until the process dies. After a writer hears that request
 * {@code c} is acknowledged it prints {@code ACK <writer> <c> <walSequence>} (and flushes)
 * before it sends request {@code c + 1}; a writer that gets an error prints {@code ERR} and
 * stops, leaving that request's outcome unknown. Indexing thresholds are small so segments
 * are built, published, compacted and swept while the writes go on.
 *
 * <p>Arguments: endpoint, bucket, namespace, writers.
 */
public final class WriteStormMain {

    static final String CONFIG = "strata.namespace.indexing.after-ops = 60\n"
            + "strata.namespace.indexing.after-quiet = 300ms\n"
            + "strata.namespace.compaction.max-segments = 3\n"
            + "strata.namespace.garbage.grace = 0s\n"
            + "strata.namespace.garbage.keep-manifests = 2\n";

    private WriteStormMain() {}

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        String bucket = args[1];
        String namespace = args[2];
        int writers = Integer.parseInt(args[3]);
        ExecutorService io = StrataThreads.newPool(StrataThreads.IO, 4);
        S3ObjectStore store = new S3ObjectStore(new StorageSettings.S3(bucket, "", Optional.of(endpoint),
                S3ProxyServer.REGION, S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY, true, 32, 2,
                Duration.ofSeconds(30)), io);
        TestNode node = new TestNode(store, CONFIG);
        System.out.println("READY");
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread thread = new Thread(() -> write(node, namespace, writer), "storm-writer-" + w);
            thread.start();
        }
        // Runs until the parent kills the process.
        Thread.sleep(Duration.ofMinutes(5).toMillis());
        System.exit(2);
    }

    private static void write(TestNode node, String namespace, int writer) {
        for (int c = 0; ; c++) {
            StatusReply<WriteResult> reply;
            try {
                reply = node.write(namespace, StormPlan.request(writer, c));
            } catch (RuntimeException | AssertionError e) {
                System.out.println("ERR " + writer + " " + c + " " + e);
                return;
            }
            if (reply.isError()) {
                System.out.println("ERR " + writer + " " + c + " " + reply.getError());
                return;
            }
            // println flushes: the line is in the pipe before the next request is sent.
            System.out.println("ACK " + writer + " " + c + " " + reply.getValue().walSequence());
        }
    }
}
