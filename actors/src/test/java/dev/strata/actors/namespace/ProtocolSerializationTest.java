package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.AttributeSpec;
import dev.strata.actors.namespace.NamespaceProtocol.DeleteNamespace;
import dev.strata.actors.namespace.NamespaceProtocol.Describe;
import dev.strata.actors.namespace.NamespaceProtocol.Explain;
import dev.strata.actors.namespace.NamespaceProtocol.MultiQuery;
import dev.strata.actors.namespace.NamespaceProtocol.NamespaceMetadata;
import dev.strata.actors.namespace.NamespaceProtocol.PatchByFilter;
import dev.strata.actors.namespace.NamespaceProtocol.PatchRow;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Recall;
import dev.strata.actors.namespace.NamespaceProtocol.RecallRequest;
import dev.strata.actors.namespace.NamespaceProtocol.RecallResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import dev.strata.actors.namespace.NamespaceProtocol.Stop;
import dev.strata.actors.namespace.NamespaceProtocol.UpdateSchema;
import dev.strata.actors.namespace.NamespaceProtocol.UpsertRow;
import dev.strata.actors.namespace.NamespaceProtocol.WarmCache;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteRequest;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
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
        WriteRequest request = WriteRequest.of(
                List.of(new UpsertRow(1L, new float[] {0.5f, -1f}, Map.of("s", "x", "n", 7L, "f", 1.5, "b", true,
                                "tags", List.of("a", "b"), "big", 1L << 40)),
                        new UpsertRow("doc-2", null, Map.of())),
                List.of(new PatchRow(1L, patch)), List.of(3L, "doc-4"), "cosine_distance", true);
        verify(request);
        verify(new Write(request, probe.getRef()));
        verify(new WriteResult(12, 2, 1, 2));
        verify(new WriteResult(13, 1, 0, 1, List.of(5L), List.of(), List.of("gone")));
        verify(new WriteRequest(List.of(), List.of(), List.of(), List.of("n", "Lt", 3L),
                new PatchByFilter(List.of("s", "Eq", "x"), Map.of("s", "y")), true,
                List.of("version", "Lt", Map.of("$ref_new", "version")), null, List.of("id", "Eq", 7L),
                Map.of("s", new AttributeSpec("string", true, false), "vector", new AttributeSpec("[2]f32", null, true)),
                "euclidean_squared", false, true));
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
        QueryRequest aggregate = new QueryRequest(null, false, null, false, 10, List.of("n", "Gt", 1L), List.of(), true,
                List.of("tags"), true, Map.of("count", List.of("Count")), List.of("color"));
        verify(aggregate);
        verify(new MultiQuery(List.of(nearest, aggregate), kit.<StatusReply<List<QueryResult>>>createTestProbe().getRef()));
        verify(new Explain(nearest, kit.<StatusReply<String>>createTestProbe().getRef()));
        verify(new QueryResult(List.of(), "hot", 0, Map.of(), List.of(Map.of("color", "red", "count", 3L)), 42));
        // What the query side produces: a group whose attribute is missing, a row with its vector.
        Map<String, Object> missing = new java.util.LinkedHashMap<>();
        missing.put("color", null);
        missing.put("count", 2L);
        verify(new QueryResult(List.of(new Row(7L, 0.5, Map.of("vector", List.of(0.25, -1.5)))), "warm", 3,
                Map.of(), List.of(missing), 9));
    }

    @Test
    void namespaceCommandsAndTheirResults() {
        TestProbe<StatusReply<NamespaceMetadata>> metadata = kit.createTestProbe();
        TestProbe<StatusReply<Done>> done = kit.createTestProbe();
        verify(new Describe(metadata.getRef()));
        verify(new UpdateSchema(Map.of("s", new AttributeSpec("string", false, false)), metadata.getRef()));
        verify(new NamespaceMetadata(10, 4096, "2026-11-21T19:00:00Z", "2026-11-21T19:05:00Z",
                Map.of("vector", new AttributeSpec("[2]f32", null, true)), "cosine_distance", 0));
        verify(new DeleteNamespace(done.getRef()));
        verify(new WarmCache(done.getRef()));
        verify(new Recall(new RecallRequest(5, 10, null), kit.<StatusReply<RecallResult>>createTestProbe().getRef()));
        verify(new RecallResult(0.97, 10, 10));
    }
}
