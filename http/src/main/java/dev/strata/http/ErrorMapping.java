package dev.strata.http;

import dev.strata.actors.namespace.NamespaceException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses: {@code {"status":"error","error":"…"}}
 * with the status the failure calls for. Typed namespace errors keep their status; requests
 * the HTTP layer refuses ({@link ApiError}) keep theirs; a body over the size limit is 413;
 * an ask that times out is a retryable 503; Pekko's own rejections (unknown path, wrong
 * method, bad headers) keep Pekko's status with a JSON body. Only a failure nobody classified
 * is a 500, and it is logged.
 */
final class ErrorMapping {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    /** Hint for retryable failures, in milliseconds (the clients honour {@code retry-after-ms}). */
    static final long RETRY_AFTER_MS = 1_000;

    private ErrorMapping() {}

    static HttpResponse toResponse(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof ApiError api) {
            return error(api.status(), api.getMessage(), false);
        }
        if (e instanceof NamespaceException ne) {
            return error(ne.httpStatus(), ne.getMessage(), ne.retryable());
        }
        if (e instanceof EntityStreamSizeException size) {
            return error(413, "the request body is larger than the limit of " + size.limit() + " bytes", false);
        }
        if (e instanceof TimeoutException || e instanceof AskTimeoutException) {
            return error(503, "the namespace did not answer in time; retry", true);
        }
        if (e instanceof StatusReply.ErrorMessage msg) {
            // A plain-text error reply: the entity refused the command without a typed exception.
            return error(400, msg.getMessage(), false);
        }
        log.error("unexpected failure while serving a request", e);
        return error(500, "internal error: " + e.getClass().getSimpleName(), false);
    }

    static HttpResponse error(int status, String message, boolean retryable) {
        HttpResponse response = Json.response(status, Map.of("status", "error", "error",
                message == null ? "error" : message));
        if (retryable && (status == 429 || status == 503)) {
            response = response.addHeader(RawHeader.create("retry-after-ms", Long.toString(RETRY_AFTER_MS)));
        }
        return response;
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Exceptions thrown while routing (not inside a future) go through {@link #toResponse}. */
    static ExceptionHandler exceptionHandler() {
        return ExceptionHandler.newBuilder()
                .matchAny(e -> org.apache.pekko.http.javadsl.server.Directives.complete(toResponse(e)))
                .build();
    }

    /** Pekko's default rejection statuses and messages, with the API's JSON error body. */
    static RejectionHandler rejectionHandler() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity() instanceof HttpEntity.Strict strict
                    && !strict.getContentType().mediaType().toString().contains("json")) {
                String text = strict.getData().utf8String();
                return error(response.status().intValue(), text, false)
                        .withHeaders(response.getHeaders());
            }
            return response;
        });
    }
}
