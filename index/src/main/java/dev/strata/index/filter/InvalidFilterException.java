package dev.strata.index.filter;

/**
 * A filter that cannot be parsed or does not fit the schema. The message starts with the path of
 * the offending element in the request's JSON (for example {@code filters[1][2]}) and says what
 * was expected there.
 */
public final class InvalidFilterException extends IllegalArgumentException {

    private final String path;

    public InvalidFilterException(String path, String detail) {
        super(path + ": " + detail);
        this.path = path;
    }

    /** Where in the filter tree the problem is, for example {@code filters[1][0]}. */
    public String path() {
        return path;
    }
}
