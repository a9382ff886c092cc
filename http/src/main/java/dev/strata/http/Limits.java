package dev.strata.http;

/** The request limits the API enforces before a request reaches a namespace. */
final class Limits {

    /** Largest {@code top_k} / {@code limit} of one query. */
    static final int MAX_TOP_K = 10_000;
    /** Most dimensions of a vector. */
    static final int MAX_DIMENSIONS = 10_752;
    /** Deepest nesting of And/Or/Not in one filter. */
    static final int MAX_FILTER_DEPTH = 64;
    /** Most queries in one multi-query request. */
    static final int MAX_QUERIES = 16;
    /** Largest page of the namespace listing. */
    static final int MAX_PAGE_SIZE = dev.strata.actors.storage.NamespaceCatalog.MAX_PAGE_SIZE;
    /** Most distinct attribute names one write may use (the namespace-wide limit is the schema's). */
    static final int MAX_ATTRIBUTES = 1_024;
    /** JSON nesting Jackson accepts at all; deeper bodies are refused while parsing. */
    static final int MAX_JSON_DEPTH = 256;

    private Limits() {}
}
