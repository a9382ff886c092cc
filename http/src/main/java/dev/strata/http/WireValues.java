package dev.strata.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.index.doc.Schema;
import dev.strata.index.doc.SchemaException;
import dev.strata.index.filter.FilterParser;
import dev.strata.index.filter.InvalidFilterException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Conversions of single wire values shared by the request codecs: ids, vectors (JSON arrays or
 * base64 of little-endian f32), attribute names and values, and filters. Every failure is an
 * {@link ApiError} naming the offending path.
 */
final class WireValues {

    private static final int MAX_ID_BYTES = 64;

    private WireValues() {}

    /** An id: an unsigned 64-bit integer (Long, or BigInteger above 2^63-1), a UUID or a string of 1–64 bytes. */
    static Object id(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw ApiError.at(path, "id is required");
        }
        if (node.isTextual()) {
            String s = node.textValue();
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > MAX_ID_BYTES) {
                throw ApiError.at(path, "string ids must be 1 to " + MAX_ID_BYTES + " bytes, got " + bytes);
            }
            return s;
        }
        if (node.isIntegralNumber()) {
            BigInteger big = node.bigIntegerValue();
            if (big.signum() < 0 || big.bitLength() > 64) {
                throw ApiError.at(path, "numeric ids must be unsigned 64-bit integers, got " + big);
            }
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        throw ApiError.at(path, "expected an id (unsigned integer, UUID or string), got " + Json.describe(node));
    }

    /** A key identifying an id for duplicate detection: ids 1 and "1" differ. */
    static Object idKey(Object id) {
        return id instanceof String s ? "s:" + s : "n:" + id;
    }

    /**
     * A vector: a JSON array of finite numbers or a base64 string of little-endian f32; null
     * when the node is null. {@code dims} is the dimension count the request already uses (0:
     * none yet); a vector of another size is an error.
     */
    static float[] vector(JsonNode node, String path, int dims) {
        if (node == null || node.isNull()) {
            return null;
        }
        float[] v;
        if (node.isArray()) {
            v = new float[node.size()];
            for (int i = 0; i < v.length; i++) {
                JsonNode e = node.get(i);
                if (!e.isNumber()) {
                    throw ApiError.at(path + "[" + i + "]", "expected a number, got " + Json.describe(e));
                }
                double d = e.doubleValue();
                float f = (float) d;
                if (!Float.isFinite(f)) {
                    throw ApiError.at(path + "[" + i + "]", "vector elements must be finite f32 values, got "
                            + e.asText());
                }
                v[i] = f;
            }
        } else if (node.isTextual()) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(node.textValue());
            } catch (IllegalArgumentException e) {
                throw ApiError.at(path, "invalid base64 vector: " + e.getMessage());
            }
            if (raw.length % 4 != 0) {
                throw ApiError.at(path, "a base64 vector must hold a whole number of f32 values, got "
                        + raw.length + " bytes");
            }
            v = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw ApiError.at(path, "vector elements must be finite, element " + i + " is " + v[i]);
                }
            }
        } else {
            throw ApiError.at(path, "expected a vector (array of numbers or base64 string), got "
                    + Json.describe(node));
        }
        if (v.length == 0) {
            throw ApiError.at(path, "a vector must have at least one dimension");
        }
        if (v.length > Limits.MAX_DIMENSIONS) {
            throw ApiError.at(path, "vectors have at most " + Limits.MAX_DIMENSIONS + " dimensions, got " + v.length);
        }
        if (dims != 0 && v.length != dims) {
            throw ApiError.at(path, "expected " + dims + " dimensions, got " + v.length);
        }
        return v;
    }

    /** Checks an attribute name (length, reserved names) the way the schema does. */
    static void attributeName(String name, String path) {
        try {
            Schema.checkAttributeName(name);
        } catch (SchemaException e) {
            throw ApiError.at(path, e.getMessage());
        }
    }

    /** An attribute value as plain Java; objects are not attribute values. */
    static Object attributeValue(JsonNode node, String path) {
        if (node.isObject()) {
            throw ApiError.at(path, "attribute values are strings, numbers, booleans, null or arrays; got an object");
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode e = node.get(i);
                if (e.isObject() || e.isArray()) {
                    throw ApiError.at(path + "[" + i + "]", "array attribute elements must be scalars, got "
                            + Json.describe(e));
                }
            }
        }
        return Json.plain(node, path);
    }

    /**
     * A filter as plain Java, checked for nesting depth and, unless it may contain
     * {@code $ref_new} references (conditions), parsed once so grammar errors are a 400 here.
     */
    static Object filter(JsonNode node, String path, boolean condition) {
        if (node == null || node.isNull()) {
            return null;
        }
        checkDepth(node, path, 0);
        Object plain = Json.plain(node, path);
        if (!condition) {
            try {
                FilterParser.parse(plain, path);
            } catch (InvalidFilterException e) {
                throw ApiError.badRequest(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw ApiError.at(path, e.getMessage());
            }
        }
        return plain;
    }

    private static void checkDepth(JsonNode node, String path, int depth) {
        // Each And/Or level adds two JSON arrays (the operator's and its operand list).
        if (depth > 2 * Limits.MAX_FILTER_DEPTH + 2) {
            throw ApiError.at(path, "filters nest at most " + Limits.MAX_FILTER_DEPTH + " levels deep");
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                if (child.isArray() || child.isObject()) {
                    checkDepth(child, path, depth + 1);
                }
            }
        } else if (node.isObject()) {
            for (JsonNode child : node) {
                checkDepth(child, path, depth + 1);
            }
        }
    }

    /** A required boolean field, or {@code fallback} when absent or null. */
    static boolean bool(JsonNode node, String path, boolean fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw ApiError.at(path, "expected a boolean, got " + Json.describe(node));
        }
        return node.booleanValue();
    }

    static String text(JsonNode node, String path) {
        if (node == null || !node.isTextual()) {
            throw ApiError.at(path, "expected a string, got " + (node == null ? "nothing" : Json.describe(node)));
        }
        return node.textValue();
    }

    /** An int in [min, max]. */
    static int intIn(JsonNode node, String path, int min, int max) {
        if (node == null || !node.isIntegralNumber()) {
            throw ApiError.at(path, "expected an integer, got " + (node == null ? "nothing" : Json.describe(node)));
        }
        BigInteger v = node.bigIntegerValue();
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw ApiError.at(path, "must be between " + min + " and " + max + ", got " + v);
        }
        return v.intValue();
    }

    /** Fails naming the first field of {@code object} not in {@code known}. */
    static void onlyKnownFields(JsonNode object, String path, List<String> known) {
        var names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiError.badRequest((path.isEmpty() ? "" : path + ": ") + "unknown field \"" + name + "\"");
            }
        }
    }

    static Map<String, Object> map(Object plain) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) plain;
        return m;
    }
}
