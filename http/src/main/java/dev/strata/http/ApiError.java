package dev.strata.http;

/**
 * A request the HTTP layer refuses before (or instead of) asking a namespace: the status code
 * and a message that says what is wrong, for example
 * {@code upsert_rows[3].vector: expected 384 dimensions, got 12}.
 */
final class ApiError extends RuntimeException {

    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    /** 400 for an element of the request body, named by its path. */
    static ApiError at(String path, String message) {
        return new ApiError(400, path + ": " + message);
    }

    /** 400 for a turbopuffer feature Strata does not implement. */
    static ApiError unsupported(String feature) {
        return new ApiError(400, feature + " is not supported by Strata");
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, message);
    }

    static ApiError forbidden(String message) {
        return new ApiError(403, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message);
    }
}
