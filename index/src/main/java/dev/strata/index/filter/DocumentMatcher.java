package dev.strata.index.filter;

import dev.strata.index.doc.AttributeType;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.doc.Values;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a bound filter (see {@link FilterBinder}) on one canonical document: the evaluator
 * for the unindexed WAL tail, and the oracle the bitmap evaluator is tested against.
 *
 * <p>Not thread-safe (it caches compiled globs); use one per query.
 */
public final class DocumentMatcher {

    private final Schema schema;
    private final Map<String, GlobPattern> globs = new HashMap<>();

    public DocumentMatcher(Schema schema) {
        this.schema = schema;
    }

    public boolean matches(Filter filter, Document doc) {
        if (filter instanceof Filter.And and) {
            for (Filter f : and.filters()) {
                if (!matches(f, doc)) {
                    return false;
                }
            }
            return true;
        }
        if (filter instanceof Filter.Or or) {
            for (Filter f : or.filters()) {
                if (matches(f, doc)) {
                    return true;
                }
            }
            return false;
        }
        if (filter instanceof Filter.Not not) {
            return !matches(not.filter(), doc);
        }
        Filter.Condition c = (Filter.Condition) filter;
        boolean positive = c.attribute().equals("id") ? matchesId(c, doc.id()) : matchesAttribute(c, doc);
        return c.op().isNegated() != positive;
    }

    private boolean matchesId(Filter.Condition c, DocId id) {
        Filter.Op op = c.op().positive();
        if (op == Filter.Op.IN) {
            return ((List<?>) c.operand()).contains(id);
        }
        return compareOp(op, id, c.operand(), (a, b) -> ((DocId) a).compareTo((DocId) b));
    }

    private boolean matchesAttribute(Filter.Condition c, Document doc) {
        Object value = doc.attribute(c.attribute());
        AttributeType type = schema.attribute(c.attribute())
                .orElseThrow(() -> new IllegalArgumentException("unbound filter: unknown attribute " + c.attribute()))
                .type();
        AttributeType element = type.elementType();
        Filter.Op op = c.op().positive();
        switch (op) {
            case IN:
                return value != null && containsEqual((List<?>) c.operand(), value, element);
            case CONTAINS:
                return value != null && containsEqual((List<?>) value, c.operand(), element);
            case CONTAINS_ANY:
                if (value == null) {
                    return false;
                }
                for (Object wanted : (List<?>) c.operand()) {
                    if (containsEqual((List<?>) value, wanted, element)) {
                        return true;
                    }
                }
                return false;
            case GLOB:
            case IGLOB: {
                if (value == null) {
                    return false;
                }
                GlobPattern glob = glob((String) c.operand(), op == Filter.Op.IGLOB);
                if (value instanceof List<?> list) {
                    for (Object e : list) {
                        if (glob.matches((String) e)) {
                            return true;
                        }
                    }
                    return false;
                }
                return glob.matches((String) value);
            }
            default:
                return compareOp(op, value, c.operand(), (a, b) -> Values.compare(element, a, b));
        }
    }

    private interface Order {
        int compare(Object a, Object b);
    }

    /** Eq and the range operators, ordering null (missing) before every value. */
    private static boolean compareOp(Filter.Op op, Object value, Object operand, Order order) {
        int cmp;
        if (value == null || operand == null) {
            cmp = value == null ? (operand == null ? 0 : -1) : 1;
        } else {
            cmp = order.compare(value, operand);
        }
        return switch (op) {
            case EQ -> cmp == 0;
            case LT -> cmp < 0;
            case LTE -> cmp <= 0;
            case GT -> cmp > 0;
            case GTE -> cmp >= 0;
            default -> throw new IllegalArgumentException("not a comparison: " + op);
        };
    }

    private static boolean containsEqual(List<?> values, Object wanted, AttributeType element) {
        for (Object v : values) {
            if (Values.compare(element, v, wanted) == 0) {
                return true;
            }
        }
        return false;
    }

    private GlobPattern glob(String pattern, boolean caseInsensitive) {
        return globs.computeIfAbsent((caseInsensitive ? "i:" : "s:") + pattern,
                k -> GlobPattern.compile(pattern, caseInsensitive));
    }
}
