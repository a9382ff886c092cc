package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.Stop;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every protocol message survives the serializer configured for it (Jackson CBOR). */
class ProtocolSerializationTest {

    private static ActorTestKit kit;
    private static SerializationTestKit serialization;

    @BeforeAll
    static void start() {
        // Serialize even local messages, and refuse Java serialization, as between nodes.
        kit = ActorTestKit.create("serialization", ConfigFactory.parseString(
                "pekko.actor.serialize-messages = on\npekko.actor.allow-java-serialization = off")
                .withFallback(ConfigFactory.load()));
        serialization = kit.serializationTestKit();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static void verify(Object message) {
        serialization.verifySerialization(message, true);
    }

    @Test
    void writesAndTheirResults() {
        TestProbe<StatusReply<WriteResult>> probe = kit.createTestProbe();
        Map<String, Object> patch = new HashMap<>();
        patch.put("removed", null);
        patch.put("count", 3L);
        WriteRequest request = new WriteRequest(
                List.of(new UpsertRow(1L, new float[] {0.5f, -1f}, Map.of("s", "x", "n", 7L, "f", 1.5, "b", true,
                                "tags", List.of("a", "b"), "big", 1L << 40)),
                        new UpsertRow("doc-2", null, Map.of())),
                List.of(new PatchRow(1L, patch)), List.of(3L, "doc-4"), "cosine_distance", true);
        verify(request);
        verify(new Write(request, probe.getRef()));
        verify(new WriteResult(12, 2, 1, 2));
        verify(Stop.INSTANCE);
    }

    @Test
    void queriesAndTheirResults() {
        TestProbe<StatusReply<QueryResult>> probe = kit.createTestProbe();
        QueryRequest nearest = QueryRequest.nearest(new float[] {1f, 2f}, 10)
                .withFilters(List.of("And", List.of(List.of("color", "Eq", "red"), List.of("n", "Gt", 3L))))
                .including(List.of("color"));
        verify(nearest);
        verify(new Query(nearest, probe.getRef()));
        verify(new Query(QueryRequest.orderBy("n", true, 5).includingAll(), probe.getRef()));
        verify(new QueryResult(List.of(new Row(1L, 0.25, Map.of("color", "red", "tags", List.of(1L, 2L))),
                new Row("doc", null, Map.of())), "cold", 17));
    }
}
