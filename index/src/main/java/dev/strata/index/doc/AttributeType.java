package dev.strata.index.doc;

import java.util.Arrays;
import java.util.Optional;

/**
 * The type of a document attribute, named as turbopuffer names it ({@code "string"},
 * {@code "[]int"}, ...).
 *
 * <p>Canonical Java values (what {@link Values#conform} produces and every evaluator expects):
 * {@code string} → {@link String}; {@code int} → {@link Long}; {@code uint} → {@link Long} holding
 * the unsigned bits; {@code float} → {@link Double} (finite, {@code -0.0} folded to {@code 0.0});
 * {@code bool} → {@link Boolean}; {@code datetime} → {@link Long} epoch milliseconds;
 * {@code uuid} → {@link java.util.UUID}; arrays → an unmodifiable {@link java.util.List} of
 * non-null elements.
 *
 * <p>{@link #code()} is stored in the binary formats and must never change for an existing type.
 */
public enum AttributeType {
    STRING("string", 1),
    INT("int", 2),
    UINT("uint", 3),
    FLOAT("float", 4),
    BOOL("bool", 5),
    DATETIME("datetime", 6),
    UUID("uuid", 7),
    STRING_ARRAY("[]string", 0x81),
    INT_ARRAY("[]int", 0x82),
    UINT_ARRAY("[]uint", 0x83),
    FLOAT_ARRAY("[]float", 0x84),
    BOOL_ARRAY("[]bool", 0x85),
    DATETIME_ARRAY("[]datetime", 0x86),
    UUID_ARRAY("[]uuid", 0x87);

    private static final int ARRAY_BIT = 0x80;

    private final String wireName;
    private final int code;

    AttributeType(String wireName, int code) {
        this.wireName = wireName;
        this.code = code;
    }

    /** The name turbopuffer's API uses, for example {@code "[]string"}. */
    public String wireName() {
        return wireName;
    }

    /** The stable one-byte code used in the binary formats. */
    public int code() {
        return code;
    }

    public boolean isArray() {
        return (code & ARRAY_BIT) != 0;
    }

    /** The element type of an array type, or this type itself for a scalar. */
    public AttributeType elementType() {
        return isArray() ? fromCode(code & ~ARRAY_BIT).orElseThrow() : this;
    }

    /** The array type whose elements are of this (scalar) type. */
    public AttributeType arrayType() {
        if (isArray()) {
            throw new IllegalArgumentException(wireName + " is already an array type");
        }
        return fromCode(code | ARRAY_BIT).orElseThrow();
    }

    public static Optional<AttributeType> fromCode(int code) {
        return Arrays.stream(values()).filter(t -> t.code == code).findFirst();
    }

    public static Optional<AttributeType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
