package dev.strata.bench.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.actors.namespace.Manifest;
import dev.strata.actors.namespace.ManifestCodec;
import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol.Command;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.tiering.store.ObjectStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;

/**
 * A one-node Pekko cluster on loopback hosting namespace entities over the given resources, as a
 * Strata node does minus HTTP: what the actor-level benchmarks drive.
 */
final class BenchNode implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    final ActorSystem<Void> system;
    final ActorRef<ShardingEnvelope<Command>> region;

    BenchNode(Config config, NamespaceEntity.Resources resources) {
        system = ActorSystem.create(Behaviors.empty(), "bench", config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        region = NamespaceEntity.init(system, resources);
    }

    /** The benchmarks' configuration: {@code settings} (HOCON) over a quiet one-node cluster's. */
    static Config config(String settings) {
        return ConfigFactory.parseString(settings + "\n"
                + "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.loglevel = WARNING\n").withFallback(ConfigFactory.load());
    }

    /** Sends {@code ns} the command {@code message} makes and completes with its reply. */
    <T> CompletableFuture<StatusReply<T>> ask(String ns, Function<ActorRef<StatusReply<T>>, Command> message) {
        return AskPattern.<ShardingEnvelope<Command>, StatusReply<T>>ask(region,
                replyTo -> new ShardingEnvelope<>(ns, message.apply(replyTo)), TIMEOUT, system.scheduler())
                .toCompletableFuture();
    }

    /** The namespace's newest published manifest in {@code store}, or null before the first. */
    static Manifest newestManifest(ObjectStore store, String ns) {
        SequencedLog manifests = new SequencedLog(store, new NamespaceLayout(new NamespaceName(ns)).manifestPrefix());
        long version = manifests.latest().join();
        return version < 0 ? null : ManifestCodec.decode(manifests.read(version).join(), ns);
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the benchmark's actor system did not stop", e);
        }
    }
}
