package dev.strata.index.doc;

/**
 * A document, value or schema change that the namespace schema does not accept; the message names
 * the attribute and says what was expected.
 */
public final class SchemaException extends IllegalArgumentException {

    private final String attribute;

    public SchemaException(String attribute, String detail) {
        super("attribute '" + attribute + "': " + detail);
        this.attribute = attribute;
    }

    /** The attribute at fault ({@code "id"} or {@code "vector"} for those fields). */
    public String attribute() {
        return attribute;
    }
}
