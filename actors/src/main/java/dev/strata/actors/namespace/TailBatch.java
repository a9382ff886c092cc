package dev.strata.actors.namespace;

import dev.strata.index.wal.WalOp;
import java.util.List;

/**
 * One committed WAL object not yet folded into a segment: its sequence number, its operations
 * in order (only upserts and deletes: the entity resolves patches to whole documents before it
 * commits them) and its size in bytes.
 */
public record TailBatch(long sequence, List<WalOp> ops, long bytes) {
    public TailBatch {
        ops = List.copyOf(ops);
        if (sequence < 1 || bytes < 0) {
            throw new IllegalArgumentException("invalid tail batch " + sequence + " of " + bytes + " bytes");
        }
    }
}
