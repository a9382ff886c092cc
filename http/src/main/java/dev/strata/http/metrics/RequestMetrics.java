package dev.strata.http.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import dev.strata.http.metrics.StrataMetrics.Operation;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Measures every API request: in flight, count by operation and status class, and duration.
 * The operation comes from the method and path shape of the turbopuffer API, never from the
 * namespace in the path, so labels stay bounded.
 */
public final class RequestMetrics {

    // Compiled once: String.replaceAll and a multi-character split compile their pattern on
    // every call, and every request is classified.
    private static final Pattern EDGE_SLASHES = Pattern.compile("^/+|/+$");
    private static final Pattern SLASHES = Pattern.compile("/+");

    private RequestMetrics() {}

    /**
     * {@code routes}, sealed with Pekko's default handlers (rejections and exceptions become
     * their error responses, as they would at the server's edge) so that every request is
     * counted with the status it gets.
     * A request the server itself times out before the route answers stays counted in flight.
     */
    public static Route measured(StrataMetrics metrics, Route routes) {
        return measure(metrics, routes.seal());
    }

    /**
     * {@code routes} sealed with the API's own handlers (so its error bodies are kept), measured
     * like {@link #measured(StrataMetrics, Route)}.
     */
    public static Route measured(StrataMetrics metrics, Route routes, RejectionHandler rejections,
                                 ExceptionHandler exceptions) {
        return measure(metrics, routes.seal(rejections, exceptions));
    }

    private static Route measure(StrataMetrics metrics, Route sealed) {
        return extractRequest(request -> {
            Operation operation = classify(request.method().value(), request.getUri().path());
            long start = System.nanoTime();
            metrics.requestStarted(operation);
            return mapResponse(response -> {
                metrics.requestFinished(operation, response.status().intValue(), System.nanoTime() - start);
                return response;
            }, () -> sealed);
        });
    }

    /** The API operation of a request, from its method and path (e.g. POST /v2/namespaces/x/query). */
    static Operation classify(String method, String path) {
        String[] parts = SLASHES.split(EDGE_SLASHES.matcher(path).replaceAll(""));
        boolean namespaces = parts.length >= 2 && (parts[0].equals("v1") || parts[0].equals("v2"))
                && parts[1].equals("namespaces");
        if (!namespaces) {
            return Operation.OTHER;
        }
        if (parts.length == 2) {
            return method.equals("GET") ? Operation.LIST_NAMESPACES : Operation.OTHER;
        }
        if (parts.length == 3) {
            return switch (method) {
                case "POST" -> Operation.WRITE;
                case "DELETE" -> Operation.DELETE_NAMESPACE;
                case "GET", "HEAD" -> Operation.METADATA;
                default -> Operation.OTHER;
            };
        }
        String action = String.join("/", java.util.Arrays.copyOfRange(parts, 3, parts.length));
        return switch (action) {
            case "query" -> Operation.QUERY;
            case "explain_query" -> Operation.EXPLAIN;
            case "metadata" -> Operation.METADATA;
            case "schema" -> Operation.SCHEMA;
            case "hint_cache_warm" -> Operation.WARM_CACHE;
            case "_debug/recall" -> Operation.RECALL;
            default -> Operation.OTHER;
        };
    }
}
