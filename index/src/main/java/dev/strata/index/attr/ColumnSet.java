package dev.strata.index.attr;

/**
 * The columns of one segment that a filter or ordering needs, already in memory. Attributes the
 * segment holds no values for come back as {@link AttributeColumn#absent} columns.
 */
public interface ColumnSet {

    int rowCount();

    /** The column of an attribute; must not be null for an attribute the caller asked to load. */
    AttributeColumn column(String name);

    /** The id column; needed only by filters on {@code id}. */
    IdColumn ids();
}
