package dev.strata.cache;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Checks shared by the tiers on what a colder {@link PageSource} hands back. */
final class PageReads {

    private PageReads() {}

    /**
     * Calls the colder source, turning a synchronous throw into a failed future so a caller's
     * completion logic (and Caffeine's) runs in one place.
     */
    static CompletableFuture<List<Page>> read(PageSource source, ObjectId object, long[] pageIndexes) {
        try {
            return source.readPages(object, pageIndexes);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Fails unless the colder source answered with exactly one page per requested index. */
    static List<Page> requireCount(List<Page> pages, ObjectId object, long[] pageIndexes) {
        if (pages == null || pages.size() != pageIndexes.length) {
            throw new IllegalStateException("colder tier returned " + (pages == null ? "no list" : pages.size())
                    + " pages for " + pageIndexes.length + " requested of " + object);
        }
        return pages;
    }
}
