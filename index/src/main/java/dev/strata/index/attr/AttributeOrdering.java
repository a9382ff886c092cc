package dev.strata.index.attr;

import java.util.Arrays;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Top-N ordinals of a segment ordered by one scalar attribute ({@code rank_by: [attr, "asc"|"desc"]}).
 *
 * <p>Missing values order before every value, as in the filters: first when ascending, last when
 * descending. Ties are broken by ascending ordinal. The work is one pass over the candidate
 * ordinals with a bounded heap of packed {@code long} keys (dictionary id, ordinal): no object per
 * document.
 */
public final class AttributeOrdering {

    private AttributeOrdering() {}

    /**
     * The first {@code limit} ordinals of {@code allowedOrNull} (null = every row) in the order of
     * {@code column}'s values.
     */
    public static int[] topN(AttributeColumn column, boolean descending, RoaringBitmap allowedOrNull, int limit) {
        if (column.type().isArray()) {
            throw new IllegalArgumentException("cannot order by array attribute '" + column.name() + "' ("
                    + column.type() + ")");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        int n = column.rowCount();
        long nullRank = descending ? column.distinctValues() + 1L : 0L;
        LongMaxHeap heap = new LongMaxHeap(Math.min(limit, n));
        if (limit == 0) {
            return new int[0];
        }
        IntIterator it = allowedOrNull == null ? null : allowedOrNull.getIntIterator();
        for (int r = 0; it == null ? r < n : it.hasNext(); r++) {
            int ordinal = it == null ? r : it.next();
            if (ordinal >= n) {
                break;
            }
            int id = column.idAt(ordinal);
            long rank = id < 0 ? nullRank : descending ? column.distinctValues() - (long) id : id + 1L;
            heap.offer(rank << 32 | ordinal);
        }
        long[] keys = heap.sortedAscending();
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /** Keeps the {@code capacity} smallest longs offered. */
    private static final class LongMaxHeap {
        private final long[] heap;
        private int size;

        LongMaxHeap(int capacity) {
            heap = new long[capacity];
        }

        void offer(long key) {
            if (size < heap.length) {
                heap[size] = key;
                siftUp(size++);
            } else if (size > 0 && key < heap[0]) {
                heap[0] = key;
                siftDown(0);
            }
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] >= heap[i]) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int left = 2 * i + 1;
                if (left >= size) {
                    return;
                }
                int bigger = left + 1 < size && heap[left + 1] > heap[left] ? left + 1 : left;
                if (heap[i] >= heap[bigger]) {
                    return;
                }
                swap(i, bigger);
                i = bigger;
            }
        }

        private void swap(int a, int b) {
            long t = heap[a];
            heap[a] = heap[b];
            heap[b] = t;
        }

        long[] sortedAscending() {
            long[] out = Arrays.copyOf(heap, size);
            Arrays.sort(out);
            return out;
        }
    }
}
