package dev.strata.index.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterParserTest {

    @Test
    void parsesEveryForm() {
        Filter f = FilterParser.parse(List.of("And", List.of(
                List.of("name", "Eq", "foo"),
                List.of("Or", List.of(List.of("tags", "ContainsAny", List.of("a", "b")), List.of("n", "Lt", 3))),
                List.of("Not", List.of("title", "IGlob", "foo*")))));
        Filter expected = new Filter.And(List.of(
                new Filter.Eq("name", "foo"),
                new Filter.Or(List.of(new Filter.ContainsAny("tags", List.of("a", "b")), new Filter.Lt("n", 3))),
                new Filter.Not(new Filter.IGlob("title", "foo*"))));
        assertEquals(expected, f);
        assertEquals(java.util.Set.of("name", "tags", "n", "title"), f.attributes());
    }

    @Test
    void everyOperatorParsesIntoItsRecord() {
        for (Filter.Op op : Filter.Op.values()) {
            Object operand = switch (op.operand()) {
                case VALUE, ELEMENT -> "v";
                case LIST -> List.of("v", "w");
                case PATTERN -> "v*";
            };
            Filter.Condition c = (Filter.Condition) FilterParser.parse(List.of("a", op.wireName(), operand));
            assertEquals(op, c.op());
            assertEquals(operand, c.operand());
            assertEquals(op.wireName(), c.getClass().getSimpleName());
        }
    }

    @Test
    void eqNullIsAllowedButContainsNullIsNot() {
        assertEquals(new Filter.Eq("a", null), FilterParser.parse(Arrays.asList("a", "Eq", null)));
        assertError(Arrays.asList("a", "Contains", null), "filters[2]", "does not accept null");
    }

    @Test
    void errorsSayWhatIsWrongAndWhere() {
        assertError("oops", "filters", "expected a filter array");
        assertError(List.of(), "filters", "empty filter array");
        assertError(List.of("And", List.of(List.of("a", "Eqq", 1))), "filters[1][0][1]", "unknown operator \"Eqq\"");
        assertError(List.of("Or", "x"), "filters[1]", "Or expects an array of filters");
        assertError(List.of("Not", List.of("a", "Eq", 1), 3), "filters", "expected 2 elements");
        assertError(List.of("a", "Eq", List.of(1, 2)), "filters[2]", "use In for a list");
        assertError(List.of("a", "In", 3), "filters[2]", "In expects an array of values");
        assertError(List.of("a", "In", Arrays.asList(1, null)), "filters[2][1]", "does not accept null");
        assertError(List.of("a", "Glob", 3), "filters[2]", "glob pattern string");
        assertError(List.of("a", "Glob", "[abc"), "filters[2]", "unclosed '['");
        assertError(List.of("a", "Eq", Map.of("$ref_new", "a")), "filters[2]", "$ref_new");
        assertError(List.of("a", "Regex", "x.*"), "filters[1]", "not supported yet");
        assertError(List.of(3, "Eq", 1), "filters[0]", "expected an attribute name");
        assertError(List.of("a", "Eq"), "filters", "expected 3 elements");
        assertError(List.of("And", List.of(List.of("x", "Eq", 1), List.of("Not", List.of("y", 5)))),
                "filters[1][1][1][1]", "expected an operator");
    }

    private static void assertError(Object json, String path, String text) {
        InvalidFilterException e = assertThrows(InvalidFilterException.class, () -> FilterParser.parse(json));
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
