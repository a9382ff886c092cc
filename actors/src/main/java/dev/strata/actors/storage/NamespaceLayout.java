package dev.strata.actors.storage;

/**
 * Where a namespace's objects live in the bucket (below the store's own prefix):
 * <pre>
 * namespaces/{ns}/manifest/{version, 20 digits}   JSON; the newest version wins
 * namespaces/{ns}/manifest-newest                 a copy of the newest version and the bytes its
 *                                                  segments' opens read, read beside the listing
 * namespaces/{ns}/wal/{sequence, 20 digits}       one batch of writes, checksummed
 * namespaces/{ns}/segments/{segment id}           one immutable index segment
 * namespaces/{ns}/segments/{segment id}.deletes   ids that segment deletes from older ones
 * </pre>
 * Fixed-width decimal numbers make lexicographic listing order equal numeric order.
 */
public record NamespaceLayout(NamespaceName namespace) {

    public static final String ROOT = "namespaces/";

    public String prefix() {
        return ROOT + namespace.value() + "/";
    }

    public String manifestPrefix() {
        return prefix() + "manifest/";
    }

    /** Where a copy of the newest manifest is kept (overwritten; the versions stay the truth). */
    public String newestManifestCopyKey() {
        return prefix() + "manifest-newest";
    }

    public String walPrefix() {
        return prefix() + "wal/";
    }

    public String segmentPrefix() {
        return prefix() + "segments/";
    }

    public String segmentKey(String segmentId) {
        return segmentPrefix() + segmentId;
    }

    /** The deletes object written beside a segment (see the manifest's javadoc). */
    public String deletesKey(String segmentId) {
        return segmentKey(segmentId) + ".deletes";
    }

    /** A sequence number as its fixed-width key suffix. */
    public static String sequence(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative sequence number " + n);
        }
        // Every strong query builds one (the key its consistency check probes): no Formatter.
        String digits = Long.toString(n);
        return "0".repeat(20 - digits.length()) + digits;
    }

    /** The sequence number a key under {@code prefix} ends with, or -1 if it is not one. */
    public static long parseSequence(String prefix, String key) {
        if (!key.startsWith(prefix) || key.length() != prefix.length() + 20) {
            return -1;
        }
        long n = 0;
        for (int i = prefix.length(); i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
