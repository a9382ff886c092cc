package dev.strata.index.segment;

import java.nio.ByteBuffer;
import net.openhft.hashing.Access;
import net.openhft.hashing.LongHashFunction;

/**
 * The byte layout of one segment file: an immutable container of named, checksummed sections
 * (document ids, attribute columns and postings, and opaque sections such as the IVF engine's
 * {@value #VECTORS}), found through a directory that a fixed-size footer points to.
 *
 * <p>All integers are little-endian. Layout, field by field:
 *
 * <pre>
 * Header (8 bytes, offset 0)
 *   0   u32  magic 0x47535453 (the bytes "STSG")
 *   4   u16  format version, {@value #VERSION}
 *   6   u16  flags, 0
 *
 * Sections, back to back from offset 8, each starting at a multiple of 8 (zero padding between)
 *
 * Directory (immediately before the footer)
 *   u32  row count R (documents in the segment; ordinals are 0..R-1)
 *   u32  section count S
 *   S × Entry, in file order:
 *     u16  name length, then the name in UTF-8
 *     u64  section offset (a multiple of 8, at least 8)
 *     u64  section length
 *     u64  xxHash64 (seed 0) of the section's bytes
 *
 * Footer (the last {@value #FOOTER_BYTES} bytes)
 *   0   u64  directory offset
 *   8   u64  directory length (directory offset + length = file length - 32)
 *   16  u16  format version, {@value #VERSION}
 *   18  u16  flags, 0
 *   20  u64  xxHash64 (seed 0) of the directory bytes followed by footer bytes 0..19
 *   28  u32  magic 0x47535453
 * </pre>
 *
 * <p>Sections written by {@link SegmentWriter}:
 * <ul>
 *   <li>{@value #IDS}: ids by ordinal, and {@value #ID_INDEX}: ordinals in id order (encodings in
 *       {@link dev.strata.index.attr.IdColumn});
 *   <li>{@value #ATTRIBUTE_PREFIX}{@code <name>}: one per attribute with at least one value in the
 *       segment, and {@value #POSTINGS_PREFIX}{@code <name>} for filterable ones (encodings in
 *       {@link dev.strata.index.attr.AttributeColumn});
 *   <li>opaque sections given by the caller, for example {@value #VECTORS}, stored byte for byte.
 * </ul>
 * Opaque sections come first, in the order given, so the vector data sits near the start of
 * the file; ids and columns follow.
 *
 * <p>A reader trusts nothing it has not checked: footer magic, version and flags, the directory's
 * placement and checksum, every section's bounds (inside {@code [8, directory offset)}, aligned,
 * non-overlapping), the header magic, and each section's checksum when it reads the section
 * whole. Any failure is a {@link dev.strata.index.doc.CorruptDataException} naming the segment.
 * A copy of the directory kept outside the file ({@link SegmentDirectory}, recorded in a
 * manifest) lets a reader skip reading it; the copy is checked like the file's own (placement)
 * and against the footer's checksum, which must cover exactly its bytes, before any section read
 * through it is used.
 */
public final class SegmentFormat {

    public static final int MAGIC = 0x47535453;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 8;
    public static final int FOOTER_BYTES = 32;
    public static final int ALIGNMENT = 8;

    public static final String IDS = "ids";
    public static final String ID_INDEX = "ids.index";
    public static final String VECTORS = "vectors";
    public static final String ATTRIBUTE_PREFIX = "attr/";
    public static final String POSTINGS_PREFIX = "postings/";

    /** How many bytes from the end a reader asks for first, hoping to get footer and directory at once. */
    public static final int DEFAULT_TAIL_READ = 64 * 1024;

    private static final LongHashFunction XX = LongHashFunction.xx();

    private SegmentFormat() {}

    static long checksum(byte[] bytes, int offset, int length) {
        return XX.hashBytes(bytes, offset, length);
    }

    /**
     * Hashes a buffer's remaining bytes through plain {@link ByteBuffer} reads: the library's own
     * {@code hashBytes(ByteBuffer)} reaches into JDK internals for buffers without an accessible
     * array (read-only ones, as range sources return) and fails on Java 17 without extra exports.
     */
    static long checksum(ByteBuffer buffer) {
        return XX.hash(buffer, Access.toByteBuffer(), buffer.position(), buffer.remaining());
    }

    /** Whether a caller may use {@code name} for an opaque section. */
    static boolean isReservedName(String name) {
        return name.equals(IDS) || name.equals(ID_INDEX) || name.startsWith(ATTRIBUTE_PREFIX)
                || name.startsWith(POSTINGS_PREFIX);
    }
}
