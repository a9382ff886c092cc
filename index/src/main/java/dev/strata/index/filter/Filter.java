package dev.strata.index.filter;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A filter in turbopuffer's filter language: a boolean combination of conditions on one attribute
 * (or on {@code id}).
 *
 * <p>Semantics shared by every evaluator ({@link DocumentMatcher}, the bitmap evaluator in
 * {@code attr}):
 * <ul>
 *   <li>{@code Eq null} matches documents missing the attribute, {@code NotEq null} those having it.
 *   <li>Every {@code Not…} operator is the exact complement of its positive form, so documents
 *       missing the attribute match {@code NotEq 5}, {@code NotIn […]}, {@code NotContains x},
 *       {@code NotGlob p}.
 *   <li>{@code Lt, Lte, Gt, Gte} order a missing value before every value: a missing attribute
 *       matches {@code Lt v} and {@code Lte v}, never {@code Gt v} or {@code Gte v}; with a null
 *       operand, {@code Lt null} matches nothing, {@code Lte null} only missing values,
 *       {@code Gt null} every present value, {@code Gte null} everything.
 *   <li>{@code Eq, NotEq, In, NotIn} and the range operators apply to scalar attributes
 *       (arrays accept only {@code Eq null}/{@code NotEq null});
 *       {@code Contains, ContainsAny} and their negations to array attributes; the glob operators
 *       to {@code string} and {@code []string} (any element matching).
 *   <li>{@code And []} matches everything and {@code Or []} nothing.
 * </ul>
 * A parsed filter holds literals as the JSON library gave them; {@link FilterBinder#bind} checks
 * it against a schema and makes the literals canonical, which the evaluators require.
 */
public sealed interface Filter {

    /** The attributes the filter reads, {@code id} included when it is used. */
    default Set<String> attributes() {
        Set<String> out = new TreeSet<>();
        collectAttributes(this, out);
        return out;
    }

    private static void collectAttributes(Filter f, Set<String> out) {
        if (f instanceof Condition c) {
            out.add(c.attribute());
        } else if (f instanceof Not n) {
            collectAttributes(n.filter(), out);
        } else {
            for (Filter child : f instanceof And a ? a.filters() : ((Or) f).filters()) {
                collectAttributes(child, out);
            }
        }
    }

    /** Matches when every child matches. */
    record And(List<Filter> filters) implements Filter {
        public And {
            filters = List.copyOf(filters);
        }
    }

    /** Matches when at least one child matches. */
    record Or(List<Filter> filters) implements Filter {
        public Or {
            filters = List.copyOf(filters);
        }
    }

    /** Matches when its child does not. */
    record Not(Filter filter) implements Filter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }
    }

    /** The comparison operators, with the shape of their operand and their positive form. */
    enum Op {
        EQ("Eq", Operand.VALUE, false),
        NOT_EQ("NotEq", Operand.VALUE, true),
        IN("In", Operand.LIST, false),
        NOT_IN("NotIn", Operand.LIST, true),
        LT("Lt", Operand.VALUE, false),
        LTE("Lte", Operand.VALUE, false),
        GT("Gt", Operand.VALUE, false),
        GTE("Gte", Operand.VALUE, false),
        CONTAINS("Contains", Operand.ELEMENT, false),
        NOT_CONTAINS("NotContains", Operand.ELEMENT, true),
        CONTAINS_ANY("ContainsAny", Operand.LIST, false),
        NOT_CONTAINS_ANY("NotContainsAny", Operand.LIST, true),
        GLOB("Glob", Operand.PATTERN, false),
        NOT_GLOB("NotGlob", Operand.PATTERN, true),
        IGLOB("IGlob", Operand.PATTERN, false),
        NOT_IGLOB("NotIGlob", Operand.PATTERN, true);

        /** What the third element of a condition must be. */
        public enum Operand {
            /** A scalar or null. */
            VALUE,
            /** A non-null scalar. */
            ELEMENT,
            /** An array of non-null scalars. */
            LIST,
            /** A glob pattern string. */
            PATTERN
        }

        private final String wireName;
        private final Operand operand;
        private final boolean negated;

        Op(String wireName, Operand operand, boolean negated) {
            this.wireName = wireName;
            this.operand = operand;
            this.negated = negated;
        }

        public String wireName() {
            return wireName;
        }

        public Operand operand() {
            return operand;
        }

        /** True for the {@code Not…} operators, which match exactly where {@link #positive()} does not. */
        public boolean isNegated() {
            return negated;
        }

        /** The operator this one negates, or itself. */
        public Op positive() {
            return negated ? valueOf(name().substring(4)) : this;
        }

        public static Op fromWireName(String name) {
            for (Op op : values()) {
                if (op.wireName.equals(name)) {
                    return op;
                }
            }
            return null;
        }
    }

    /** A condition on one attribute: {@code [attribute, op, operand]}. */
    sealed interface Condition extends Filter {
        String attribute();

        Op op();

        /** The literal: a value (possibly null), a {@code List} for list operators, a pattern string. */
        Object operand();

        /** Builds the record for {@code op}; the operand must have the operator's shape. */
        static Condition of(String attribute, Op op, Object operand) {
            return switch (op) {
                case EQ -> new Eq(attribute, operand);
                case NOT_EQ -> new NotEq(attribute, operand);
                case IN -> new In(attribute, list(operand));
                case NOT_IN -> new NotIn(attribute, list(operand));
                case LT -> new Lt(attribute, operand);
                case LTE -> new Lte(attribute, operand);
                case GT -> new Gt(attribute, operand);
                case GTE -> new Gte(attribute, operand);
                case CONTAINS -> new Contains(attribute, operand);
                case NOT_CONTAINS -> new NotContains(attribute, operand);
                case CONTAINS_ANY -> new ContainsAny(attribute, list(operand));
                case NOT_CONTAINS_ANY -> new NotContainsAny(attribute, list(operand));
                case GLOB -> new Glob(attribute, (String) operand);
                case NOT_GLOB -> new NotGlob(attribute, (String) operand);
                case IGLOB -> new IGlob(attribute, (String) operand);
                case NOT_IGLOB -> new NotIGlob(attribute, (String) operand);
            };
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Object operand) {
            return (List<Object>) operand;
        }
    }

    private static String checkAttribute(String attribute) {
        if (attribute == null || attribute.isEmpty()) {
            throw new IllegalArgumentException("condition without an attribute name");
        }
        return attribute;
    }

    private static Object checkElement(Object value, Op op) {
        if (value == null) {
            throw new IllegalArgumentException(op.wireName() + " needs a non-null value");
        }
        return value;
    }

    private static List<Object> checkValues(List<Object> values, Op op) {
        for (Object v : values) {
            checkElement(v, op);
        }
        return Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    private static String checkPattern(String pattern, Op op) {
        return (String) checkElement(pattern, op);
    }

    record Eq(String attribute, Object value) implements Condition {
        public Eq { attribute = checkAttribute(attribute); }
        @Override public Op op() { return Op.EQ; }
        @Override public Object operand() { return value; }
    }

    record NotEq(String attribute, Object value) implements Condition {
        public NotEq { attribute = checkAttribute(attribute); }
        @Override public Op op() { return Op.NOT_EQ; }
        @Override public Object operand() { return value; }
    }

    record In(String attribute, List<Object> values) implements Condition {
        public In { attribute = checkAttribute(attribute); values = checkValues(values, Op.IN); }
        @Override public Op op() { return Op.IN; }
        @Override public Object operand() { return values; }
    }

    record NotIn(String attribute, List<Object> values) implements Condition {
        public NotIn { attribute = checkAttribute(attribute); values = checkValues(values, Op.NOT_IN); }
        @Override public Op op() { return Op.NOT_IN; }
        @Override public Object operand() { return values; }
    }

    record Lt(String attribute, Object value) implements Condition {
        public Lt { attribute = checkAttribute(attribute); }
        @Override public Op op() { return Op.LT; }
        @Override public Object operand() { return value; }
    }

    record Lte(String attribute, Object value) implements Condition {
        public Lte { attribute = checkAttribute(attribute); }
        @Override public Op op() { return Op.LTE; }
        @Override public Object operand() { return value; }
    }

    record Gt(String attribute, Object value) implements Condition {
        public Gt { attribute = checkAttribute(attribute); }
        @Override public Op op() { return Op.GT; }
        @Override public Object operand() { return value; }
    }

    record Gte(String attribute, Object value) implements Condition {
        public Gte { attribute = checkAttribute(attribute); }
        @Override public Op op() { return Op.GTE; }
        @Override public Object operand() { return value; }
    }

    record Contains(String attribute, Object value) implements Condition {
        public Contains { attribute = checkAttribute(attribute); value = checkElement(value, Op.CONTAINS); }
        @Override public Op op() { return Op.CONTAINS; }
        @Override public Object operand() { return value; }
    }

    record NotContains(String attribute, Object value) implements Condition {
        public NotContains { attribute = checkAttribute(attribute); value = checkElement(value, Op.NOT_CONTAINS); }
        @Override public Op op() { return Op.NOT_CONTAINS; }
        @Override public Object operand() { return value; }
    }

    record ContainsAny(String attribute, List<Object> values) implements Condition {
        public ContainsAny { attribute = checkAttribute(attribute); values = checkValues(values, Op.CONTAINS_ANY); }
        @Override public Op op() { return Op.CONTAINS_ANY; }
        @Override public Object operand() { return values; }
    }

    record NotContainsAny(String attribute, List<Object> values) implements Condition {
        public NotContainsAny { attribute = checkAttribute(attribute); values = checkValues(values, Op.NOT_CONTAINS_ANY); }
        @Override public Op op() { return Op.NOT_CONTAINS_ANY; }
        @Override public Object operand() { return values; }
    }

    record Glob(String attribute, String pattern) implements Condition {
        public Glob { attribute = checkAttribute(attribute); pattern = checkPattern(pattern, Op.GLOB); }
        @Override public Op op() { return Op.GLOB; }
        @Override public Object operand() { return pattern; }
    }

    record NotGlob(String attribute, String pattern) implements Condition {
        public NotGlob { attribute = checkAttribute(attribute); pattern = checkPattern(pattern, Op.NOT_GLOB); }
        @Override public Op op() { return Op.NOT_GLOB; }
        @Override public Object operand() { return pattern; }
    }

    record IGlob(String attribute, String pattern) implements Condition {
        public IGlob { attribute = checkAttribute(attribute); pattern = checkPattern(pattern, Op.IGLOB); }
        @Override public Op op() { return Op.IGLOB; }
        @Override public Object operand() { return pattern; }
    }

    record NotIGlob(String attribute, String pattern) implements Condition {
        public NotIGlob { attribute = checkAttribute(attribute); pattern = checkPattern(pattern, Op.NOT_IGLOB); }
        @Override public Op op() { return Op.NOT_IGLOB; }
        @Override public Object operand() { return pattern; }
    }
}
