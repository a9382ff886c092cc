package dev.strata.index.doc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Conversion of attribute values as JSON libraries yield them into canonical Java values (see
 * {@link AttributeType}), their total order, and their self-describing row encoding.
 */
public final class Values {

    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private Values() {}

    /**
     * Converts a raw value into the canonical value of {@code type}, or fails naming the attribute.
     * {@code null} stays {@code null} (a missing value).
     */
    public static Object conform(AttributeType type, Object raw, String attribute) {
        if (raw == null) {
            return null;
        }
        if (type.isArray()) {
            if (!(raw instanceof List<?> list)) {
                throw mismatch(attribute, type, raw);
            }
            AttributeType element = type.elementType();
            List<Object> out = new ArrayList<>(list.size());
            for (Object e : list) {
                if (e == null) {
                    throw new SchemaException(attribute, "arrays of type " + type + " cannot contain null");
                }
                out.add(conformScalar(element, e, attribute, type));
            }
            return Collections.unmodifiableList(out);
        }
        return conformScalar(type, raw, attribute, type);
    }

    private static Object conformScalar(AttributeType type, Object raw, String attribute, AttributeType declared) {
        switch (type) {
            case STRING:
                if (raw instanceof String) {
                    return raw;
                }
                break;
            case BOOL:
                if (raw instanceof Boolean) {
                    return raw;
                }
                break;
            case INT: {
                BigInteger v = raw instanceof Number n ? integral(n) : null;
                if (v != null && v.bitLength() <= 63) {
                    return v.longValue();
                }
                break;
            }
            case UINT: {
                BigInteger v = raw instanceof Number n ? integral(n) : null;
                if (v != null && v.signum() >= 0 && v.bitLength() <= 64) {
                    return v.longValue();
                }
                break;
            }
            case FLOAT:
                if (raw instanceof Number n) {
                    double d = n.doubleValue();
                    if (Double.isFinite(d)) {
                        return d == 0.0 ? 0.0 : d;
                    }
                }
                break;
            case DATETIME: {
                Long millis = datetimeMillis(raw);
                if (millis != null) {
                    return millis;
                }
                break;
            }
            case UUID:
                if (raw instanceof UUID) {
                    return raw;
                }
                if (raw instanceof String s && s.length() == 36) {
                    try {
                        return java.util.UUID.fromString(s);
                    } catch (IllegalArgumentException e) {
                        // falls through to the type error below
                    }
                }
                break;
            default:
                throw new IllegalStateException("not a scalar type: " + type);
        }
        throw mismatch(attribute, declared, raw);
    }

    private static SchemaException mismatch(String attribute, AttributeType type, Object raw) {
        AttributeType actual = infer(raw);
        String got = actual == null ? describe(raw) : actual + " value " + shortText(raw);
        return new SchemaException(attribute, "has type " + type + ", cannot hold " + got);
    }

    private static String describe(Object raw) {
        return raw.getClass().getSimpleName() + " " + shortText(raw);
    }

