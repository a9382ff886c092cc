package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.storage.NamespaceName;
import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.Schema;
import dev.strata.index.vector.Metric;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {

    private static final NamespaceName NS = new NamespaceName("tenant_1.prod");

    @Test
    void everySchemaAndSegmentFieldRoundTrips() {
        Schema schema = Schema.empty().withVector(768, Schema.VectorElement.F16);
        int i = 0;
        for (AttributeType t : AttributeType.values()) {
            schema = schema.withAttribute("a" + t.code(), t, i++ % 2 == 0);
        }
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, NS, 7, schema, Metric.COSINE_DISTANCE,
                List.of(new Manifest.SegmentEntry("s1", "namespaces/tenant_1.prod/segments/s1", 4096, 100, 1, 9),
                        new Manifest.SegmentEntry("s2", "namespaces/tenant_1.prod/segments/s2", 8192, 7, 10, 12,
                                "namespaces/tenant_1.prod/segments/s2.deletes", 3)),
                12);
        Manifest back = ManifestCodec.decode(ManifestCodec.encode(m), "m");
        assertEquals(m, back);
        assertEquals(schema, back.schema());

        Manifest empty = Manifest.empty(NS).next(Schema.empty(), null);
        assertEquals(empty, ManifestCodec.decode(ManifestCodec.encode(empty), "m"));
    }

    @Test
    void creationTimeRoundTripsAndOlderManifestsWithoutItStillRead() {
        Manifest created = Manifest.empty(NS).withCreatedAt(java.time.Instant.parse("2026-11-21T19:00:00.123Z"))
                .next(Schema.empty(), Metric.EUCLIDEAN_SQUARED);
        byte[] bytes = ManifestCodec.encode(created);
        assertEquals(created, ManifestCodec.decode(bytes, "m"));
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"created_at\" : \"2026-11-21T19:00:00.123Z\""), text);
        // A manifest written before created_at existed: the same fields, no creation time.
        String old = text.replace(",\n  \"created_at\" : \"2026-11-21T19:00:00.123Z\"", "");
        assertFalse(old.contains("created_at"), old);
        Manifest decoded = ManifestCodec.decode(old.getBytes(StandardCharsets.UTF_8), "m");
        assertEquals(null, decoded.createdAtOrNull());
        assertEquals(created.withCreatedAt(null).version(), decoded.version());
        // A creation time is set once: later versions keep the first.
        assertEquals(created.createdAtOrNull(), created.withCreatedAt(java.time.Instant.EPOCH).createdAtOrNull());
        assertThrows(CorruptDataException.class, () -> ManifestCodec.decode(
                text.replace("2026-11-21T19:00:00.123Z", "yesterday").getBytes(StandardCharsets.UTF_8), "m"));
    }

    @Test
    void malformedManifestsNameTheObject() {
        byte[] good = ManifestCodec.encode(Manifest.empty(NS).next(Schema.empty(), Metric.EUCLIDEAN_SQUARED));
        String text = new String(good, StandardCharsets.UTF_8);
        for (String bad : List.of("{", "[]", text.replace("\"version\" : 1", "\"version\" : \"1\""),
                text.replace("euclidean_squared", "hamming"), text.replace("\"format_version\" : 1", "\"format_version\" : 2"))) {
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> ManifestCodec.decode(bad.getBytes(StandardCharsets.UTF_8), "ns/manifest/1"), bad);
            assertEquals("ns/manifest/1", e.resource());
        }
    }
}
