package dev.strata.index.attr;

import dev.strata.index.doc.DocId;
import dev.strata.index.filter.Filter;
import dev.strata.index.filter.GlobPattern;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RoaringBitmapWriter;

/**
 * Evaluates a bound filter (see {@link dev.strata.index.filter.FilterBinder}) over a segment's
 * columns into the bitmap of matching ordinals, and estimates match counts without building any
 * bitmap.
 *
 * <p>Work is per distinct value or per posting, never per document object: equality and set
 * operators OR the postings of the matching dictionary ids (or scan the id array when that is
 * cheaper), ranges become a dictionary id range, globs are matched against the dictionary (only
 * the range sharing the glob's literal prefix, when it has one). Semantics are exactly
 * {@link dev.strata.index.filter.DocumentMatcher}'s, null handling included (see {@link Filter}).
 */
public final class FilterBitmaps {

    /** Narrow by lookups when the candidates are fewer than one row in this many. */
    private static final long NARROW_RATIO = 16;

    private FilterBitmaps() {}

    /** The ordinals matching {@code filter}; a fresh bitmap the caller owns. */
    public static RoaringBitmap evaluate(Filter filter, ColumnSet columns) {
        int n = columns.rowCount();
        if (filter instanceof Filter.And and) {
            // Most selective first (estimates only read value counts), so that later range
            // conditions can test the few surviving rows instead of building a full bitmap.
            List<Filter> children = new ArrayList<>(and.filters());
            children.sort(Comparator.comparingLong(f -> estimate(f, columns)));
            RoaringBitmap acc = null;
            for (Filter f : children) {
                RoaringBitmap narrowed = acc == null ? null : narrow(f, columns, acc, n);
                if (narrowed != null) {
                    acc = narrowed;
                } else if (acc == null) {
                    acc = evaluate(f, columns);
                } else {
                    acc.and(evaluate(f, columns));
                }
                if (acc.isEmpty()) {
                    return acc;
                }
            }
            return acc == null ? all(n) : acc;
        }
        if (filter instanceof Filter.Or or) {
            RoaringBitmap acc = new RoaringBitmap();
            for (Filter f : or.filters()) {
                acc.or(evaluate(f, columns));
            }
            return acc;
        }
        if (filter instanceof Filter.Not not) {
            return complement(evaluate(not.filter(), columns), n);
        }
        Filter.Condition c = (Filter.Condition) filter;
        RoaringBitmap positive = c.attribute().equals("id")
                ? idCondition(c.op().positive(), c.operand(), columns.ids(), n)
                : condition(c.op().positive(), c.operand(), columns.column(c.attribute()), n);
        return c.op().isNegated() ? complement(positive, n) : positive;
    }

    private static RoaringBitmap condition(Filter.Op op, Object operand, AttributeColumn col, int n) {
        Dictionary dict = col.dictionary();
        switch (op) {
            case EQ:
            case CONTAINS: {
                if (operand == null) {
                    return complement(col.present(), n);
                }
                int id = dict.search(operand);
                return id >= 0 ? col.rowsWithIds(id, id + 1) : new RoaringBitmap();
            }
            case IN:
            case CONTAINS_ANY:
                return col.rowsWithIds(selectValues(dict, (List<?>) operand));
            case LT:
                return operand == null ? new RoaringBitmap() : withNulls(col.rowsWithIds(0, dict.lowerBound(operand)), col, n);
            case LTE:
                return operand == null ? complement(col.present(), n)
                        : withNulls(col.rowsWithIds(0, dict.upperBound(operand)), col, n);
            case GT:
                return operand == null ? col.present().clone() : col.rowsWithIds(dict.upperBound(operand), dict.size());
            case GTE:
                return operand == null ? all(n) : col.rowsWithIds(dict.lowerBound(operand), dict.size());
            case GLOB:
            case IGLOB:
                return col.rowsWithIds(selectGlob(dict, (String) operand, op == Filter.Op.IGLOB));
            default:
                throw new IllegalArgumentException("not a positive operator: " + op);
        }
    }

