package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.namespace.NamespaceException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A namespace that does not answer in time gives a retryable 503, never a hang or a 500. */
class RequestTimeoutTest {

    @TempDir
    Path dir;

    @Test
    void anAskThatTimesOutIsARetryable503() {
        // 1 ms is shorter than any entity's hydration, so the first ask always times out.
        try (TestServer server = new TestServer(dir, "strata.http.request-timeout = 1ms")) {
            server.apiKey = null;
            TestServer.Response r = server.post("/v2/namespaces/slow", "{\"upsert_rows\":[{\"id\":1}]}");
            assertEquals(503, r.status(), r.body());
            assertTrue(r.error().contains("retry"), r.body());
            assertEquals("1000", r.headers().firstValue("retry-after-ms").orElse(""));
        }
    }

    @Test
    void typedErrorsKeepTheirStatusAndRetryHint() {
        HttpResponse tooMany = ErrorMapping.toResponse(new CompletionException(
                new NamespaceException.TooManyRequests("slow down")));
        assertEquals(429, tooMany.status().intValue());
        assertTrue(tooMany.getHeader("retry-after-ms").isPresent());
        HttpResponse bad = ErrorMapping.toResponse(new NamespaceException.BadRequest("no"));
        assertEquals(400, bad.status().intValue());
        assertTrue(bad.getHeader("retry-after-ms").isEmpty());
        assertEquals(503, ErrorMapping.toResponse(new TimeoutException()).status().intValue());
        assertEquals(500, ErrorMapping.toResponse(new IllegalStateException("bug")).status().intValue());
    }
}
