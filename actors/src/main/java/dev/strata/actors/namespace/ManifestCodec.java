package dev.strata.actors.namespace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.Schema;
import dev.strata.index.search.SegmentLayout;
import dev.strata.index.segment.SectionInfo;
import dev.strata.index.segment.SegmentDirectory;
import dev.strata.index.vector.Metric;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON form of a {@link Manifest}:
 * <pre>
 * {"format_version": 1, "namespace": "ns", "version": 3, "distance_metric": "cosine_distance" | null,
 *  "schema": {"vector": {"dims": 768, "element": "f32"} | null,
 *             "attributes": {"name": {"type": "string", "filterable": true}, ...}},
 *  "segments": [{"id": "…", "key": "…", "bytes": 123, "documents": 10, "wal_first": 1, "wal_last": 4,
 *                 "deletes_key": "…" (optional), "deletes": 2 (optional, default 0),
 *                 "layout": {"rows": 10, "vectors_meta_length": 4160,
 *                            "sections": [{"name": "vectors", "offset": 8, "length": 9000,
 *                                          "xxhash64": "0123456789abcdef"}, ...]} (optional)}],
 *  "indexed_through": 4,
 *  "created_at": "2026-01-02T03:04:05.678Z" (optional: absent in manifests written before it existed)}
 * </pre>
 * A segment's {@code layout} is its directory as the segment file holds it (the row count and
 * every section in file order, with its offset, length and xxHash64 checksum as 16 hex digits)
 * and the length of the IVF metadata at the start of its {@code vectors} section (0 when unknown
 * or without vectors); see {@link Manifest.SegmentEntry#layoutOrNull()}. Manifests written before
 * it have none and still load; readers that predate it ignore it. Decoding rejects anything
 * malformed with a {@link CorruptDataException} naming the object.
 */
public final class ManifestCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestCodec() {}

    public static byte[] encode(Manifest m) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", m.formatVersion());
        root.put("namespace", m.namespace().value());
        root.put("version", m.version());
        if (m.metricOrNull() == null) {
            root.putNull("distance_metric");
        } else {
            root.put("distance_metric", m.metricOrNull().apiName());
        }
        ObjectNode schema = root.putObject("schema");
        if (m.schema().vectorDims() == 0) {
            schema.putNull("vector");
        } else {
            schema.putObject("vector").put("dims", m.schema().vectorDims())
                    .put("element", m.schema().vectorElement().wireName());
        }
        ObjectNode attributes = schema.putObject("attributes");
        for (Map.Entry<String, Schema.Attribute> e : m.schema().attributes().entrySet()) {
            attributes.putObject(e.getKey()).put("type", e.getValue().type().wireName())
                    .put("filterable", e.getValue().filterable());
        }
        ArrayNode segments = root.putArray("segments");
        for (Manifest.SegmentEntry s : m.segments()) {
            ObjectNode seg = segments.addObject().put("id", s.id()).put("key", s.key()).put("bytes", s.bytes())
                    .put("documents", s.documents()).put("wal_first", s.walFirst()).put("wal_last", s.walLast());
            if (s.deletesKeyOrNull() != null) {
                seg.put("deletes_key", s.deletesKeyOrNull()).put("deletes", s.deletes());
            }
            if (s.layoutOrNull() != null) {
                encodeLayout(seg.putObject("layout"), s.layoutOrNull());
            }
        }
        root.put("indexed_through", m.indexedThrough());
        if (m.createdAtOrNull() != null) {
            root.put("created_at", m.createdAtOrNull().toString());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode manifest", e);
        }
    }

    public static Manifest decode(byte[] bytes, String resource) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CorruptDataException(resource, "manifest is not valid JSON", e);
        }
        try {
            Schema schema = Schema.empty();
            JsonNode s = required(root, "schema", resource);
            JsonNode vector = s.path("vector");
            if (!vector.isMissingNode() && !vector.isNull()) {
                String element = text(vector, "element", resource).toUpperCase(Locale.ROOT);
                schema = schema.withVector(integer(vector, "dims", resource), Schema.VectorElement.valueOf(element));
            }
            var fields = required(s, "attributes", resource).fields();
            while (fields.hasNext()) {
                var e = fields.next();
                String type = text(e.getValue(), "type", resource);
                AttributeType t = AttributeType.fromWireName(type)
                        .orElseThrow(() -> new CorruptDataException(resource, "unknown attribute type " + type));
                JsonNode filterable = required(e.getValue(), "filterable", resource);
                if (!filterable.isBoolean()) {
                    throw new CorruptDataException(resource, "filterable of " + e.getKey() + " is not a boolean");
                }
                schema = schema.withAttribute(e.getKey(), t, filterable.booleanValue());
            }
            JsonNode metric = root.path("distance_metric");
            List<Manifest.SegmentEntry> segments = new ArrayList<>();
            for (JsonNode seg : required(root, "segments", resource)) {
                boolean hasDeletes = seg.hasNonNull("deletes_key");
                segments.add(new Manifest.SegmentEntry(text(seg, "id", resource), text(seg, "key", resource),
                        number(seg, "bytes", resource), number(seg, "documents", resource),
                        number(seg, "wal_first", resource), number(seg, "wal_last", resource),
                        hasDeletes ? text(seg, "deletes_key", resource) : null,
                        hasDeletes ? number(seg, "deletes", resource) : 0,
                        seg.hasNonNull("layout") ? decodeLayout(seg.get("layout"), resource) : null));
            }
            return new Manifest(integer(root, "format_version", resource),
                    new NamespaceName(text(root, "namespace", resource)),
                    number(root, "version", resource), schema,
                    metric.isMissingNode() || metric.isNull() ? null : Metric.fromApiName(metric.asText()),
                    segments, number(root, "indexed_through", resource),
                    root.hasNonNull("created_at") ? Instant.parse(text(root, "created_at", resource)) : null);
        } catch (CorruptDataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptDataException(resource, "invalid manifest: " + e.getMessage(), e);
        }
    }

    private static void encodeLayout(ObjectNode out, SegmentLayout layout) {
        out.put("rows", layout.directory().rowCount()).put("vectors_meta_length", layout.vectorsMetaLength());
        ArrayNode sections = out.putArray("sections");
        for (SectionInfo s : layout.directory().sections()) {
            sections.addObject().put("name", s.name()).put("offset", s.offset()).put("length", s.length())
                    .put("xxhash64", HexFormat.of().toHexDigits(s.checksum()));
        }
    }

    private static SegmentLayout decodeLayout(JsonNode layout, String resource) {
        List<SectionInfo> sections = new ArrayList<>();
        for (JsonNode s : required(layout, "sections", resource)) {
            String checksum = text(s, "xxhash64", resource);
            if (checksum.length() != 16) { // fromHexDigitsToLong rejects anything but hex digits
                throw new CorruptDataException(resource, "section checksum '" + checksum + "' is not 16 hex digits");
            }
            sections.add(new SectionInfo(text(s, "name", resource), number(s, "offset", resource),
                    number(s, "length", resource), HexFormat.fromHexDigitsToLong(checksum)));
        }
        return new SegmentLayout(new SegmentDirectory(integer(layout, "rows", resource), sections),
                number(layout, "vectors_meta_length", resource));
    }

    private static JsonNode required(JsonNode node, String field, String resource) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new CorruptDataException(resource, "manifest field '" + field + "' is missing");
        }
        return v;
    }

    private static String text(JsonNode node, String field, String resource) {
        JsonNode v = required(node, field, resource);
        if (!v.isTextual()) {
            throw new CorruptDataException(resource, "manifest field '" + field + "' is not a string");
        }
        return v.textValue();
    }

    private static long number(JsonNode node, String field, String resource) {
        JsonNode v = required(node, field, resource);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new CorruptDataException(resource, "manifest field '" + field + "' is not an integer");
        }
        return v.longValue();
    }

    private static int integer(JsonNode node, String field, String resource) {
        long v = number(node, field, resource);
        if (v != (int) v) {
            throw new CorruptDataException(resource, "manifest field '" + field + "' is out of range");
        }
        return (int) v;
    }
}