    /**
     * For a comparison on a scalar attribute and few candidates: the candidates that satisfy it,
     * found by looking up each candidate's dictionary id. Null when this shortcut does not apply.
     */
    private static RoaringBitmap narrow(Filter f, ColumnSet columns, RoaringBitmap candidates, int n) {
        if (!(f instanceof Filter.Condition c) || c.attribute().equals("id")
                || candidates.getLongCardinality() * NARROW_RATIO >= n) {
            return null;
        }
        Filter.Op op = c.op().positive();
        Object operand = c.operand();
        AttributeColumn col = columns.column(c.attribute());
        if (col.type().isArray() || operand == null
                || !(op == Filter.Op.EQ || op == Filter.Op.LT || op == Filter.Op.LTE || op == Filter.Op.GT
                        || op == Filter.Op.GTE)) {
            return null;
        }
        Dictionary dict = col.dictionary();
        int lo;
        int hi;
        switch (op) {
            case EQ -> {
                lo = dict.lowerBound(operand);
                hi = dict.upperBound(operand);
            }
            case LT -> {
                lo = 0;
                hi = dict.lowerBound(operand);
            }
            case LTE -> {
                lo = 0;
                hi = dict.upperBound(operand);
            }
            case GT -> {
                lo = dict.upperBound(operand);
                hi = dict.size();
            }
            default -> {
                lo = dict.lowerBound(operand);
                hi = dict.size();
            }
        }
        boolean nullsMatch = op == Filter.Op.LT || op == Filter.Op.LTE;
        boolean negated = c.op().isNegated();
        RoaringBitmapWriter<RoaringBitmap> out = RoaringBitmapWriter.writer().get();
        for (IntIterator it = candidates.getIntIterator(); it.hasNext(); ) {
            int r = it.next();
            int id = col.idAt(r);
            boolean matches = id < 0 ? nullsMatch : id >= lo && id < hi;
            if (matches != negated) {
                out.add(r);
            }
        }
        return out.get();
    }

    private static RoaringBitmap idCondition(Filter.Op op, Object operand, IdColumn ids, int n) {
        switch (op) {
            case EQ: {
                RoaringBitmap out = new RoaringBitmap();
                int ordinal = operand == null ? -1 : ids.ordinalOf((DocId) operand);
                if (ordinal >= 0) {
                    out.add(ordinal);
                }
                return out;
            }
            case IN: {
                RoaringBitmap out = new RoaringBitmap();
                for (Object id : (List<?>) operand) {
                    int ordinal = ids.ordinalOf((DocId) id);
                    if (ordinal >= 0) {
                        out.add(ordinal);
                    }
                }
                return out;
            }
            case LT:
                return operand == null ? new RoaringBitmap() : ids.ordinalsOfRanks(0, ids.rank((DocId) operand, false));
            case LTE:
                return operand == null ? new RoaringBitmap() : ids.ordinalsOfRanks(0, ids.rank((DocId) operand, true));
            case GT:
                return operand == null ? all(n) : ids.ordinalsOfRanks(ids.rank((DocId) operand, true), n);
            case GTE:
                return operand == null ? all(n) : ids.ordinalsOfRanks(ids.rank((DocId) operand, false), n);
            default:
                throw new IllegalArgumentException(op.wireName() + " does not apply to id");
        }
    }

