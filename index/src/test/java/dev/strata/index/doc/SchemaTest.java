package dev.strata.index.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SchemaTest {

    @Test
    void aFirstWriteInfersTypesAndLaterWritesAreConformed() {
        Map<String, Object> first = new HashMap<>();
        first.put("name", "foo");
        first.put("n", 3);
        first.put("big", new BigInteger("18446744073709551615"));
        first.put("score", 0.5);
        first.put("ok", true);
        first.put("tags", List.of("a", "b"));
        first.put("empty", List.of());
        first.put("when", Instant.ofEpochMilli(1234));
        first.put("owner", new UUID(1, 2));
        first.put("missing", null);
        Schema.Admission a = Schema.empty().admit(new Document(DocId.of(1), new float[] {1, 2}, first));
        Schema s = a.schema();
        assertEquals(AttributeType.STRING, s.attribute("name").orElseThrow().type());
        assertEquals(AttributeType.INT, s.attribute("n").orElseThrow().type());
        assertEquals(AttributeType.UINT, s.attribute("big").orElseThrow().type());
        assertEquals(AttributeType.FLOAT, s.attribute("score").orElseThrow().type());
        assertEquals(AttributeType.BOOL, s.attribute("ok").orElseThrow().type());
        assertEquals(AttributeType.STRING_ARRAY, s.attribute("tags").orElseThrow().type());
        assertEquals(AttributeType.DATETIME, s.attribute("when").orElseThrow().type());
        assertEquals(AttributeType.UUID, s.attribute("owner").orElseThrow().type());
        assertTrue(s.attribute("empty").isEmpty(), "nothing to infer from an empty array");
        assertTrue(s.attribute("missing").isEmpty());
        assertEquals(2, s.vectorDims());
        assertEquals(3L, a.document().attribute("n"));
        assertEquals(-1L, a.document().attribute("big"), "uint held as its unsigned bits");
        assertEquals(1234L, a.document().attribute("when"));

        Map<String, Object> later = Map.of("n", 7.0, "when", "2024-03-01T00:00:00Z", "owner",
                "00000000-0000-0001-0000-000000000002", "score", 2);
        Schema.Admission b = s.admit(new Document(DocId.of(2), later));
        assertSame(s, b.schema(), "no new attribute, same schema");
        assertEquals(7L, b.document().attribute("n"));
        assertEquals(1_709_251_200_000L, b.document().attribute("when"));
        assertEquals(new UUID(1, 2), b.document().attribute("owner"));
        assertEquals(2.0, b.document().attribute("score"));
    }

    @Test
    void aTypeChangeIsAnErrorNamingTheAttribute() {
        Schema s = Schema.empty().admit(new Document(DocId.of(1), Map.of("price", 10))).schema();
        SchemaException e = assertThrows(SchemaException.class,
                () -> s.admit(new Document(DocId.of(2), Map.of("price", "cheap"))));
        assertEquals("price", e.attribute());
        assertTrue(e.getMessage().contains("'price'") && e.getMessage().contains("int"), e.getMessage());
        assertThrows(SchemaException.class, () -> s.admit(new Document(DocId.of(3), Map.of("price", 1.5))));
        assertThrows(SchemaException.class, () -> s.withAttribute("price", AttributeType.STRING, true));
        assertThrows(SchemaException.class,
                () -> s.admit(new Document(DocId.of(3), new float[] {1}, Map.of())).schema()
                        .admit(new Document(DocId.of(4), new float[] {1, 2}, Map.of())));
    }

    @Test
    void reservedAndInvalidNamesAreRefused() {
        for (String bad : new String[] {"id", "vector", "$dist", "", "x".repeat(129)}) {
            assertThrows(SchemaException.class, () -> new Document(DocId.of(1), Map.of(bad, 1)), bad);
        }
    }

    @Test
    void valuesOrderAsDocumented() {
        assertTrue(Values.compare(AttributeType.UINT, -1L, 1L) > 0, "uint is unsigned");
        assertTrue(Values.compare(AttributeType.INT, -1L, 1L) < 0);
        assertTrue(Values.compare(AttributeType.UUID, new UUID(-1, 0), new UUID(1, 0)) > 0);
        // Code point order: U+1F600 sorts after U+FFFD although its UTF-16 form starts lower.
        assertTrue(Values.compareStrings("\uD83D\uDE00", "\uFFFD") > 0);
        assertTrue(Values.compareStrings("ab", "abc") < 0);
    }

    @Test
    void docIdsEncodeRoundTripAndOrderByKindThenValue() {
        List<DocId> ordered = List.of(DocId.of(0), DocId.of(5), DocId.of(-1L), DocId.of(new UUID(0, 0)),
                DocId.of(new UUID(-1, 0)), DocId.of("a"), DocId.of("b"), DocId.of("\uD83D\uDE00"));
        for (int i = 0; i < ordered.size(); i++) {
            BinaryWriter w = new BinaryWriter();
            ordered.get(i).writeTo(w);
            BinaryReader r = new BinaryReader(java.nio.ByteBuffer.wrap(w.toByteArray()), "test");
            assertEquals(ordered.get(i), DocId.readFrom(r));
            r.expectEnd();
            for (int j = 0; j < ordered.size(); j++) {
                assertEquals(Integer.signum(Integer.compare(i, j)), Integer.signum(ordered.get(i).compareTo(ordered.get(j))));
            }
        }
        assertEquals(new BigInteger("18446744073709551615"), DocId.of(-1L).toJson());
        assertEquals(DocId.of(-1L), DocId.fromJson(new BigInteger("18446744073709551615")));
        assertThrows(IllegalArgumentException.class, () -> DocId.of("x".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> DocId.fromJson(-1));
        assertThrows(IllegalArgumentException.class, () -> DocId.fromJson(1.5));
    }
}
