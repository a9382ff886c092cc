package dev.strata.http.metrics;

import io.prometheus.metrics.core.metrics.Gauge;
import java.time.Duration;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Polls this node's shard region for the shards and entities (namespaces) it hosts and keeps
 * the two gauges current. The query is asynchronous (no scrape waits on it); a failed, slow or
 * partial answer leaves the previous values in place. The next poll is scheduled once the
 * previous one has been answered or has timed out, so no two answers race: a slow, older answer
 * could otherwise overwrite part of a newer one (one gauge from each).
 */
final class ShardingMetrics {

    private ShardingMetrics() {}

    static void start(ActorSystem<?> system, EntityTypeKey<?> type, Duration interval, Gauge shards, Gauge entities) {
        pollAfter(system, type, interval, shards, entities);
    }

    private static void pollAfter(ActorSystem<?> system, EntityTypeKey<?> type, Duration interval, Gauge shards,
                                  Gauge entities) {
        Runnable poll = () -> AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                        ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(system).shardState(),
                        replyTo -> new GetShardRegionState(type, replyTo), interval, system.scheduler())
                // On the caller's thread, not the common pool (which starts a thread per task
                // on a machine with two or fewer processors).
                .whenCompleteAsync((state, error) -> {
                    // A shard that did not answer in time is left out of the answer: keep the
                    // previous counts rather than export a partial one.
                    if (state != null && state.getFailed().isEmpty()) {
                        shards.set(state.getShards().size());
                        entities.set(state.getShards().stream().mapToInt(s -> s.getEntityIds().size()).sum());
                    }
                    pollAfter(system, type, interval, shards, entities);
                }, Runnable::run);
        try {
            system.scheduler().scheduleOnce(interval, poll, system.executionContext());
        } catch (SchedulerException stopped) {
            // The actor system is shutting down: no more polls.
        }
    }
}
