package dev.strata.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceSettings;
import dev.strata.config.StrataSettings;
import dev.strata.config.StrataThreads;
import dev.strata.http.cluster.ClusterFormation;
import dev.strata.http.metrics.MetricsRoute;
import dev.strata.http.metrics.RequestMetrics;
import dev.strata.http.metrics.StrataMetrics;
import dev.strata.tiering.read.TieredStorage;
import dev.strata.tiering.store.ObjectStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.Uri;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Strata node: the actor system (a cluster member), the object store and caches it serves
 * from, and the HTTP API. {@link #main} starts one with the process's configuration and runs
 * until the process is told to stop; Pekko's coordinated shutdown then unbinds HTTP and leaves
 * the cluster.
 */
public final class StrataServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StrataServer.class);

    private final ActorSystem<Void> system;
    private final ServerBinding binding;

    private StrataServer(ActorSystem<Void> system, ServerBinding binding) {
        this.system = system;
        this.binding = binding;
    }

    /** Starts a node with the given configuration; completes when HTTP is bound. */
    public static CompletionStage<StrataServer> start(Config configured) {
        return start(configured, UnaryOperator.identity());
    }

    /**
     * {@link #start(Config)}, with the object store the configuration opens wrapped by
     * {@code around} before the node uses it: how a benchmark puts injected latency and request
     * counting between a real node and its bucket.
     */
    public static CompletionStage<StrataServer> start(Config configured, UnaryOperator<ObjectStore> around) {
        // Cluster formation (seed nodes or Cluster Bootstrap) is read first: it completes the
        // Pekko configuration the actor system is created with.
        ClusterFormation formation = ClusterFormation.from(configured);
        Config config = formation.applyTo(configured);
        StrataSettings settings = StrataSettings.from(config);
        NamespaceSettings namespaceSettings = NamespaceSettings.from(config);
        StrataMetrics metrics = new StrataMetrics();
        // The storage stack blocks on the actor system's strata.io dispatcher, so the system
        // comes first; the dispatchers live until the system terminates, after storage closes.
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "strata", config);
        TieredStorage storage;
        Executor compute;
        Executor indexer;
        try {
            storage = TieredStorage.open(settings, dispatcher(system, StrataThreads.IO_DISPATCHER), around,
                    metrics.objectStoreListener());
            compute = dispatcher(system, StrataThreads.COMPUTE_DISPATCHER);
            indexer = dispatcher(system, StrataThreads.INDEXER_DISPATCHER);
        } catch (RuntimeException e) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
            throw e;
        }
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "close-storage", () -> {
                    storage.close();
                    return CompletableFuture.completedFuture(Done.done());
                });
        NamespaceEntity.init(system, new NamespaceEntity.Resources(
                storage.store(), storage.reader(), compute, indexer, namespaceSettings, metrics));
        metrics.bindStorage(storage);
        metrics.bindCluster(system);
        metrics.bindDispatchers();
        metrics.bindSharding(system, NamespaceEntity.TYPE_KEY,
                config.getDuration("strata.metrics.sharding-poll-interval"));
        Cluster cluster = Cluster.get(system);
        CompletionStage<Uri> management = formation.start(system);
        Routes routes = new Routes(system, storage, settings.http());
        if (settings.http().openAccess()) {
            log.warn("No API key configured (strata.http.api-keys, STRATA_API_KEY): the HTTP API is open to"
                    + " every caller (local mode)");
        } else {
            log.info("HTTP API requires one of {} configured API keys", settings.http().apiKeys().size());
        }
        return Http.get(system)
                .newServerAt(settings.http().host(), settings.http().port())
                .bind(RequestMetrics.measured(metrics, new MetricsRoute(metrics).route().orElse(routes.all())))
                // The node is started when both its API and its management server are bound.
                .thenCombine(management, (binding, managementUri) -> binding)
                .thenApply(binding -> {
                    binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
                    log.info("Strata listening on http://{}:{}, storage {}, cluster member {}",
                            settings.http().host(), binding.localAddress().getPort(),
                            storage.store().describe(),
                            cluster.selfMember().address());
                    return new StrataServer(system, binding);
                })
                .exceptionally(e -> {
                    system.terminate();
                    throw new IllegalStateException("cannot bind HTTP on " + settings.http().host() + ":"
                            + settings.http().port() + " or the management server on "
                            + config.getString("pekko.management.http.hostname") + ":"
                            + config.getString("pekko.management.http.port"), e);
                });
    }

    /** One of the node's Pekko dispatchers (see the actors module's reference.conf). */
    private static Executor dispatcher(ActorSystem<?> system, String id) {
        return system.dispatchers().lookup(DispatcherSelector.fromConfig(id));
    }

    /** The HTTP port actually bound (useful when configured as 0). */
    public int port() {
        return binding.localAddress().getPort();
    }

    /** Completes when this node has become an Up member of its cluster. */
    public CompletionStage<Void> memberUp() {
        CompletableFuture<Void> up = new CompletableFuture<>();
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
        return up;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    @Override
    public void close() {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
                .toCompletableFuture().join();
    }

    public static void main(String[] args) {
        StrataServer server = start(ConfigFactory.load()).toCompletableFuture().join();
        // Ctrl-C and SIGTERM run coordinated shutdown through Pekko's JVM shutdown hook.
        server.system.getWhenTerminated().toCompletableFuture().join();
        log.info("Strata stopped");
    }
}
