package dev.strata.index.doc;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The schema of a namespace: each attribute's type and whether it is filterable, plus the vector
 * dimensions and element type. Immutable; every change returns a new schema.
 *
 * <p>Types are inferred from the first write that carries a non-null value ({@link #admit}) or
 * declared ({@link #withAttribute}); after that, a value of another type, or a declaration of
 * another type, is a {@link SchemaException} naming the attribute.
 */
public final class Schema {

    /** Vector element types, named as in {@code [768]f32}. */
    public enum VectorElement {
        F32, F16;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One attribute's settings: its type and whether filters may use it. */
    public record Attribute(AttributeType type, boolean filterable) {
        public Attribute {
            Objects.requireNonNull(type, "type");
        }
    }

    /** A write admitted by a schema: the possibly extended schema and the canonical document. */
    public record Admission(Schema schema, Document document) {}

    public static final int MAX_ATTRIBUTE_NAME_BYTES = 128;

    private static final Schema EMPTY = new Schema(new TreeMap<>(), 0, VectorElement.F32);

    private final TreeMap<String, Attribute> attributes;
    private final int vectorDims;
    private final VectorElement vectorElement;

    private Schema(TreeMap<String, Attribute> attributes, int vectorDims, VectorElement vectorElement) {
        this.attributes = attributes;
        this.vectorDims = vectorDims;
        this.vectorElement = vectorElement;
    }

    public static Schema empty() {
        return EMPTY;
    }

    /** Checks an attribute name: 1 to 128 UTF-8 bytes, not {@code id} or {@code vector}, no leading {@code $}. */
    public static void checkAttributeName(String name) {
        if (name == null || name.isEmpty()) {
            throw new SchemaException(String.valueOf(name), "attribute names must not be empty");
        }
        if (name.equals("id") || name.equals("vector")) {
            throw new SchemaException(name, "is a document field, not an attribute");
        }
        if (name.startsWith("$")) {
            throw new SchemaException(name, "attribute names must not start with '$'");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_ATTRIBUTE_NAME_BYTES) {
            throw new SchemaException(name, "attribute names are at most " + MAX_ATTRIBUTE_NAME_BYTES + " bytes");
        }
    }

    public Optional<Attribute> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    /** Attributes by name, in name order. */
    public Map<String, Attribute> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    /** Vector dimensions, or 0 while no vector has been written or declared. */
    public int vectorDims() {
        return vectorDims;
    }

    public VectorElement vectorElement() {
        return vectorElement;
    }

    /** Declares an attribute; declaring an existing one with another type is an error. */
    public Schema withAttribute(String name, AttributeType type, boolean filterable) {
        checkAttributeName(name);
        Attribute existing = attributes.get(name);
        if (existing != null && existing.type() != type) {
            throw new SchemaException(name, "type is " + existing.type() + ", cannot change it to " + type);
        }
        Attribute wanted = new Attribute(type, filterable);
        if (wanted.equals(existing)) {
            return this;
        }
        TreeMap<String, Attribute> next = new TreeMap<>(attributes);
        next.put(name, wanted);
        return new Schema(next, vectorDims, vectorElement);
    }

    /** Declares the vector shape; changing it once set is an error. */
    public Schema withVector(int dims, VectorElement element) {
        if (dims <= 0) {
            throw new SchemaException("vector", "dimensions must be positive, got " + dims);
        }
        if (vectorDims != 0 && (vectorDims != dims || vectorElement != element)) {
            throw new SchemaException("vector", "type is [" + vectorDims + "]" + vectorElement.wireName()
                    + ", cannot change it to [" + dims + "]" + element.wireName());
        }
        return vectorDims == dims && vectorElement == element ? this : new Schema(attributes, dims, element);
    }

    /**
     * Admits one written document: infers the types of attributes seen for the first time, checks
     * every value against its type and converts it to its canonical form.
     */
    public Admission admit(Document doc) {
        Schema schema = this;
        if (doc.vectorOrNull() != null) {
            schema = schema.withVector(doc.vectorOrNull().length,
                    vectorDims == 0 ? VectorElement.F32 : vectorElement);
        }
        TreeMap<String, Attribute> added = null;
        Map<String, Object> canonical = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> e : doc.attributes().entrySet()) {
            String name = e.getKey();
            Attribute a = attributes.get(name);
            if (a == null) {
                AttributeType inferred = Values.infer(e.getValue());
                if (inferred == null) {
                    // Nothing to infer from yet (for example an empty array): keep the attribute
                    // out of the schema and the document until a typed value arrives.
                    continue;
                }
                a = new Attribute(inferred, true);
                if (added == null) {
                    added = new TreeMap<>(schema.attributes);
                }
                added.put(name, a);
            }
            canonical.put(name, Values.conform(a.type(), e.getValue(), name));
        }
        if (added != null) {
            schema = new Schema(added, schema.vectorDims, schema.vectorElement);
        }
        return new Admission(schema, new Document(doc.id(), doc.vectorOrNull(), canonical));
    }

    /** Checks and converts one value of a known attribute (patches, filters). */
    public Object conform(String name, Object raw) {
        Attribute a = attributes.get(name);
        if (a == null) {
            throw new SchemaException(name, "is not in the schema");
        }
        return Values.conform(a.type(), raw, name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && attributes.equals(s.attributes) && vectorDims == s.vectorDims
                && vectorElement == s.vectorElement;
    }

    @Override
    public int hashCode() {
        return Objects.hash(attributes, vectorDims, vectorElement);
    }

    @Override
    public String toString() {
        return "Schema[" + attributes + (vectorDims == 0 ? "" : ", vector=[" + vectorDims + "]"
                + vectorElement.wireName()) + "]";
    }
}