    private static String shortText(Object raw) {
        String s = raw instanceof String ? '"' + (String) raw + '"' : String.valueOf(raw);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** The exact integer value of a number, or null if it has a fractional part or is not finite. */
    public static BigInteger integral(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return BigInteger.valueOf(n.longValue());
        }
        if (n instanceof BigInteger b) {
            return b;
        }
        BigDecimal d;
        if (n instanceof BigDecimal b) {
            d = b;
        } else {
            double v = n.doubleValue();
            if (!Double.isFinite(v)) {
                return null;
            }
            d = new BigDecimal(v);
        }
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static Long datetimeMillis(Object raw) {
        if (raw instanceof Instant i) {
            return i.toEpochMilli();
        }
        if (raw instanceof Number n) {
            BigInteger v = integral(n);
            return v != null && v.bitLength() <= 63 ? v.longValue() : null;
        }
        if (raw instanceof String s) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                // try the forms without an offset, taken as UTC
            }
            try {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                // try a bare date
            }
            try {
                return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The type a first write implies for a raw value, or null when it implies none yet (null, an
     * empty array, an array of nulls, or an unsupported Java type). Integers infer {@code int}
     * ({@code uint} above 2^63-1), other numbers {@code float}; strings stay {@code string}
     * ({@code uuid} and {@code datetime} must be declared, or sent as {@link UUID} / {@link Instant}).
     */
    public static AttributeType infer(Object raw) {
        if (raw instanceof String) {
            return AttributeType.STRING;
        }
        if (raw instanceof Boolean) {
            return AttributeType.BOOL;
        }
        if (raw instanceof UUID) {
            return AttributeType.UUID;
        }
        if (raw instanceof Instant) {
            return AttributeType.DATETIME;
        }
        if (raw instanceof Number n) {
            if (n instanceof Double || n instanceof Float || n instanceof BigDecimal) {
                return AttributeType.FLOAT;
            }
            BigInteger v = integral(n);
            if (v == null) {
                return AttributeType.FLOAT;
            }
            return v.bitLength() <= 63 ? AttributeType.INT : AttributeType.UINT;
        }
        if (raw instanceof List<?> list) {
            for (Object e : list) {
                AttributeType t = e == null || e instanceof List ? null : infer(e);
                if (t != null) {
                    return t.arrayType();
                }
            }
        }
        return null;
    }

    /** Orders two non-null canonical values of one scalar type. */
    public static int compare(AttributeType scalarType, Object a, Object b) {
        switch (scalarType) {
            case STRING:
                return compareStrings((String) a, (String) b);
            case INT:
            case DATETIME:
                return Long.compare((Long) a, (Long) b);
            case UINT:
                return Long.compareUnsigned((Long) a, (Long) b);
            case FLOAT:
                return Double.compare((Double) a, (Double) b);
            case BOOL:
                return Boolean.compare((Boolean) a, (Boolean) b);
            case UUID:
                return compareUuids((UUID) a, (UUID) b);
            default:
                throw new IllegalArgumentException("not a scalar type: " + scalarType);
        }
    }

    /** Code point order, which is also the order of the strings' UTF-8 bytes. */
    public static int compareStrings(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // Surrogates (only ever part of code points above U+FFFF) sort after every BMP char.
                boolean sx = Character.isSurrogate(x);
                boolean sy = Character.isSurrogate(y);
                if (sx != sy) {
                    return sx ? 1 : -1;
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** Unsigned 128-bit order (unlike {@link UUID#compareTo}, which compares signed halves). */
    public static int compareUuids(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** Encodes a non-null canonical value of {@code type} (row encoding, used by the WAL). */
    public static void write(BinaryWriter out, AttributeType type, Object value) {
        if (type.isArray()) {
            List<?> list = (List<?>) value;
            out.i32(list.size());
            for (Object e : list) {
                write(out, type.elementType(), e);
            }
            return;
        }
        switch (type) {
            case STRING -> out.string((String) value);
            case INT, UINT, DATETIME -> out.i64((Long) value);
            case FLOAT -> out.f64((Double) value);
            case BOOL -> out.u8((Boolean) value ? 1 : 0);
            case UUID -> out.i64(((UUID) value).getMostSignificantBits())
                    .i64(((UUID) value).getLeastSignificantBits());
            default -> throw new IllegalStateException("unhandled type " + type);
        }
    }

    /** Decodes a value written by {@link #write}. */
    public static Object read(BinaryReader in, AttributeType type) {
        if (type.isArray()) {
            int n = in.count(in.remaining(), "array length");
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(read(in, type.elementType()));
            }
            return Collections.unmodifiableList(out);
        }
        switch (type) {
            case STRING:
                return in.string();
            case INT:
            case UINT:
            case DATETIME:
                return in.i64();
            case FLOAT: {
                double d = in.f64();
                if (!Double.isFinite(d)) {
                    throw in.corrupt("non-finite float value at offset " + (in.position() - 8));
                }
                return d;
            }
            case BOOL: {
                int b = in.u8();
                if (b > 1) {
                    throw in.corrupt("bool byte " + b + " at offset " + (in.position() - 1));
                }
                return b == 1;
            }
            case UUID:
                return new UUID(in.i64(), in.i64());
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }
}
