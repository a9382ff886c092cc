package dev.strata.actors.namespace;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.actors.namespace.NamespaceProtocol.Command;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.cache.PageGeometry;
import dev.strata.config.StrataThreads;
import dev.strata.tiering.read.ObjectStorePageSource;
import dev.strata.tiering.read.RangeCoalescer;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.ObjectStore;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;

/**
 * One real cluster node for tests: an ActorTestKit whose system is a one-node Pekko cluster on
 * a free port, with the namespace entity type initialised over the given object store and the
 * system's {@code strata.compute} and {@code strata.indexer} dispatchers, as in the server.
 */
final class TestNode implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final ActorTestKit kit;
    final ActorRef<ShardingEnvelope<Command>> region;
    final Executor compute;
    final RecordedMetrics metrics = new RecordedMetrics();

    TestNode(ObjectStore store, String extraConfig) {
        this(store, extraConfig, null);
    }

    /** {@code indexerOrNull} replaces the node's indexer executor (for example to hold builds). */
    TestNode(ObjectStore store, String extraConfig, Executor indexerOrNull) {
        this(store, extraConfig, indexerOrNull, UnaryOperator.identity());
    }

    /** {@code wrapCompute} wraps the compute dispatcher (for example to hold queries). */
    TestNode(ObjectStore store, String extraConfig, Executor indexerOrNull, UnaryOperator<Executor> wrapCompute) {
        Config config = ConfigFactory.parseString(extraConfig + "\n"
                        + "pekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                        + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
                        + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n")
                .withFallback(ConfigFactory.load());
        kit = ActorTestKit.create("strata-test", config);
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        PageGeometry geometry = new PageGeometry(4096);
        TieredReader reader = new TieredReader(
                new ObjectStorePageSource(store, geometry, new RangeCoalescer(64 * 1024)), geometry);
        NamespaceSettings settings = NamespaceSettings.from(config);
        compute = wrapCompute.apply(dispatcher(StrataThreads.COMPUTE_DISPATCHER));
        region = NamespaceEntity.init(kit.system(), new NamespaceEntity.Resources(store, reader, compute,
                indexerOrNull != null ? indexerOrNull : dispatcher(StrataThreads.INDEXER_DISPATCHER), settings,
                metrics));
    }

    TestNode(ObjectStore store) {
        this(store, "");
    }

    private Executor dispatcher(String id) {
        return kit.system().dispatchers().lookup(DispatcherSelector.fromConfig(id));
    }

    TestProbe<StatusReply<WriteResult>> sendWrite(String namespace, WriteRequest request) {
        TestProbe<StatusReply<WriteResult>> probe = kit.createTestProbe();
        region.tell(new ShardingEnvelope<>(namespace, new Write(request, probe.getRef())));
        return probe;
    }

    StatusReply<WriteResult> write(String namespace, WriteRequest request) {
        return sendWrite(namespace, request).receiveMessage(TIMEOUT);
    }

    WriteResult writeOk(String namespace, WriteRequest request) {
        StatusReply<WriteResult> reply = write(namespace, request);
        if (reply.isError()) {
            throw new AssertionError("write failed: " + reply.getError(), reply.getError());
        }
        return reply.getValue();
    }

    StatusReply<QueryResult> query(String namespace, QueryRequest request) {
        TestProbe<StatusReply<QueryResult>> probe = kit.createTestProbe();
        region.tell(new ShardingEnvelope<>(namespace, new Query(request, probe.getRef())));
        return probe.receiveMessage(TIMEOUT);
    }

    QueryResult queryOk(String namespace, QueryRequest request) {
        StatusReply<QueryResult> reply = query(namespace, request);
        if (reply.isError()) {
            throw new AssertionError("query failed: " + reply.getError(), reply.getError());
        }
        return reply.getValue();
    }

    @Override
    public void close() {
        kit.shutdownTestKit();
    }
}
