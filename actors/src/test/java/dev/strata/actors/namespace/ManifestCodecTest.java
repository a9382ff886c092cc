package dev.strata.actors.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.actors.storage.NamespaceName;
import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.Schema;
import dev.strata.index.search.SegmentLayout;
import dev.strata.index.segment.SectionInfo;
import dev.strata.index.segment.SegmentDirectory;
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

    private static final SegmentLayout LAYOUT = new SegmentLayout(new SegmentDirectory(100, List.of(
            new SectionInfo("vectors", 8, 70_000, 0x8000_0000_0000_0001L),
            new SectionInfo("ids", 70_008, 1200, 42),
            new SectionInfo("ids.index", 71_208, 400, -1))), 16_448);

    private static Manifest withLayout() {
        return new Manifest(Manifest.FORMAT_VERSION, NS, 3, Schema.empty().withVector(4, Schema.VectorElement.F32),
                Metric.COSINE_DISTANCE, List.of(
                new Manifest.SegmentEntry("s1", "namespaces/tenant_1.prod/segments/s1", 80_000, 100, 1, 9, null, 0,
                        LAYOUT),
                new Manifest.SegmentEntry("s2", "namespaces/tenant_1.prod/segments/s2", 8192, 7, 10, 12)), 12);
    }

    @Test
    void segmentLayoutsRoundTripAndManifestsWithoutThemStillRead() {
        Manifest m = withLayout();
        byte[] bytes = ManifestCodec.encode(m);
        Manifest back = ManifestCodec.decode(bytes, "m");
        assertEquals(m, back);
        assertEquals(LAYOUT, back.segments().get(0).layoutOrNull());
        assertEquals(null, back.segments().get(1).layoutOrNull());
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"xxhash64\" : \"8000000000000001\""), text);
        assertTrue(text.contains("\"xxhash64\" : \"ffffffffffffffff\""), text);

        // A manifest as written before layouts existed: the segment is listed without one.
        String old = "{\"format_version\": 1, \"namespace\": \"tenant_1.prod\", \"version\": 3,"
                + " \"distance_metric\": \"cosine_distance\","
                + " \"schema\": {\"vector\": {\"dims\": 4, \"element\": \"f32\"}, \"attributes\": {}},"
                + " \"segments\": [{\"id\": \"s1\", \"key\": \"namespaces/tenant_1.prod/segments/s1\","
                + " \"bytes\": 80000, \"documents\": 100, \"wal_first\": 1, \"wal_last\": 9}],"
                + " \"indexed_through\": 9}";
        Manifest decoded = ManifestCodec.decode(old.getBytes(StandardCharsets.UTF_8), "m");
        assertEquals(null, decoded.segments().get(0).layoutOrNull());
        assertEquals(100, decoded.segments().get(0).documents());
    }

    @Test
    void malformedLayoutsAreCorruptManifests() {
        String text = new String(ManifestCodec.encode(withLayout()), StandardCharsets.UTF_8);
        for (String bad : List.of(
                text.replace("\"8000000000000001\"", "\"800000000000001\""),    // 15 digits
                text.replace("\"8000000000000001\"", "\"80000000000000zz\""),   // not hex
                text.replace("\"offset\" : 70008", "\"offset\" : -8"),
                text.replace("\"rows\" : 100", "\"rows\" : 99"),                 // not the entry's documents
                text.replace("\"vectors_meta_length\" : 16448", "\"vectors_meta_length\" : -1"),
                text.replace("\"name\" : \"ids\",", "\"name\" : \"\","),
                text.replace("\"rows\" : 100,", ""))) {
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> ManifestCodec.decode(bad.getBytes(StandardCharsets.UTF_8), "ns/manifest/3"), bad);
            assertEquals("ns/manifest/3", e.resource());
        }
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
