package dev.strata.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import dev.strata.tiering.read.TieredStorage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** The HTTP routes of a Strata node. */
final class Routes {

    private final Cluster cluster;
    private final TieredStorage storage;

    Routes(ActorSystem<?> system, TieredStorage storage) {
        this.cluster = Cluster.get(system);
        this.storage = storage;
    }

    Route all() {
        return concat(pathPrefix("strata", () -> path("health", () -> get(this::health))));
    }

    /** 200 while this node is an Up member of the cluster, 503 otherwise (joining, leaving). */
    private Route health() {
        MemberStatus status = cluster.selfMember().status();
        boolean up = status == MemberStatus.up();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ok" : "unavailable");
        body.put("member_status", status.toString());
        body.put("address", cluster.selfMember().address().toString());
        body.put("storage", storage.store().describe());
        return complete(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body, Jackson.marshaller());
    }
}
