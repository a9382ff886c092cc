package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer-key authentication and per-key namespace prefixes, over real HTTP. */
class AuthTest {

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, """
                strata.http.api-keys = [
                  {key = "admin-key"},
                  {key = "team-a-key", namespace-prefixes = ["a-"]}
                ]
                """);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private TestServer.Response as(String key, String method, String path, String body) {
        server.apiKey = key;
        try {
            return switch (method) {
                case "GET" -> server.get(path);
                case "POST" -> server.post(path, body);
                default -> throw new IllegalArgumentException(method);
            };
        } finally {
            server.apiKey = "admin-key";
        }
    }

    @Test
    void missingOrUnknownKeysAre401() {
        String write = "{\"upsert_rows\":[{\"id\":1}]}";
        TestServer.Response none = as(null, "POST", "/v2/namespaces/a-one", write);
        assertEquals(401, none.status(), none.body());
        assertTrue(none.error().contains("Authorization"));
        TestServer.Response wrong = as("nope", "POST", "/v2/namespaces/a-one", write);
        assertEquals(401, wrong.status());
        assertTrue(!wrong.body().contains("admin-key") && !wrong.body().contains("team-a-key"));
        assertEquals(401, as(null, "GET", "/v1/namespaces", null).status());
        assertEquals(401, as("nope", "POST", "/v2/namespaces/a-one/query", "{\"rank_by\":[\"id\",\"asc\"]}").status());
        server.apiKey = null;
        try {
            TestServer.Response basic = server.send(server.request("/v1/namespaces")
                    .header("Authorization", "Basic eDp5").GET().build());
            assertEquals(401, basic.status(), basic.body());
        } finally {
            server.apiKey = "admin-key";
        }
    }

    @Test
    void keysAreLimitedToTheirPrefixes() {
        String write = "{\"upsert_rows\":[{\"id\":1}]}";
        assertEquals(200, as("team-a-key", "POST", "/v2/namespaces/a-mine", write).status());
        TestServer.Response other = as("team-a-key", "POST", "/v2/namespaces/b-theirs", write);
        assertEquals(403, other.status(), other.body());
        other.error();
        assertEquals(200, as("admin-key", "POST", "/v2/namespaces/b-theirs", write).status());
        assertEquals(403, as("team-a-key", "POST", "/v2/namespaces/b-theirs/query",
                "{\"rank_by\":[\"id\",\"asc\"]}").status());
        assertEquals(200, as("team-a-key", "POST", "/v2/namespaces/a-mine/query",
                "{\"rank_by\":[\"id\",\"asc\"]}").status());

        assertEquals(List.of("a-mine"), names(as("team-a-key", "GET", "/v1/namespaces", null).json()));
        List<String> all = names(as("admin-key", "GET", "/v1/namespaces", null).json());
        assertTrue(all.contains("a-mine") && all.contains("b-theirs"), all.toString());
    }

    private static List<String> names(JsonNode listing) {
        List<String> out = new ArrayList<>();
        listing.get("namespaces").forEach(n -> out.add(n.get("id").asText()));
        return out;
    }
}
