package dev.strata.http.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.strata.config.SettingsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a node finds its cluster, read from {@code strata.cluster}: either the configured seed
 * nodes (joining itself when there are none, which makes a one-node cluster with no
 * configuration), or Pekko Management Cluster Bootstrap with a discovery method ({@code config}
 * for a fixed list of management endpoints, {@code kubernetes-api} for the pods of a
 * Deployment). Pekko Management's HTTP server (health checks, cluster membership) runs in both
 * modes.
 *
 * @param formation seed nodes or bootstrap
 * @param discoveryMethod the bootstrap's discovery method (meaningful only for bootstrap)
 * @param serviceName the discovery service name
 * @param contactPoints the management endpoints for {@code config} discovery; may be empty
 */
public record ClusterFormation(Formation formation, String discoveryMethod, String serviceName,
                               List<ContactPoint> contactPoints) {

    /** The two ways a node can find its cluster. */
    public enum Formation { SEED_NODES, BOOTSTRAP }

    /** One management endpoint ({@code host:port}) listed for {@code config} discovery. */
    public record ContactPoint(String host, int port) {

        public ContactPoint {
            if (host.isBlank() || port <= 0 || port > 65535) {
                throw new IllegalArgumentException("a contact point needs a host and a port: " + host + ":" + port);
            }
        }
    }

    static final String FORMATION_KEY = "strata.cluster.formation";
    static final String CONTACT_POINTS_KEY = "strata.cluster.contact-points";
    private static final String DISCOVERY_KEY = "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method";
    private static final String SERVICE_KEY = "pekko.management.cluster.bootstrap.contact-point-discovery.service-name";

    public ClusterFormation {
        contactPoints = List.copyOf(contactPoints);
        if (formation == Formation.BOOTSTRAP && discoveryMethod.equals("config") && contactPoints.isEmpty()) {
            throw new SettingsException(CONTACT_POINTS_KEY + " is empty: bootstrap with config discovery needs the"
                    + " management endpoints (host:port, comma-separated) of the nodes that form the cluster");
        }
    }

    /** Reads and validates the settings; a bad value fails with a message naming its key. */
    public static ClusterFormation from(Config config) {
        String formation = config.getString(FORMATION_KEY).trim().toLowerCase(Locale.ROOT);
        Formation mode = switch (formation) {
            case "seed-nodes" -> Formation.SEED_NODES;
            case "bootstrap" -> Formation.BOOTSTRAP;
            default -> throw new SettingsException(FORMATION_KEY + " = " + formation
                    + ": must be seed-nodes or bootstrap");
        };
        return new ClusterFormation(mode, config.getString(DISCOVERY_KEY), config.getString(SERVICE_KEY),
                parseContactPoints(config.getString(CONTACT_POINTS_KEY)));
    }

    /** Parses {@code "host:port,host:port"}; blank means none. */
    static List<ContactPoint> parseContactPoints(String list) {
        List<ContactPoint> points = new ArrayList<>();
        for (String entry : list.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new IllegalArgumentException("no port");
                }
                points.add(new ContactPoint(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1))));
            } catch (IllegalArgumentException ex) {
                throw new SettingsException(CONTACT_POINTS_KEY + " = \"" + list + "\": \"" + e
                        + "\" is not host:port (" + ex.getMessage() + ")", ex);
            }
        }
        return points;
    }

    /**
     * {@code config} with the contact points written where Pekko's config discovery reads them
     * ({@code pekko.discovery.config.services.<service>.endpoints}); HOCON cannot split an
     * environment variable into that list itself. Unchanged when there are no contact points.
     */
    public Config applyTo(Config config) {
        if (contactPoints.isEmpty()) {
            return config;
        }
        List<Map<String, Object>> endpoints = contactPoints.stream()
                .map(p -> Map.<String, Object>of("host", p.host(), "port", p.port()))
                .toList();
        return ConfigFactory.empty()
                .withValue("pekko.discovery.config.services." + quoted(serviceName) + ".endpoints",
                        ConfigValueFactory.fromIterable(endpoints))
                .withFallback(config);
    }

    /**
     * Starts Pekko Management and then joins: the seed nodes are joined by Pekko itself, an
     * empty list means joining oneself, and bootstrap starts Cluster Bootstrap. Completes with
     * the management server's URI once it is bound, or fails if it cannot start.
     */
    public CompletionStage<Uri> start(ActorSystem<?> system) {
        try {
            CompletionStage<Uri> management = PekkoManagement.get(system).start();
            Cluster cluster = Cluster.get(system);
            switch (formation) {
                case SEED_NODES -> {
                    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                        cluster.manager().tell(Join.create(cluster.selfMember().address()));
                    }
                }
                // Bootstrap asks the other contact points' management servers, so ours must be (or
                // become) reachable too; it retries until they answer.
                case BOOTSTRAP -> ClusterBootstrap.get(system).start();
            }
            return management;
        } catch (RuntimeException e) {
            // Bad management settings (e.g. a port out of range) fail the start like a failed
            // bind does, so the caller terminates the actor system instead of leaving it running.
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String quoted(String key) {
        return "\"" + key.replace("\"", "\\\"") + "\"";
    }
}
