package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws random and mutated request bodies at the write and query endpoints: valid bodies with
 * fields deleted, values swapped for other types, numbers made huge, truncated text, deep
 * nesting and random bytes. No answer may be a 5xx, every request must complete (the client
 * times out otherwise), every refusal is a JSON error, and a refused write leaves the
 * namespace exactly as it was. Fixed seed, bounded count.
 */
class FuzzTest {

    private static final long SEED = 0x5EED_F00DL;
    private static final int REQUESTS_PER_ENDPOINT = 150;

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, "strata.http.max-request-size = 1MiB");
        server.apiKey = null;
        server.write("fuzz", "{\"upsert_rows\":[{\"id\":1,\"vector\":[0.1,0.2,0.3],\"name\":\"a\",\"tags\":[\"x\"],\"n\":1},"
                + "{\"id\":\"two\",\"vector\":[0.3,0.2,0.1],\"name\":\"b\",\"n\":2}],\"distance_metric\":\"cosine_distance\"}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final List<String> WRITES = List.of(
            "{\"upsert_rows\":[{\"id\":3,\"vector\":[1,2,3],\"name\":\"c\",\"tags\":[\"y\",\"z\"],\"n\":3}]}",
            "{\"upsert_columns\":{\"id\":[4,5],\"vector\":[[1,0,0],[0,1,0]],\"name\":[\"d\",null]},"
                    + "\"distance_metric\":\"cosine_distance\"}",
            "{\"patch_rows\":[{\"id\":1,\"name\":\"patched\"}],\"deletes\":[\"two\"]}",
            "{\"patch_columns\":{\"id\":[1,3],\"n\":[10,11]}}",
            "{\"upsert_rows\":[{\"id\":6,\"vector\":\"AACAPwAAAEAAAEBA\"}],\"schema\":{\"name\":{\"type\":\"string\","
                    + "\"filterable\":true}}}",
            "{\"deletes\":[5,6]}");

    private static final List<String> QUERIES = List.of(
            "{\"rank_by\":[\"vector\",\"ANN\",[0.1,0.2,0.3]],\"top_k\":5,\"include_attributes\":[\"name\"]}",
            "{\"rank_by\":[\"n\",\"desc\"],\"top_k\":3,\"filters\":[\"And\",[[\"name\",\"Eq\",\"a\"],[\"n\",\"Gt\",0]]]}",
            "{\"rank_by\":[\"id\",\"asc\"],\"limit\":{\"total\":10},\"include_attributes\":true,"
                    + "\"consistency\":{\"level\":\"eventual\"}}",
            "{\"rank_by\":[\"vector\",\"kNN\",[1,1,1]],\"filters\":[\"tags\",\"ContainsAny\",[\"x\"]],\"top_k\":2}");

    @Test
    void mutatedWritesNeverFailServerSideAndRefusedOnesChangeNothing() throws Exception {
        Random random = new Random(SEED);
        String contents = server.dump("fuzz");
        int refused = 0;
        for (int i = 0; i < REQUESTS_PER_ENDPOINT; i++) {
            byte[] body = mutate(WRITES.get(random.nextInt(WRITES.size())), random);
            TestServer.Response r = server.postBytes("/v2/namespaces/fuzz", body, "Content-Type", "application/json");
            String what = "request " + i + ": " + preview(body) + " -> " + r.status() + " " + r.body();
            assertTrue(r.status() < 500, what);
            if (r.status() == 200) {
                contents = server.dump("fuzz");
            } else {
                refused++;
                assertTrue(r.status() >= 400, what);
                assertEquals("error", r.json().path("status").asText(), what);
                assertEquals(contents, server.dump("fuzz"), "a refused write changed the namespace: " + what);
            }
        }
        assertTrue(refused > REQUESTS_PER_ENDPOINT / 3, "the mutations should mostly produce invalid bodies: " + refused);
    }

    @Test
    void mutatedQueriesNeverFailServerSide() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < REQUESTS_PER_ENDPOINT; i++) {
            byte[] body = mutate(QUERIES.get(random.nextInt(QUERIES.size())), random);
            TestServer.Response r = server.postBytes("/v2/namespaces/fuzz/query", body, "Content-Type", "application/json");
            String what = "request " + i + ": " + preview(body) + " -> " + r.status() + " " + r.body();
            assertTrue(r.status() < 500, what);
            if (r.status() != 200) {
                assertEquals("error", r.json().path("status").asText(), what);
            } else {
                assertTrue(r.json().has("performance"), what);
            }
        }
    }

    // --- mutations ------------------------------------------------------------------------------

    static byte[] mutate(String valid, Random random) {
        int kind = random.nextInt(9);
        switch (kind) {
            case 0: { // truncated JSON
                int cut = random.nextInt(valid.length());
                return valid.substring(0, cut).getBytes(StandardCharsets.UTF_8);
            }
            case 1: { // random bytes
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                return b;
            }
            case 2: { // deep nesting in place of a value
                int depth = 50 + random.nextInt(2000);
                String deep = "[".repeat(depth) + "1" + "]".repeat(depth);
                return replaceRandomValue(valid, random, deep);
            }
            case 3: // a huge number
                return replaceRandomValue(valid, random, random.nextBoolean() ? "1e999" : "123456789012345678901234567890");
            case 4: // a non-JSON literal
                return replaceRandomValue(valid, random, random.nextBoolean() ? "NaN" : "Infinity");
            default: { // structural: delete a field or swap a value's type, one to three times
                JsonNode tree = parse(valid);
                int edits = 1 + random.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    if (random.nextBoolean()) {
                        deleteRandomField(tree, random);
                    } else {
                        tree = swapRandomNode(tree, random);
                    }
                }
                return tree.toString().getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    private static JsonNode parse(String text) {
        try {
            return TestServer.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces one random node's JSON text by {@code raw} (which may be invalid JSON). */
    private static byte[] replaceRandomValue(String valid, Random random, String raw) {
        JsonNode tree = parse(valid);
        List<JsonNode> nodes = new ArrayList<>();
        collect(tree, nodes);
        JsonNode target = nodes.get(random.nextInt(nodes.size()));
        String marker = "\"__FUZZ_MARKER__\"";
        JsonNode replaced = replace(tree, target, TestServer.JSON.getNodeFactory().textNode("__FUZZ_MARKER__"));
        return replaced.toString().replace(marker, raw).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode swapRandomNode(JsonNode tree, Random random) {
        List<JsonNode> nodes = new ArrayList<>();
        collect(tree, nodes);
        JsonNode target = nodes.get(random.nextInt(nodes.size()));
        JsonNodeFactory f = TestServer.JSON.getNodeFactory();
        JsonNode other = switch (random.nextInt(8)) {
            case 0 -> f.textNode("x");
            case 1 -> f.numberNode(random.nextInt(1_000_000) - 500_000);
            case 2 -> f.booleanNode(random.nextBoolean());
            case 3 -> f.nullNode();
            case 4 -> f.arrayNode();
            case 5 -> f.objectNode();
            case 6 -> f.numberNode(Double.MAX_VALUE);
            default -> f.arrayNode().add("Eq").add(1);
        };
        return replace(tree, target, other);
    }

    private static void deleteRandomField(JsonNode tree, Random random) {
        List<JsonNode> objects = new ArrayList<>();
        collect(tree, objects);
        objects.removeIf(n -> !n.isObject() || n.isEmpty());
        if (objects.isEmpty()) {
            return;
        }
        ObjectNode o = (ObjectNode) objects.get(random.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        o.remove(names.get(random.nextInt(names.size())));
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        out.add(node);
        for (JsonNode child : node) {
            collect(child, out);
        }
    }

    /** The tree with {@code target} (by identity) replaced; the root itself may be the target. */
    private static JsonNode replace(JsonNode tree, JsonNode target, JsonNode with) {
        if (tree == target) {
            return with;
        }
        if (tree instanceof ObjectNode o) {
            Iterator<String> names = o.fieldNames();
            List<String> list = new ArrayList<>();
            names.forEachRemaining(list::add);
            for (String name : list) {
                o.set(name, replace(o.get(name), target, with));
            }
        } else if (tree instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, replace(a.get(i), target, with));
            }
        }
        return tree;
    }

    private static String preview(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
