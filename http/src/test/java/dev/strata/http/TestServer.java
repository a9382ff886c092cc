package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * A Strata node started for tests (local directory store under {@code dir}, HTTP on a free
 * port) and a real HTTP client to call it.
 */
final class TestServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, headers and body text (parsed on demand). */
    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String error() {
            JsonNode j = json();
            assertEquals("error", j.path("status").asText(), body);
            return j.path("error").asText();
        }
    }

    final StrataServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String apiKey = "test-key";

    TestServer(Path dir, String extraConfig) {
        var config = ConfigFactory.parseString(extraConfig + "\n" + """
                strata.http.port = 0
                strata.storage.local.directory = "%s"
                strata.cache.ssd.directory = "%s"
                strata.cache.ssd.size = 16MiB
                pekko.remote.artery.canonical.port = 0
                """.formatted(dir.resolve("data"), dir.resolve("cache")))
                .withFallback(ConfigFactory.load());
        server = StrataServer.start(config).toCompletableFuture().join();
        try {
            server.memberUp().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.close();
            throw new IllegalStateException("node did not come up", e);
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Response postBytes(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    Response get(String path) {
        return send(request(path).GET().build());
    }

    Response delete(String path) {
        return send(request(path).DELETE().build());
    }

    /** Writes and asserts success. */
    JsonNode write(String ns, String body) {
        Response r = post("/v2/namespaces/" + ns, body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    JsonNode query(String ns, String body) {
        Response r = post("/v2/namespaces/" + ns + "/query", body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /** Every document of a namespace in id order, as the query endpoint returns it (all attributes). */
    String dump(String ns) {
        Response r = post("/v2/namespaces/" + ns + "/query",
                "{\"rank_by\":[\"id\",\"asc\"],\"top_k\":10000,\"include_attributes\":true}");
        if (r.status() == 404) {
            return "(none)";
        }
        assertEquals(200, r.status(), r.body());
        return r.json().get("rows").toString();
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.close();
    }
}
