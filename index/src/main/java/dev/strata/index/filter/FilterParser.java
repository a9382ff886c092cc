package dev.strata.index.filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses turbopuffer's filter JSON, given as the generic tree any JSON library yields
 * ({@link List}, {@link Map}, {@link String}, {@link Number}, {@link Boolean}, null), into a
 * {@link Filter}. Forms: {@code ["And", [F…]]}, {@code ["Or", [F…]]}, {@code ["Not", F]} and
 * {@code [attribute, op, operand]}.
 *
 * <p>Errors are {@link InvalidFilterException}s whose path names the element at fault, for example
 * {@code filters[1][0][1]: unknown operator "Eqq"}.
 */
public final class FilterParser {

    /** Operators turbopuffer defines that Strata does not evaluate yet. */
    private static final Set<String> UNSUPPORTED = Set.of("AnyLt", "AnyLte", "AnyGt", "AnyGte", "Regex",
            "Fuzzy", "ContainsAllTokens", "ContainsAnyToken", "ContainsTokenSequence");

    private FilterParser() {}

    public static Filter parse(Object json) {
        return parse(json, "filters");
    }

    /** Parses with {@code root} as the name of the tree in error paths. */
    public static Filter parse(Object json, String root) {
        return parseNode(json, root);
    }

    private static Filter parseNode(Object node, String path) {
        if (!(node instanceof List<?> list)) {
            throw new InvalidFilterException(path, "expected a filter array such as [\"attr\", \"Eq\", value]"
                    + " or [\"And\", [...]], got " + describe(node));
        }
        if (list.isEmpty()) {
            throw new InvalidFilterException(path, "empty filter array");
        }
        Object head = list.get(0);
        if ("And".equals(head) || "Or".equals(head)) {
            expectSize(list, 2, path, head + " takes one array of filters: [\"" + head + "\", [F, ...]]");
            if (!(list.get(1) instanceof List<?> children)) {
                throw new InvalidFilterException(path + "[1]", head + " expects an array of filters, got "
                        + describe(list.get(1)));
            }
            List<Filter> parsed = new ArrayList<>(children.size());
            for (int i = 0; i < children.size(); i++) {
                parsed.add(parseNode(children.get(i), path + "[1][" + i + "]"));
            }
            return "And".equals(head) ? new Filter.And(parsed) : new Filter.Or(parsed);
        }
        if ("Not".equals(head)) {
            expectSize(list, 2, path, "Not takes one filter: [\"Not\", F]");
            return new Filter.Not(parseNode(list.get(1), path + "[1]"));
        }
        return parseCondition(list, path);
    }

    private static Filter parseCondition(List<?> list, String path) {
        if (!(list.get(0) instanceof String attribute) || attribute.isEmpty()) {
            throw new InvalidFilterException(path + "[0]", "expected an attribute name or And/Or/Not, got "
                    + describe(list.get(0)));
        }
        if (list.size() < 2 || !(list.get(1) instanceof String opName)) {
            throw new InvalidFilterException(list.size() < 2 ? path : path + "[1]",
                    "expected an operator after attribute '" + attribute + "'");
        }
        Filter.Op op = Filter.Op.fromWireName(opName);
        if (op == null) {
            String detail = UNSUPPORTED.contains(opName)
                    ? "operator \"" + opName + "\" is not supported yet"
                    : "unknown operator \"" + opName + "\"; expected one of " + Arrays.stream(Filter.Op.values())
                            .map(Filter.Op::wireName).collect(Collectors.joining(", "));
            throw new InvalidFilterException(path + "[1]", detail);
        }
        expectSize(list, 3, path, "a condition is [attribute, operator, value]");
        Object operand = list.get(2);
        String at = path + "[2]";
        switch (op.operand()) {
            case VALUE -> scalar(operand, at, op, true);
            case ELEMENT -> scalar(operand, at, op, false);
            case LIST -> {
                if (!(operand instanceof List<?> values)) {
                    throw new InvalidFilterException(at, op.wireName() + " expects an array of values, got "
                            + describe(operand));
                }
                for (int i = 0; i < values.size(); i++) {
                    scalar(values.get(i), at + "[" + i + "]", op, false);
                }
                operand = new ArrayList<Object>(values);
            }
            case PATTERN -> {
                if (!(operand instanceof String pattern)) {
                    throw new InvalidFilterException(at, op.wireName() + " expects a glob pattern string, got "
                            + describe(operand));
                }
                try {
                    GlobPattern.compile(pattern, false);
                } catch (IllegalArgumentException e) {
                    throw new InvalidFilterException(at, e.getMessage());
                }
            }
        }
        return Filter.Condition.of(attribute, op, operand);
    }

    private static void scalar(Object value, String at, Filter.Op op, boolean nullAllowed) {
        if (value == null) {
            if (!nullAllowed) {
                throw new InvalidFilterException(at, op.wireName() + " does not accept null");
            }
            return;
        }
        if (value instanceof List) {
            String hint = op == Filter.Op.EQ ? " (use In for a list of values)"
                    : op == Filter.Op.CONTAINS ? " (use ContainsAny for a list of values)" : "";
            throw new InvalidFilterException(at, op.wireName() + " expects a single value, got an array" + hint);
        }
        if (value instanceof Map) {
            throw new InvalidFilterException(at, op.wireName() + " expects a value, got an object"
                    + " ($ref_new is only allowed in write conditions)");
        }
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof java.util.UUID || value instanceof java.time.Instant)) {
            throw new InvalidFilterException(at, op.wireName() + " expects a string, number or boolean, got "
                    + describe(value));
        }
    }

    private static void expectSize(List<?> list, int size, String path, String usage) {
        if (list.size() != size) {
            throw new InvalidFilterException(path, "expected " + size + " elements, got " + list.size() + ": " + usage);
        }
    }

    static String describe(Object node) {
        if (node == null) {
            return "null";
        }
        if (node instanceof String s) {
            return "string \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
        }
        if (node instanceof List<?> l) {
            return "an array of " + l.size();
        }
        if (node instanceof Map) {
            return "an object";
        }
        return node.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + node;
    }
}
