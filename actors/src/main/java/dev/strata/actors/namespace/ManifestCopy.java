package dev.strata.actors.namespace;

import dev.strata.index.doc.BinaryReader;
import dev.strata.index.doc.BinaryWriter;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.PrefetchedRangeSource;
import dev.strata.index.io.RangeSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The object at {@code manifest-newest}: a copy of the newest manifest version's bytes and,
 * beside them, the bytes each of its segments' opens reads ({@link
 * dev.strata.index.search.SegmentLayout#openReads}), so that a cold load opens its segments
 * with the copy's GET instead of a round trip after it.
 *
 * <p>Layout (little-endian):
 * <pre>
 * magic u32 "SMCP" | format u16 = 1 | manifest length i32 | manifest bytes (JSON, as the version holds them)
 * range count i32 | per range: segment key (u16 length, UTF-8), start i64, length i32, bytes
 * CRC32C of everything before, i64
 * </pre>
 * A copy that is the version's bytes alone (as written before ranges were carried) still reads,
 * with no ranges. Segment objects are immutable under unique keys, so the bytes stay right for as
 * long as the manifest names the segment.
 */
record ManifestCopy(byte[] manifest, List<Range> ranges) {

    /** Bytes of one segment: {@code bytes} are those of {@code range} of the object at {@code key}. */
    record Range(String key, ByteRange range, byte[] bytes) {}

    /** No manifest and no bytes: a source passes through it unchanged. */
    static final ManifestCopy NONE = new ManifestCopy(new byte[0], List.of());

    private static final int MAGIC = 0x50434D53; // "SMCP" little-endian
    private static final int FORMAT = 1;

    byte[] encode() {
        int size = 64 + manifest.length + ranges.stream().mapToInt(r -> 64 + r.key().length() * 3 + r.bytes().length).sum();
        BinaryWriter out = new BinaryWriter(size);
        out.i32(MAGIC).u16(FORMAT).i32(manifest.length).bytes(manifest).i32(ranges.size());
        for (Range r : ranges) {
            out.shortString(r.key()).i64(r.range().start()).i32(r.bytes().length).bytes(r.bytes());
        }
        out.i64(crc(out.array(), out.position()));
        return out.toByteArray();
    }

    /** Reads a copy; a manifest's bytes alone (not starting with the magic) are a copy without ranges. */
    static ManifestCopy decode(byte[] bytes, String resource) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 4 || buffer.getInt(0) != MAGIC) {
            return new ManifestCopy(bytes, List.of());
        }
        if (bytes.length < 8 + 4 + 4 + 8 || buffer.getLong(bytes.length - 8) != crc(bytes, bytes.length - 8)) {
            throw new CorruptDataException(resource, "manifest copy fails its checksum");
        }
        BinaryReader in = new BinaryReader(buffer.limit(bytes.length - 8), resource);
        in.i32();
        int format = in.u16();
        if (format != FORMAT) {
            throw in.corrupt("unsupported manifest copy format " + format);
        }
        byte[] manifest = in.bytes(in.count(in.remaining(), "manifest bytes"));
        int count = in.count(in.remaining(), "ranges");
        List<Range> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = in.shortString();
            long start = in.i64();
            if (start < 0) {
                throw in.corrupt("negative range start " + start);
            }
            byte[] held = in.bytes(in.count(in.remaining(), "range bytes"));
            ranges.add(new Range(key, ByteRange.ofLength(start, held.length), held));
        }
        in.expectEnd();
        return new ManifestCopy(manifest, List.copyOf(ranges));
    }

    /**
     * {@code source} (over the segment at {@code key}) answering the reads this copy holds bytes
     * for; {@code source} itself when it holds none.
     */
    RangeSource over(String key, RangeSource source) {
        Map<ByteRange, byte[]> held = new HashMap<>();
        for (Range r : ranges) {
            if (r.key().equals(key) && r.range().end() <= source.length()) {
                held.put(r.range(), r.bytes());
            }
        }
        return held.isEmpty() ? source : new PrefetchedRangeSource(source, held);
    }

    private static long crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
