package dev.strata.index.ivf;

/**
 * How hard an IVF search works.
 *
 * @param nprobe                  partitions probed (nearest centroids first), or 0 for the
 *                                default for the section's partition count (see
 *                                {@link #nprobeFor})
 * @param rerankMultiple          at most {@code k × rerankMultiple} candidates that the RaBitQ
 *                                error bound cannot exclude are reranked on exact vectors
 * @param exactFilterLimit        a filter allowing at most this many documents is answered
 *                                exactly by reading just their vectors
 * @param filterCandidateMultiple under a wider filter, probing continues past {@code nprobe}
 *                                partitions holding allowed documents until the allowed
 *                                documents seen reach {@code filterCoverage} times the share of
 *                                all allowed documents that an unfiltered search scans of all
 *                                documents, and at least {@code k × filterCandidateMultiple}
 * @param filterCoverage          see {@code filterCandidateMultiple}: 1 suits a filter that is
 *                                independent of the vectors; a filter tied to topic (a date
 *                                range over documents whose subjects change with time) puts the
 *                                allowed neighbours in partitions the query ranks lower, and
 *                                needs more
 */
public record SearchParams(int nprobe, int rerankMultiple, int exactFilterLimit,
                           int filterCandidateMultiple, int filterCoverage) {

    /**
     * The defaults, chosen so recall@10 is at least 0.95 on 384-d sentence embeddings (cosine)
     * with the default partition count; synthetic clustered data needs far fewer probes. Up to
     * 8192 allowed documents are scored exactly: reading and scoring them costs about as much as
     * a default partition scan, and a filter that narrow is often tied to a topic, where the
     * scan's recall suffers. Wider filters probe until they have seen twice the unfiltered share
     * of allowed documents: on the corpus's year ranges (tied to topic) that lifts recall@10 at
     * ~5% selectivity from 0.92 to 0.96, for about twice the work of an unfiltered query.
     */
    public static final SearchParams DEFAULT = new SearchParams(0, 10, 8192, 40, 2);

    /** The default nprobe is this many times the square root of the partition count. */
    static final double DEFAULT_NPROBE_PER_ROOT_PARTITION = 4;

    public SearchParams {
        if (nprobe < 0 || rerankMultiple < 1 || exactFilterLimit < 0
                || filterCandidateMultiple < 1 || filterCoverage < 1) {
            throw new IllegalArgumentException("invalid search parameters: nprobe=" + nprobe
                    + " (>= 0), rerankMultiple=" + rerankMultiple + " (>= 1), exactFilterLimit="
                    + exactFilterLimit + " (>= 0), filterCandidateMultiple="
                    + filterCandidateMultiple + " (>= 1), filterCoverage=" + filterCoverage
                    + " (>= 1)");
        }
    }

    public SearchParams withNprobe(int value) {
        return new SearchParams(value, rerankMultiple, exactFilterLimit, filterCandidateMultiple,
                filterCoverage);
    }

    public SearchParams withRerankMultiple(int value) {
        return new SearchParams(nprobe, value, exactFilterLimit, filterCandidateMultiple,
                filterCoverage);
    }

    public SearchParams withFilterCoverage(int value) {
        return new SearchParams(nprobe, rerankMultiple, exactFilterLimit, filterCandidateMultiple,
                value);
    }

    /**
     * The number of partitions to probe in a section of {@code partitions} partitions: the
     * configured nprobe, or by default {@code ⌈4·√partitions⌉} (every partition when there are
     * at most 16). With about √N
     * partitions of about √N documents each, recall at a fixed nprobe falls as N grows, while a
     * fixed share of partitions overshoots (the share needed for the same recall shrinks), so
     * the default grows with the square root of the partition count, in between.
     */
    public int nprobeFor(int partitions) {
        int wanted = nprobe > 0 ? nprobe
                : (int) Math.ceil(DEFAULT_NPROBE_PER_ROOT_PARTITION * Math.sqrt(partitions));
        return Math.min(partitions, wanted);
    }
}
