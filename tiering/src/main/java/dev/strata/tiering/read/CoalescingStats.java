package dev.strata.tiering.read;

import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide counters of range coalescing in front of the object store: how many page ranges the
 * cache tiers asked for, how many range requests were issued for them, and how many bytes were
 * fetched beyond what was asked (the gaps a coalesced request spans). Thread-safe; read by the
 * metrics collector.
 */
public final class CoalescingStats {

    private final LongAdder rangesRequested = new LongAdder();
    private final LongAdder requestsIssued = new LongAdder();
    private final LongAdder bytesRequested = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();

    void record(int ranges, long requestedBytes, int requests, long fetchedBytes) {
        rangesRequested.add(ranges);
        bytesRequested.add(requestedBytes);
        requestsIssued.add(requests);
        bytesFetched.add(fetchedBytes);
    }

    /** Page ranges asked of the object store tier, before coalescing. */
    public long rangesRequested() {
        return rangesRequested.sum();
    }

    /** Range requests issued to the object store after coalescing. */
    public long requestsIssued() {
        return requestsIssued.sum();
    }

    /** Bytes the requested page ranges cover. */
    public long bytesRequested() {
        return bytesRequested.sum();
    }

    /** Bytes the issued requests cover: requested bytes plus the gaps coalescing bridged. */
    public long bytesFetched() {
        return bytesFetched.sum();
    }
}
