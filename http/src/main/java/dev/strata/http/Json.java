package dev.strata.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The API's JSON: parsing request bodies into Jackson trees (strict: no NaN literals, no
 * trailing garbage, bounded nesting), converting trees to plain Java values, and writing
 * response bodies.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Limits.MAX_JSON_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Vectors are hundreds of decimals a row: the fast parser and writer (correctly
            // rounded, as the JDK's) cut parsing a 384-d query body to about 40% of the time.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private Json() {}

    /** Parses a request body; an empty body is an error when {@code required}, else an empty object. */
    static JsonNode parse(byte[] body, boolean required) {
        if (body.length == 0) {
            if (required) {
                throw ApiError.badRequest("the request body is empty; expected a JSON object");
            }
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiError.badRequest("the request body is empty; expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /** The body as an object, or a 400 naming what it is instead. */
    static JsonNode object(JsonNode node, String path) {
        if (!node.isObject()) {
            throw ApiError.at(path, "expected a JSON object, got " + describe(node));
        }
        return node;
    }

    /**
     * A JSON value as plain Java: String, Long (or BigInteger beyond the long range), Double,
     * Boolean, List, Map (insertion ordered) or null. Non-finite doubles (from overflowing
     * literals such as 1e999) are refused.
     */
    static Object plain(JsonNode node, String path) {
        switch (node.getNodeType()) {
            case NULL:
            case MISSING:
                return null;
            case STRING:
                return node.textValue();
            case BOOLEAN:
                return node.booleanValue();
            case NUMBER:
                if (node.isIntegralNumber()) {
                    BigInteger big = node.bigIntegerValue();
                    return big.bitLength() < 64 ? (Object) big.longValue() : big;
                }
                double d = node.doubleValue();
                if (!Double.isFinite(d)) {
                    throw ApiError.at(path, "number out of range: " + node.asText());
                }
                return d;
            case ARRAY: {
                List<Object> out = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    out.add(plain(node.get(i), path + "[" + i + "]"));
                }
                return out;
            }
            case OBJECT: {
                Map<String, Object> out = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    out.put(f.getKey(), plain(f.getValue(), path + "." + f.getKey()));
                }
                return out;
            }
            default:
                throw ApiError.at(path, "unsupported JSON value " + describe(node));
        }
    }

    static String describe(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case NULL, MISSING -> "null";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** A 2xx JSON response. */
    static HttpResponse response(int status, Object body) {
        try {
            return HttpResponse.create()
                    .withStatus(StatusCodes.get(status))
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a response body", e);
        }
    }

    /** A 2xx response whose JSON body is already serialized. */
    static HttpResponse response(int status, byte[] json) {
        return HttpResponse.create()
                .withStatus(StatusCodes.get(status))
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json));
    }

    /**
     * The members of two serialized JSON objects as one object, {@code first}'s before
     * {@code second}'s: the bytes {@link #bytes} would write for the two maps joined, without
     * writing either again. The caller keeps the keys of the two apart.
     */
    static byte[] concatObjects(byte[] first, byte[] second) {
        if (first.length < 2 || first[0] != '{' || first[first.length - 1] != '}'
                || second.length < 2 || second[0] != '{' || second[second.length - 1] != '}') {
            throw new IllegalArgumentException("not two serialized JSON objects");
        }
        if (first.length == 2) {
            return second;
        }
        if (second.length == 2) {
            return first;
        }
        byte[] out = new byte[first.length + second.length - 1];
        System.arraycopy(first, 0, out, 0, first.length - 1);
        out[first.length - 1] = ',';
        System.arraycopy(second, 1, out, first.length, second.length - 1);
        return out;
    }

    /** The object {@code {"name": value}}, {@code value} being serialized JSON. */
    static byte[] member(String name, byte[] value) {
        byte[] key = bytes(Map.of(name, 0));
        // {"name":0} without its 0}
        int prefix = key.length - 2;
        byte[] out = new byte[prefix + value.length + 1];
        System.arraycopy(key, 0, out, 0, prefix);
        System.arraycopy(value, 0, out, prefix, value.length);
        out[out.length - 1] = '}';
        return out;
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a response body", e);
        }
    }
}
