package dev.strata.index.doc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Seeded random documents, schemas and filter trees for the randomized tests: small value pools
 * so that equality and membership hit often, nulls and missing attributes, arrays with
 * duplicates and empty arrays, ids of all three kinds.
 */
public final class RandomData {

    public static final List<String> STRINGS = List.of("", "a", "ab", "abc", "b", "B", "ba", "x/y", "é", "\uD83D\uDE00",
            "zz", "A*", "\uFFFD");
    public static final List<Long> INTS = List.of(-3L, -1L, 0L, 1L, 2L, 3L, Long.MIN_VALUE, Long.MAX_VALUE);
    public static final List<Long> UINTS = List.of(0L, 1L, 2L, -1L, Long.MIN_VALUE, Long.MAX_VALUE);
    public static final List<Double> FLOATS = List.of(-1.5, 0.0, 0.5, 2.0, 1e300, -1e-300);
    public static final List<Long> DATETIMES = List.of(0L, 1000L, -1000L, 1_700_000_000_000L);
    public static final List<UUID> UUIDS = List.of(new UUID(0, 1), new UUID(-1, 0), new UUID(Long.MIN_VALUE, 5),
            new UUID(42, -7));
    public static final List<String> GLOBS = List.of("a*", "*b*", "?", "[a-b]*", "{a,x}*", "A\\*", "*", "ab?", "é*",
            "[!a]*", "x/*", "\uD83D\uDE00", "B");

    private final Random rng;

    public RandomData(long seed) {
        this.rng = new Random(seed);
    }

    public Random random() {
        return rng;
    }

    /** Every attribute type, filterable, plus a high-cardinality int and a rarely present string. */
    public static Schema schema() {
        Schema s = Schema.empty();
        for (AttributeType t : AttributeType.values()) {
            s = s.withAttribute(attributeName(t), t, true);
        }
        return s.withAttribute("wide", AttributeType.INT, true)
                .withAttribute("rare", AttributeType.STRING, true)
                .withAttribute("note", AttributeType.STRING, false);
    }

    public static String attributeName(AttributeType t) {
        return (t.isArray() ? "arr_" : "") + t.elementType().wireName();
    }

    public Object scalar(AttributeType t) {
        return switch (t) {
            case STRING -> pick(STRINGS);
            case INT -> pick(INTS);
            case UINT -> pick(UINTS);
            case FLOAT -> pick(FLOATS);
            case BOOL -> rng.nextBoolean();
            case DATETIME -> pick(DATETIMES);
            case UUID -> pick(UUIDS);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    public Object value(AttributeType t) {
        if (!t.isArray()) {
            return scalar(t);
        }
        int n = rng.nextInt(4);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(scalar(t.elementType()));
        }
        return out;
    }

    public <T> T pick(List<T> values) {
        return values.get(rng.nextInt(values.size()));
    }

    public DocId id(Set<DocId> used) {
        while (true) {
            int kind = rng.nextInt(10);
            DocId id = kind < 7 ? DocId.of(rng.nextInt(4) == 0 ? rng.nextLong() : rng.nextInt(1000))
                    : kind < 9 ? DocId.of("doc-" + rng.nextInt(1000)) : DocId.of(new UUID(rng.nextLong(), rng.nextLong()));
            if (used.add(id)) {
                return id;
            }
        }
    }

    /** {@code count} canonical documents with distinct ids, admitted by {@link #schema()}. */
    public List<Document> documents(int count, boolean withRare) {
        Schema schema = schema();
        Set<DocId> used = new HashSet<>();
        List<Document> docs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (AttributeType t : AttributeType.values()) {
                if (rng.nextInt(4) != 0) {
                    attrs.put(attributeName(t), raw(t, value(t)));
                }
            }
            if (rng.nextInt(8) != 0) {
                attrs.put("wide", (long) rng.nextInt(count * 4) - count);
            }
            if (withRare && rng.nextInt(50) == 0) {
                attrs.put("rare", pick(STRINGS));
            }
            if (rng.nextBoolean()) {
                attrs.put("note", "n" + rng.nextInt(5));
            }
            docs.add(schema.admit(new Document(id(used), attrs)).document());
        }
        return docs;
    }

    /** A canonical value as a JSON library yields it: uints of 2^63 and above as BigInteger. */
    private static Object raw(AttributeType t, Object canonical) {
        if (t.elementType() != AttributeType.UINT) {
            return canonical;
        }
        if (canonical instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(e -> out.add(raw(AttributeType.UINT, e)));
            return out;
        }
        long v = (Long) canonical;
        return v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
    }

