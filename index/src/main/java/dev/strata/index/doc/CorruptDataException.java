package dev.strata.index.doc;

/**
 * Bytes that cannot be what they claim to be: a truncated, corrupted or foreign object read by one
 * of the binary formats (a WAL batch, a segment file).
 *
 * <p>The message always names the resource (the object key the caller passed in), so an operator
 * can find the damaged object. A reader that raises this never returns partial results.
 */
public final class CorruptDataException extends RuntimeException {

    private final String resource;

    public CorruptDataException(String resource, String detail) {
        super(resource + ": " + detail);
        this.resource = resource;
    }

    public CorruptDataException(String resource, String detail, Throwable cause) {
        super(resource + ": " + detail, cause);
        this.resource = resource;
    }

    /** The object key (or other name) of the damaged resource. */
    public String resource() {
        return resource;
    }
}