    /**
     * An estimate of the number of matching ordinals, from value counts only: exact for a single
     * condition on a scalar attribute or on id, an upper bound for array conditions, and min/sum
     * combinations for And/Or.
     */
    public static long estimate(Filter filter, ColumnSet columns) {
        long n = columns.rowCount();
        if (filter instanceof Filter.And and) {
            long best = n;
            for (Filter f : and.filters()) {
                best = Math.min(best, estimate(f, columns));
            }
            return best;
        }
        if (filter instanceof Filter.Or or) {
            long sum = 0;
            for (Filter f : or.filters()) {
                sum += estimate(f, columns);
            }
            return Math.min(n, sum);
        }
        if (filter instanceof Filter.Not not) {
            return n - estimate(not.filter(), columns);
        }
        Filter.Condition c = (Filter.Condition) filter;
        long positive = c.attribute().equals("id")
                ? estimateId(c.op().positive(), c.operand(), columns.ids(), n)
                : estimateCondition(c.op().positive(), c.operand(), columns.column(c.attribute()), n);
        return Math.min(n, c.op().isNegated() ? n - positive : positive);
    }

    private static long estimateCondition(Filter.Op op, Object operand, AttributeColumn col, long n) {
        Dictionary dict = col.dictionary();
        long nulls = n - col.present().getLongCardinality();
        switch (op) {
            case EQ:
            case CONTAINS: {
                if (operand == null) {
                    return nulls;
                }
                int id = dict.search(operand);
                return id >= 0 ? col.count(id, id + 1) : 0;
            }
            case IN:
            case CONTAINS_ANY:
                return col.count(selectValues(dict, (List<?>) operand));
            case LT:
                return operand == null ? 0 : nulls + col.count(0, dict.lowerBound(operand));
            case LTE:
                return operand == null ? nulls : nulls + col.count(0, dict.upperBound(operand));
            case GT:
                return operand == null ? n - nulls : col.count(dict.upperBound(operand), dict.size());
            case GTE:
                return operand == null ? n : col.count(dict.lowerBound(operand), dict.size());
            default:
                return col.count(selectGlob(dict, (String) operand, op == Filter.Op.IGLOB));
        }
    }

    private static long estimateId(Filter.Op op, Object operand, IdColumn ids, long n) {
        return switch (op) {
            case EQ, IN -> idCondition(op, operand, ids, (int) n).getLongCardinality();
            case LT -> operand == null ? 0 : ids.rank((DocId) operand, false);
            case LTE -> operand == null ? 0 : ids.rank((DocId) operand, true);
            case GT -> operand == null ? n : n - ids.rank((DocId) operand, true);
            case GTE -> operand == null ? n : n - ids.rank((DocId) operand, false);
            default -> n;
        };
    }

    private static BitSet selectValues(Dictionary dict, List<?> values) {
        BitSet selected = new BitSet(dict.size());
        for (Object v : values) {
            int id = dict.search(v);
            if (id >= 0) {
                selected.set(id);
            }
        }
        return selected;
    }

    private static BitSet selectGlob(Dictionary dict, String pattern, boolean caseInsensitive) {
        BitSet selected = new BitSet(dict.size());
        if (dict.size() == 0) {
            return selected;
        }
        GlobPattern glob = GlobPattern.compile(pattern, caseInsensitive);
        Dictionary.Strings strings = (Dictionary.Strings) dict;
        String prefix = glob.literalPrefix();
        // Values sharing a prefix are contiguous in code point order, starting at its lower bound.
        for (int id = dict.lowerBound(prefix); id < dict.size(); id++) {
            String value = strings.string(id);
            if (!value.startsWith(prefix)) {
                break;
            }
            if (glob.matches(value)) {
                selected.set(id);
            }
        }
        return selected;
    }

    private static RoaringBitmap withNulls(RoaringBitmap rows, AttributeColumn col, int n) {
        rows.or(complement(col.present(), n));
        return rows;
    }

    private static RoaringBitmap all(int n) {
        return RoaringBitmap.bitmapOfRange(0, n);
    }

    /** {@code [0, n) \ bitmap} as a fresh bitmap; the argument is not modified. */
    private static RoaringBitmap complement(RoaringBitmap bitmap, int n) {
        return RoaringBitmap.flip(bitmap, 0L, (long) n);
    }
}
