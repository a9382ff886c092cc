package dev.strata.bench.data;

/** Picks the contiguous range of years whose share of documents is closest to a target. */
public final class YearRanges {

    private YearRanges() {}

    /** {@code [lo, hi]} over the years present (0 = missing is never included). */
    public static int[] closest(int[] years, double target) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int y : years) {
            if (y > 0) {
                min = Math.min(min, y);
                max = Math.max(max, y);
            }
        }
        long[] counts = new long[max - min + 1];
        for (int y : years) {
            if (y > 0) {
                counts[y - min]++;
            }
        }
        int[] best = {min, min};
        double bestError = Double.MAX_VALUE;
        for (int lo = 0; lo < counts.length; lo++) {
            long sum = 0;
            for (int hi = lo; hi < counts.length; hi++) {
                sum += counts[hi];
                double share = (double) sum / years.length;
                // Compare on a log scale: 0.01% vs 0.02% is as far off as 5% vs 10%.
                double error = sum == 0 ? Double.MAX_VALUE : Math.abs(Math.log(share / target));
                if (error < bestError) {
                    bestError = error;
                    best = new int[] {lo + min, hi + min};
                }
            }
        }
        return best;
    }
}
