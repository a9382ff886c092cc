package dev.strata.index.ivf;

import java.util.Arrays;

/**
 * The {@code k}-th smallest of the floats offered so far, {@code +∞} until {@code k} were
 * offered: a max-heap of the {@code k} smallest, filled with {@code +∞} at the start, so that
 * rejecting a value (the common case in a scan) is one comparison.
 */
final class KthSmallest {

    private final float[] heap;

    KthSmallest(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive: " + k);
        }
        this.heap = new float[k];
        Arrays.fill(heap, Float.POSITIVE_INFINITY);
    }

    float value() {
        return heap[0];
    }

    void offer(float v) {
        if (v < heap[0]) {
            replaceLargest(v);
        }
    }

    private void replaceLargest(float v) {
        int size = heap.length;
        int node = 0;
        while (true) {
            int child = 2 * node + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= v) {
                break;
            }
            heap[node] = heap[child];
            node = child;
        }
        heap[node] = v;
    }
}
