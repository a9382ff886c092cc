package dev.strata.index.filter;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Schema;
import dev.strata.index.doc.SchemaException;
import dev.strata.index.doc.Values;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a parsed {@link Filter} against a {@link Schema} and returns the same filter with
 * canonical literals (datetimes as epoch milliseconds, UUIDs as {@link java.util.UUID}, integers as
 * {@link Long}, {@code id} literals as {@link DocId}), which is the form every evaluator expects.
 *
 * <p>Errors name the path of the offending element, as {@link FilterParser} does: an unknown or
 * unfilterable attribute, an operator that does not apply to the attribute's type, or a literal of
 * the wrong type.
 */
public final class FilterBinder {

    private static final Set<Filter.Op> ID_OPS = EnumSet.of(Filter.Op.EQ, Filter.Op.NOT_EQ, Filter.Op.IN,
            Filter.Op.NOT_IN, Filter.Op.LT, Filter.Op.LTE, Filter.Op.GT, Filter.Op.GTE);

    private FilterBinder() {}

    public static Filter bind(Filter filter, Schema schema) {
        return bind(filter, schema, "filters");
    }

    public static Filter bind(Filter filter, Schema schema, String root) {
        return bindNode(filter, schema, root);
    }

    private static Filter bindNode(Filter f, Schema schema, String path) {
        if (f instanceof Filter.And and) {
            return new Filter.And(bindAll(and.filters(), schema, path));
        }
        if (f instanceof Filter.Or or) {
            return new Filter.Or(bindAll(or.filters(), schema, path));
        }
        if (f instanceof Filter.Not not) {
            return new Filter.Not(bindNode(not.filter(), schema, path + "[1]"));
        }
        Filter.Condition c = (Filter.Condition) f;
        return c.attribute().equals("id") ? bindId(c, path) : bindAttribute(c, schema, path);
    }

    private static List<Filter> bindAll(List<Filter> children, Schema schema, String path) {
        List<Filter> out = new ArrayList<>(children.size());
        for (int i = 0; i < children.size(); i++) {
            out.add(bindNode(children.get(i), schema, path + "[1][" + i + "]"));
        }
        return out;
    }

    private static Filter bindId(Filter.Condition c, String path) {
        if (!ID_OPS.contains(c.op())) {
            throw new InvalidFilterException(path + "[1]", c.op().wireName() + " does not apply to id"
                    + " (id supports Eq, NotEq, In, NotIn, Lt, Lte, Gt, Gte)");
        }
        Object operand;
        if (c.operand() instanceof List<?> list) {
            List<Object> ids = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                ids.add(id(list.get(i), path + "[2][" + i + "]"));
            }
            operand = ids;
        } else {
            operand = c.operand() == null ? null : id(c.operand(), path + "[2]");
        }
        return Filter.Condition.of("id", c.op(), operand);
    }

    private static DocId id(Object raw, String path) {
        try {
            return DocId.fromJson(raw);
        } catch (IllegalArgumentException e) {
            throw new InvalidFilterException(path, e.getMessage());
        }
    }

    private static Filter bindAttribute(Filter.Condition c, Schema schema, String path) {
        String name = c.attribute();
        Schema.Attribute attribute = schema.attribute(name).orElseThrow(() ->
                new InvalidFilterException(path + "[0]", "unknown attribute '" + name + "'"));
        if (!attribute.filterable()) {
            throw new InvalidFilterException(path + "[0]", "attribute '" + name + "' is not filterable");
        }
        AttributeType type = attribute.type();
        Filter.Op op = c.op().positive();
        boolean wantsArray = op == Filter.Op.CONTAINS || op == Filter.Op.CONTAINS_ANY;
        boolean glob = op == Filter.Op.GLOB || op == Filter.Op.IGLOB;
        if (glob && type.elementType() != AttributeType.STRING) {
            throw misapplied(c, type, path, "string or []string attributes");
        }
        if (wantsArray && !type.isArray()) {
            throw misapplied(c, type, path, "array attributes (use Eq or In on " + type + ")");
        }
        if (!wantsArray && !glob && type.isArray() && !(op == Filter.Op.EQ && c.operand() == null)) {
            throw misapplied(c, type, path, "scalar attributes (use Contains or ContainsAny on " + type
                    + "; Eq/NotEq accept only null on arrays)");
        }
        if (glob) {
            return c;
        }
        AttributeType element = type.elementType();
        Object operand;
        if (c.operand() instanceof List<?> list) {
            List<Object> values = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                values.add(literal(element, list.get(i), name, path + "[2][" + i + "]"));
            }
            operand = values;
        } else {
            operand = literal(element, c.operand(), name, path + "[2]");
        }
        return Filter.Condition.of(name, c.op(), operand);
    }

    private static Object literal(AttributeType element, Object raw, String name, String path) {
        try {
            return Values.conform(element, raw, name);
        } catch (SchemaException e) {
            throw new InvalidFilterException(path, e.getMessage());
        }
    }

    private static InvalidFilterException misapplied(Filter.Condition c, AttributeType type, String path, String what) {
        return new InvalidFilterException(path + "[1]", c.op().wireName() + " on '" + c.attribute()
                + "' (" + type + ") is not allowed: " + c.op().wireName() + " applies to " + what);
    }
}
