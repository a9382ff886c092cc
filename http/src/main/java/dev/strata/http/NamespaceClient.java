package dev.strata.http;

import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol.Command;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * Asks namespace entities through Cluster Sharding, wherever their owner runs. A reply that
 * does not come within the timeout fails the stage with a {@link java.util.concurrent.TimeoutException},
 * which the API answers with a retryable 503.
 */
final class NamespaceClient {

    private final ClusterSharding sharding;
    private final Duration timeout;
    /** Where callers' continuations run: the actor system's default dispatcher. */
    private final Executor continuations;

    NamespaceClient(ActorSystem<?> system, Duration timeout) {
        this.sharding = ClusterSharding.get(system);
        this.timeout = timeout;
        this.continuations = system.executionContext();
    }

    /**
     * Asks the namespace's entity; the returned future is a plain {@link CompletableFuture}
     * completed on the default dispatcher.
     *
     * <p>Not the ask's own stage: Pekko returns a Scala future adapted to Java, which runs every
     * dependent stage, even {@code thenApply}, asynchronously on the JDK's default async pool, and
     * on a machine with two processors that pool is a new thread per task (the common pool's
     * parallelism is one there). That cost a thread start per request.
     */
    <T> CompletableFuture<T> ask(String namespace, Function<ActorRef<StatusReply<T>>, Command> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        sharding.entityRefFor(NamespaceEntity.TYPE_KEY, namespace).<T>askWithStatus(command::apply, timeout)
                .whenCompleteAsync((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(value);
                    }
                }, continuations);
        return result;
    }
}
