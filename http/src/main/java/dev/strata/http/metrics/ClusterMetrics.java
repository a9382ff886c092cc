package dev.strata.http.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/** Scrape-time readers of the cluster membership as this node sees it. */
final class ClusterMetrics {

    /** Member statuses as labels; "unreachable" counts reachability, not a status. */
    private enum Status { JOINING, WEAKLY_UP, UP, LEAVING, EXITING, DOWN, REMOVED, PREPARING_FOR_SHUTDOWN, READY_FOR_SHUTDOWN }

    private ClusterMetrics() {}

    static void registerMembership(PrometheusRegistry registry, ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        GaugeWithCallback.builder().name("strata_cluster_members")
                .help("Cluster members by status, as this node sees them").labelNames("status")
                .callback(cb -> {
                    ClusterEvent.CurrentClusterState state = cluster.state();
                    Map<Status, Integer> counts = new EnumMap<>(Status.class);
                    for (Status s : Status.values()) {
                        counts.put(s, 0);
                    }
                    for (Member m : state.getMembers()) {
                        counts.merge(statusOf(m), 1, Integer::sum);
                    }
                    counts.forEach((status, n) -> cb.call(n, status.name().toLowerCase(Locale.ROOT)));
                }).register(registry);
        GaugeWithCallback.builder().name("strata_cluster_unreachable_members")
                .help("Members this node's failure detector considers unreachable")
                .callback(cb -> cb.call(cluster.state().getUnreachable().size())).register(registry);
        GaugeWithCallback.builder().name("strata_cluster_self_up")
                .help("1 while this node is an Up member of the cluster")
                .callback(cb -> cb.call(statusOf(cluster.selfMember()) == Status.UP ? 1 : 0)).register(registry);
    }

    private static Status statusOf(Member member) {
        String name = member.status().toString();
        for (Status s : Status.values()) {
            if (s.name().replace("_", "").equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalStateException("unknown member status " + name);
    }
}
