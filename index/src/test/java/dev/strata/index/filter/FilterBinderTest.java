package dev.strata.index.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Schema;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FilterBinderTest {

    private static final Schema SCHEMA = Schema.empty()
            .withAttribute("price", AttributeType.INT, true)
            .withAttribute("at", AttributeType.DATETIME, true)
            .withAttribute("owner", AttributeType.UUID, true)
            .withAttribute("tags", AttributeType.STRING_ARRAY, true)
            .withAttribute("body", AttributeType.STRING, false);

    private static Filter bind(Object json) {
        return FilterBinder.bind(FilterParser.parse(json), SCHEMA);
    }

    @Test
    void literalsBecomeCanonical() {
        UUID u = UUID.fromString("3d7a7296-3d6a-4796-8fb0-f90406b1f621");
        assertEquals(new Filter.And(List.of(
                        new Filter.Gte("at", 1_709_251_200_000L),
                        new Filter.Eq("owner", u),
                        new Filter.In("price", List.of(1L, 2L)),
                        new Filter.Lt("id", DocId.of(1000)))),
                bind(List.of("And", List.of(
                        List.of("at", "Gte", "2024-03-01T00:00:00Z"),
                        List.of("owner", "Eq", u.toString()),
                        List.of("price", "In", List.of(1, 2.0)),
                        List.of("id", "Lt", 1000)))));
    }

    @Test
    void mismatchesNameTheAttributeAndThePath() {
        assertError(List.of("Not", List.of("nope", "Eq", 1)), "filters[1][0]", "unknown attribute 'nope'");
        assertError(List.of("body", "Eq", "x"), "filters[0]", "not filterable");
        assertError(List.of("price", "Eq", "cheap"), "filters[2]", "has type int");
        assertError(List.of("price", "In", List.of(1, 2.5)), "filters[2][1]", "has type int");
        assertError(List.of("price", "Contains", 1), "filters[1]", "applies to array attributes");
        assertError(List.of("tags", "Eq", "a"), "filters[1]", "applies to scalar attributes");
        assertError(List.of("tags", "Lt", "a"), "filters[1]", "applies to scalar attributes");
        assertError(List.of("price", "Glob", "1*"), "filters[1]", "string or []string");
        assertError(List.of("id", "Contains", 1), "filters[1]", "does not apply to id");
        assertError(List.of("id", "Eq", -4), "filters[2]", "unsigned 64-bit");
        assertError(List.of("at", "Lt", "yesterday"), "filters[2]", "has type datetime");
    }

    @Test
    void eqNullOnAnArrayIsAPresenceTest() {
        assertEquals(new Filter.NotEq("tags", null), bind(java.util.Arrays.asList("tags", "NotEq", null)));
    }

    private static void assertError(Object json, String path, String text) {
        InvalidFilterException e = assertThrows(InvalidFilterException.class, () -> bind(json));
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