    /** A literal as a JSON library would yield it for a canonical value (datetimes and uuids as strings sometimes). */
    public Object json(AttributeType elementType, Object canonical) {
        if (elementType == AttributeType.UUID && rng.nextBoolean()) {
            return canonical.toString();
        }
        if (elementType == AttributeType.DATETIME && rng.nextBoolean()) {
            return java.time.Instant.ofEpochMilli((Long) canonical).toString();
        }
        if (elementType == AttributeType.UINT && (Long) canonical < 0) {
            return new java.math.BigInteger(Long.toUnsignedString((Long) canonical));
        }
        return canonical;
    }

    private static final List<String> SCALAR_OPS = List.of("Eq", "NotEq", "In", "NotIn", "Lt", "Lte", "Gt", "Gte");
    private static final List<String> ARRAY_OPS = List.of("Contains", "NotContains", "ContainsAny", "NotContainsAny");
    private static final List<String> GLOB_OPS = List.of("Glob", "NotGlob", "IGlob", "NotIGlob");

    /** A random filter over {@link #schema()} as the JSON tree a client would send. */
    public Object filterJson(List<Document> docs, int depth) {
        int r = rng.nextInt(10);
        if (depth > 0 && r < 4) {
            if (r == 0) {
                return List.of("Not", filterJson(docs, depth - 1));
            }
            List<Object> children = new ArrayList<>();
            int n = rng.nextInt(4);
            for (int i = 0; i < n; i++) {
                children.add(filterJson(docs, depth - 1));
            }
            return List.of(r < 3 ? "And" : "Or", children);
        }
        return conditionJson(docs);
    }

    private Object conditionJson(List<Document> docs) {
        int pick = rng.nextInt(AttributeType.values().length + 3);
        if (pick == AttributeType.values().length) {
            String op = pick(SCALAR_OPS);
            Object operand = op.startsWith("In") || op.startsWith("NotIn") ? idList(docs) : rng.nextInt(10) == 0 ? null
                    : idJson(docs);
            return listOf("id", op, operand);
        }
        String name;
        AttributeType type;
        if (pick == AttributeType.values().length + 1) {
            name = "wide";
            type = AttributeType.INT;
        } else if (pick == AttributeType.values().length + 2) {
            name = "rare";
            type = AttributeType.STRING;
        } else {
            type = AttributeType.values()[pick];
            name = attributeName(type);
        }
        AttributeType element = type.elementType();
        List<String> ops = new ArrayList<>(type.isArray() ? ARRAY_OPS : SCALAR_OPS);
        if (element == AttributeType.STRING) {
            ops.addAll(GLOB_OPS);
        }
        if (type.isArray()) {
            ops.add("Eq");
            ops.add("NotEq");
        }
        String op = pick(ops);
        Object operand;
        if (GLOB_OPS.contains(op)) {
            operand = pick(GLOBS);
        } else if (op.endsWith("In") || op.endsWith("Any")) {
            List<Object> values = new ArrayList<>();
            int n = rng.nextInt(4);
            for (int i = 0; i < n; i++) {
                values.add(literal(name, element));
            }
            operand = values;
        } else if (type.isArray() && op.endsWith("Eq")) {
            operand = null;
        } else if (!op.contains("Contains") && rng.nextInt(8) == 0) {
            operand = null;
        } else {
            operand = literal(name, element);
        }
        return listOf(name, op, operand);
    }

    private Object literal(String name, AttributeType element) {
        if (name.equals("wide")) {
            return (long) rng.nextInt(2000) - 500;
        }
        return json(element, scalar(element));
    }

    private Object idJson(List<Document> docs) {
        DocId id = rng.nextInt(4) == 0 || docs.isEmpty() ? id(new HashSet<>()) : pick(docs).id();
        return id instanceof DocId.Uuid u ? u.value() : id.toJson();
    }

    private List<Object> idList(List<Document> docs) {
        List<Object> out = new ArrayList<>();
        int n = rng.nextInt(4);
        for (int i = 0; i < n; i++) {
            out.add(idJson(docs));
        }
        return out;
    }

    private static List<Object> listOf(Object... items) {
        List<Object> out = new ArrayList<>();
        java.util.Collections.addAll(out, items);
        return out;
    }
}
