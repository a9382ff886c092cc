package dev.strata.http.metrics;

import com.typesafe.config.ConfigFactory;
import dev.strata.http.StrataServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A one-node server in this JVM, for tests that scrape its {@code GET /metrics}. */
final class ScrapedServer implements AutoCloseable {

    private final StrataServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    ScrapedServer(Path dir) throws Exception {
        var config = ConfigFactory.parseString("""
                strata.http.port = 0
                strata.storage.local.directory = "%s"
                strata.cache.ssd.directory = "%s"
                strata.cache.ssd.size = 16MiB
                pekko.remote.artery.canonical.port = 0
                strata.metrics.sharding-poll-interval = 200ms
                """.formatted(dir.resolve("data"), dir.resolve("cache")))
                .withFallback(ConfigFactory.load());
        server = StrataServer.start(config).toCompletableFuture().get(60, TimeUnit.SECONDS);
        server.memberUp().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    StrataServer server() {
        return server;
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> scrape(String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
    }
}
