package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test with the official turbopuffer TypeScript client on Node: {@code test-support/ts-smoke}
 * holds the pinned client (installed with {@code npm ci} when missing) and a script whose steps
 * print one JSON line each. Node is required: without it this test fails rather than skips.
 */
class TypeScriptClientTest {

    private static final Path SCRIPT_DIR = Path.of("test-support", "ts-smoke");

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        requireNode();
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules").resolve("@turbopuffer"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
            if (install.exit != 0) {
                fail("npm ci in " + SCRIPT_DIR.toAbsolutePath() + " failed:\n" + install.output);
            }
        }
        server = new TestServer(dir, "strata.http.api-keys = [{key = \"ts-key\"}]");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void requireNode() {
        try {
            Result version = run(List.of("node", "--version"), Map.of(), 30);
            if (version.exit != 0) {
                fail("node --version failed: " + version.output);
            }
        } catch (IOException e) {
            fail("Node.js (20 or later) is required for the TypeScript client test and was not found on PATH: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(SCRIPT_DIR.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish in " + timeoutSeconds + "s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs the script's steps; returns step name → result, failing with the script's output on error. */
    private static Map<String, JsonNode> steps(String... steps) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "smoke.mjs"));
        command.addAll(List.of(steps));
        Result r = run(command, Map.of("STRATA_URL", server.base(), "STRATA_API_KEY", "ts-key"), 120);
        assertEquals(0, r.exit, r.output);
        Map<String, JsonNode> out = new HashMap<>();
        for (String line : r.output.split("\n")) {
            if (line.startsWith("{")) {
                JsonNode j = TestServer.JSON.readTree(line);
                out.put(j.get("step").asText(), j.get("result"));
            }
        }
        return out;
    }

    @Test
    void writesQueriesAndListsWithCompression() throws Exception {
        Map<String, JsonNode> r = steps("write", "query", "list");
        assertEquals(50, r.get("write").get("rows_affected").asInt(), r.toString());
        assertEquals("OK", r.get("write").get("status").asText());
        JsonNode q = r.get("query");
        assertEquals(List.of(7, 5, 9), List.of(q.get("ids").get(0).asInt(), q.get("ids").get(1).asInt(),
                q.get("ids").get(2).asInt()), q.toString());
        assertEquals("document number 7 of the smoke test", q.get("first_title").asText());
        assertEquals(0.0, q.get("first_dist").asDouble(), 1e-6);
        assertTrue(q.get("cache_temperature").asText().matches("hot|warm|cold"));
        assertEquals("[\"ts-smoke\"]", r.get("list").get("ids").toString());
    }

    @Test
    void readsMetadata() throws Exception {
        Map<String, JsonNode> r = steps("write", "metadata");
        assertEquals(50, r.get("metadata").get("approx_row_count").asInt(), r.toString());
        assertEquals("[\"even\",\"title\",\"vector\"]", r.get("metadata").get("schema_keys").toString());
    }
}
