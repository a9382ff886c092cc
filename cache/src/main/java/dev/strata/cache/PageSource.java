package dev.strata.cache;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A source of pages of immutable objects. Every cache tier implements it and wraps the next
 * colder source, so a tier serves what it holds and passes only the gaps down; the coldest
 * source is the object store.
 */
public interface PageSource {

    /**
     * Reads pages of one object. {@code pageIndexes} is sorted ascending without duplicates and
     * every index lies inside the object. The future completes with one page per index, in the
     * same order, each reporting the tier that served it; it completes exceptionally if any page
     * cannot be read.
     */
    CompletableFuture<List<Page>> readPages(ObjectId object, long[] pageIndexes);
}
