package dev.strata.index.ivf;

/**
 * How hard an IVF search works.
 *
 * @param nprobe                  partitions probed (nearest centroids first), or 0 for the
 *                                default for the section's partition count
 * @param rerankMultiple          at most {@code k × rerankMultiple} candidates that the RaBitQ
 *                                error bound cannot exclude are reranked on exact vectors
 * @param exactFilterLimit        a filter allowing at most this many documents is answered
 *                                exactly by reading just their vectors
 * @param filterCandidateMultiple under a wider filter, probing continues past {@code nprobe}
 *                                until {@code k × filterCandidateMultiple} allowed documents
 *                                have been seen
 */
public record SearchParams(int nprobe, int rerankMultiple, int exactFilterLimit,
                           int filterCandidateMultiple) {

    /** The defaults, chosen so recall@10 is at least 0.95 on clustered data. */
    public static final SearchParams DEFAULT = new SearchParams(0, 10, 2048, 40);

    public SearchParams {
        if (nprobe < 0 || rerankMultiple < 1 || exactFilterLimit < 0
                || filterCandidateMultiple < 1) {
            throw new IllegalArgumentException("invalid search parameters: nprobe=" + nprobe
                    + " (>= 0), rerankMultiple=" + rerankMultiple + " (>= 1), exactFilterLimit="
                    + exactFilterLimit + " (>= 0), filterCandidateMultiple="
                    + filterCandidateMultiple + " (>= 1)");
        }
    }

    public SearchParams withNprobe(int value) {
        return new SearchParams(value, rerankMultiple, exactFilterLimit, filterCandidateMultiple);
    }

    public SearchParams withRerankMultiple(int value) {
        return new SearchParams(nprobe, value, exactFilterLimit, filterCandidateMultiple);
    }

    /** The number of partitions to probe in a section of {@code partitions} partitions. */
    public int nprobeFor(int partitions) {
        int wanted = nprobe > 0 ? nprobe : Math.max(16, (int) Math.ceil(partitions / 32.0));
        return Math.min(partitions, wanted);
    }
}
