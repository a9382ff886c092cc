package dev.strata.tiering.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that answers requests with responses queued by the test, in order, and
 * records what it was asked. It lets tests put an S3 client in front of exact failures (a 503,
 * a 409, a short body, no answer at all) that a real server will not produce on demand.
 * Unscripted requests get a 599 so they stand out.
 */
public final class ScriptedHttpServer implements AutoCloseable {

    /** A canned response; {@code stall} makes the server never answer (until it is closed). */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean stall) {

        public static Response of(int status, Map<String, String> headers, byte[] body) {
            return new Response(status, headers, body, false);
        }

        /** An S3-style XML error. */
        public static Response s3Error(int status, String code) {
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>scripted "
                    + code + "</Message><RequestId>test</RequestId></Error>";
            return of(status, Map.of("Content-Type", "application/xml"), xml.getBytes(StandardCharsets.UTF_8));
        }

        public static Response stalled() {
            return new Response(0, Map.of(), new byte[0], true);
        }
    }

    /** What one request asked for; header names are lower case. */
    public record Request(String method, String path, Map<String, List<String>> headers) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Response> script = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    public ScriptedHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::answer);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Queues responses for the next requests, in order. */
    public ScriptedHttpServer then(Response... responses) {
        script.addAll(List.of(responses));
        return this;
    }

    /** Forgets the recorded requests and any responses not yet used. */
    public void reset() {
        script.clear();
        requests.clear();
    }

    /** The requests received so far, oldest first. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputStream.nullOutputStream());
            Map<String, List<String>> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(values)));
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers));
            Response response = script.poll();
            if (response == null) {
                response = Response.s3Error(599, "Unscripted");
            }
            if (response.stall()) {
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            boolean noBody = exchange.getRequestMethod().equals("HEAD") || response.body().length == 0;
            exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
            if (!noBody) {
                exchange.getResponseBody().write(response.body());
            }
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
