package dev.strata.actors.namespace;

/**
 * Why the namespace entity refused a command. Each kind is its own subclass with a
 * {@code (String)} constructor, so it survives Pekko's serialization of {@code StatusReply}
 * errors between nodes, and the HTTP layer maps it to a status code with {@link #httpStatus()}.
 */
public abstract class NamespaceException extends RuntimeException {

    protected NamespaceException(String message) {
        super(message);
    }

    /** The HTTP status this error maps to. */
    public abstract int httpStatus();

    /** True when the same request may succeed if sent again. */
    public boolean retryable() {
        return false;
    }

    /** The request is invalid (schema violation, bad filter, wrong vector size): HTTP 400. */
    public static final class BadRequest extends NamespaceException {
        public BadRequest(String message) {
            super(message);
        }

        @Override
        public int httpStatus() {
            return 400;
        }
    }

    /** The namespace has no data: HTTP 404. */
    public static final class NotFound extends NamespaceException {
        public NotFound(String message) {
            super(message);
        }

        @Override
        public int httpStatus() {
            return 404;
        }
    }

    /** The unindexed tail is over its limit; retry later: HTTP 429. */
    public static final class TooManyRequests extends NamespaceException {
        public TooManyRequests(String message) {
            super(message);
        }

        @Override
        public int httpStatus() {
            return 429;
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /**
     * The write was not committed (another owner took over, or the store failed) and the entity
     * is reloading; retry: HTTP 503.
     */
    public static final class Unavailable extends NamespaceException {
        public Unavailable(String message) {
            super(message);
        }

        @Override
        public int httpStatus() {
            return 503;
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }
}
