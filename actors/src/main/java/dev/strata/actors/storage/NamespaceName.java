package dev.strata.actors.storage;

import java.util.regex.Pattern;

/** The name of a namespace: 1 to 128 characters of {@code [A-Za-z0-9-_.]}. */
public record NamespaceName(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9\\-_.]{1,128}");

    public NamespaceName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid namespace name "
                    + (value == null ? "null" : "\"" + value + "\"")
                    + ": use 1 to 128 characters from A-Z, a-z, 0-9, '-', '_' and '.'");
        }
        if (value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException("invalid namespace name \"" + value + "\"");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
