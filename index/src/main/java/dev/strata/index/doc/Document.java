package dev.strata.index.doc;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One document: its id, an optional vector and its attributes.
 *
 * <p>A null attribute value means the attribute is missing, so null entries are dropped. The
 * names {@code id} and {@code vector} are fields, not attributes. Values are whatever the caller
 * passed; {@link Schema#admit} returns a document whose values are canonical (see
 * {@link AttributeType}), which is what the formats and filter evaluators expect. The vector
 * array is not copied: callers must not mutate it after construction.
 */
public record Document(DocId id, float[] vectorOrNull, Map<String, Object> attributes) {

    public Document {
        if (id == null) {
            throw new IllegalArgumentException("document without an id");
        }
        if (vectorOrNull != null && vectorOrNull.length == 0) {
            throw new SchemaException("vector", "empty vector for document " + id);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        if (attributes != null) {
            for (Map.Entry<String, Object> e : attributes.entrySet()) {
                Schema.checkAttributeName(e.getKey());
                if (e.getValue() != null) {
                    copy.put(e.getKey(), e.getValue());
                }
            }
        }
        attributes = Collections.unmodifiableMap(copy);
    }

    public Document(DocId id, Map<String, Object> attributes) {
        this(id, null, attributes);
    }

    /** The value of an attribute, or null when it is missing. */
    public Object attribute(String name) {
        return attributes.get(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Document d && id.equals(d.id) && Arrays.equals(vectorOrNull, d.vectorOrNull)
                && attributes.equals(d.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(vectorOrNull), attributes);
    }

    @Override
    public String toString() {
        return "Document[id=" + id + (vectorOrNull == null ? "" : ", dims=" + vectorOrNull.length)
                + ", attributes=" + attributes + "]";
    }
}
