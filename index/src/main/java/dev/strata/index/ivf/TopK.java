package dev.strata.index.ivf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code k} smallest (distance, ordinal) pairs offered so far, in a max-heap on two primitive
 * arrays; ties on distance are broken by the smaller ordinal, so results are deterministic. A
 * pair may carry a payload ({@link #keepPayload}), which its hit gets when drained.
 */
final class TopK {

    private final float[] distances;
    private final int[] ordinals;
    private int size;
    /** Payloads of ordinals offered and kept (some since pushed out again), made on first use. */
    private Map<Integer, byte[]> payloads;

    TopK(int k) {
        this.distances = new float[k];
        this.ordinals = new int[k];
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == distances.length;
    }

    /** The largest kept distance; only meaningful when {@link #isFull()}. */
    float worst() {
        return distances[0];
    }

    /** Offers a pair; returns whether it is kept (for now: a later offer may push it out). */
    boolean offer(float distance, int ordinal) {
        if (size < distances.length) {
            int node = size++;
            while (node > 0) {
                int parent = (node - 1) >>> 1;
                if (!after(distance, ordinal, distances[parent], ordinals[parent])) {
                    break;
                }
                distances[node] = distances[parent];
                ordinals[node] = ordinals[parent];
                node = parent;
            }
            distances[node] = distance;
            ordinals[node] = ordinal;
            return true;
        } else if (size > 0 && after(distances[0], ordinals[0], distance, ordinal)) {
            siftDown(distance, ordinal);
            return true;
        }
        return false;
    }

    /** Records the payload of an ordinal just kept by {@link #offer}. */
    void keepPayload(int ordinal, byte[] payload) {
        if (payloads == null) {
            payloads = new HashMap<>();
        }
        payloads.put(ordinal, payload);
    }

    private void siftDown(float distance, int ordinal) {
        int node = 0;
        while (true) {
            int child = 2 * node + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size
                    && after(distances[child + 1], ordinals[child + 1], distances[child],
                    ordinals[child])) {
                child++;
            }
            if (!after(distances[child], ordinals[child], distance, ordinal)) {
                break;
            }
            distances[node] = distances[child];
            ordinals[node] = ordinals[child];
            node = child;
        }
        distances[node] = distance;
        ordinals[node] = ordinal;
    }

    /** Whether (d1, o1) sorts after (d2, o2). */
    private static boolean after(float d1, int o1, float d2, int o2) {
        return d1 > d2 || (d1 == d2 && o1 > o2);
    }

    /** The kept ordinals in ascending order. */
    int[] ordinalsAscending() {
        int[] out = java.util.Arrays.copyOf(ordinals, size);
        java.util.Arrays.sort(out);
        return out;
    }

    /** The kept pairs as hits, nearest first; empties this heap. */
    List<Hit> drainSorted() {
        Hit[] out = new Hit[size];
        while (size > 0) {
            float d = distances[0];
            int o = ordinals[0];
            size--;
            if (size > 0) {
                siftDown(distances[size], ordinals[size]);
            }
            out[size] = new Hit(o, d, payloads == null ? null : payloads.get(o));
        }
        List<Hit> list = new ArrayList<>(out.length);
        for (Hit h : out) {
            list.add(h);
        }
        return list;
    }
}
