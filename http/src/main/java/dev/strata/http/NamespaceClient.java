package dev.strata.http;

import dev.strata.actors.namespace.NamespaceEntity;
import dev.strata.actors.namespace.NamespaceProtocol.Command;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
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

    NamespaceClient(ActorSystem<?> system, Duration timeout) {
        this.sharding = ClusterSharding.get(system);
        this.timeout = timeout;
    }

    <T> CompletionStage<T> ask(String namespace, Function<ActorRef<StatusReply<T>>, Command> command) {
        return sharding.entityRefFor(NamespaceEntity.TYPE_KEY, namespace).askWithStatus(command::apply, timeout);
    }
}
