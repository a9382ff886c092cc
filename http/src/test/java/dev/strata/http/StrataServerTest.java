package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrataServerTest {

    @TempDir
    Path tmp;

    @Test
    void aStartedNodeReportsHealthyOverHttpAndStopsCleanly() throws Exception {
        var config = ConfigFactory.parseString("""
                strata.http.port = 0
                strata.storage.local.directory = "%s"
                strata.cache.ssd.directory = "%s"
                strata.cache.ssd.size = 16MiB
                pekko.remote.artery.canonical.port = 0
                """.formatted(tmp.resolve("data"), tmp.resolve("cache")))
                .withFallback(ConfigFactory.load());
        HttpClient client = HttpClient.newHttpClient();
        try (StrataServer server = StrataServer.start(config).toCompletableFuture().join()) {
            URI health = URI.create("http://127.0.0.1:" + server.port() + "/strata/health");
            server.memberUp().toCompletableFuture().get(30, TimeUnit.SECONDS);
            HttpResponse<String> response =
                    client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("\"member_status\":\"Up\""), response.body());
            server.close();
            assertTrue(server.system().getWhenTerminated().toCompletableFuture().isDone());
        }
    }
}
