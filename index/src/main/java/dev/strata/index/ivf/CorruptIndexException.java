package dev.strata.index.ivf;

/**
 * Raised when bytes of an index section fail validation: a checksum mismatch, a truncated
 * object or read, or a header that contradicts itself. Names the resource and the part.
 */
public final class CorruptIndexException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String resource;

    public CorruptIndexException(String resource, String detail) {
        super("corrupt index " + resource + ": " + detail);
        this.resource = resource;
    }

    /** The object (and section) the corrupt bytes belong to. */
    public String resource() {
        return resource;
    }
}
