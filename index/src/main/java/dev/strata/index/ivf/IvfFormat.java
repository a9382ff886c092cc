package dev.strata.index.ivf;

/**
 * The byte layout of an IVF vector section: the part of a segment that answers nearest-neighbour
 * queries. Written by {@link IvfWriter}, read through a range source by {@link IvfReader}.
 *
 * <p>All numbers are little-endian. Offsets are relative to the start of the section. Documents
 * are numbered by <em>ordinal</em> so that each partition is a contiguous ordinal range; the
 * writer reports the permutation from ordinal to input row.
 *
 * <pre>
 * Header, {@value #HEADER_BYTES} bytes
 *   0  int32   magic {@code 0x56495453} ("STIV" in file order)
 *   4  int32   format version, {@value #VERSION}
 *   8  uint8   metric: 0 = euclidean_squared, 1 = cosine_distance
 *   9  uint8   vector encoding: 0 = f32, 1 = f16
 *  10  uint8   code bits per dimension B (1..8)
 *  11  uint8   query bits per dimension (fixed by B; stored for readers to check)
 *  12  int32   dimension D
 *  16  int32   document count N
 *  20  int32   partition count P
 *  24  int64   rotation seed (see RandomRotation)
 *  32  int64   meta length M: header + centroids + partition table + meta checksum;
 *              also the offset of the first code block
 *  40  int64   offset of the vector records
 *  48  int64   section length (the whole section, in bytes)
 *  56  int32   payload slot S: bytes each vector record reserves for its payload, 0 for none
 *  60  int32   CRC32C of bytes [0, 60)
 *
 * Centroids, at offset 64: P × D float32, partition by partition. For cosine_distance they
 * are centroids of the unit-normalised vectors.
 *
 * Partition table, P entries of {@value #PARTITION_ENTRY_BYTES} bytes:
 *   int32   first ordinal of the partition
 *   int32   number of documents n in the partition (ordinals are [first, first + n))
 *   int64   offset of the partition's code block
 *   int32   CRC32C of the code block
 *
 * Meta checksum: int32 CRC32C of [64, M − 4) (centroids and table).
 *
 * Code blocks, from offset M, one per partition in partition order, each of
 * n × (4·B·W + 16) bytes, W = ⌈D/32⌉, word-major (see CodeBlock):
 *   B·W rows of n int32: row b·W + w holds word w of bit plane b of each code, in ordinal
 *     order (dimension i is bit i mod 32 of word ⌊i/32⌋);
 *   then 4 rows of n float32, in ordinal order: the RaBitQ factors ‖r‖², ‖r‖/⟨y,o⟩, the
 *     error-bound factor, and the code sum (see RaBitQuantizer).
 *
 * Vector records, from the vector offset, one per ordinal, in ordinal order, each of
 * D × (4 for f32, 2 for f16) + S + 4 bytes:
 *   the document's original vector (not normalised);
 *   when S > 0, its payload: uint8 length L (L < S), L bytes, then S − 1 − L zero bytes;
 *   int32 CRC32C of the vector and the payload slot.
 * The section ends right after the last record.
 * </pre>
 *
 * <p>Every byte a search reads is covered by a checksum it verifies before use: the header and
 * meta at open, a partition's code block when it is scored, and each vector record when it is
 * reranked or returned.
 */
public final class IvfFormat {

    /** "STIV" read as a little-endian int. */
    public static final int MAGIC = 0x56495453;
    /**
     * Version 2 laid code blocks out word-major, for scoring many codes per instruction. Version
     * 3 added the payload slot to vector records (a segment stores each document's id there, so
     * a search names its hits from the records it reranks); a version 2 section reads as one
     * with no payloads.
     */
    public static final int VERSION = 3;
    /** The oldest version a reader accepts. */
    static final int OLDEST_VERSION = 2;
    /** The largest payload a record holds: its length must fit the slot's length byte. */
    public static final int MAX_PAYLOAD_BYTES = 254;
    public static final int HEADER_BYTES = 64;
    public static final int PARTITION_ENTRY_BYTES = 20;
    /** The bytes of a header that its checksum covers. */
    static final int HEADER_CHECKED_BYTES = 60;

    private IvfFormat() {
    }

    /** Bytes of one vector record: the vector, the payload slot and the checksum. */
    public static int vectorRecordBytes(int dimension, VectorEncoding encoding, int payloadSlot) {
        return dimension * encoding.bytesPerElement() + payloadSlot + Integer.BYTES;
    }

    /** Bytes of the header, centroids, partition table and meta checksum. */
    public static long metaLength(int dimension, int partitions) {
        return HEADER_BYTES + (long) partitions * dimension * Float.BYTES
                + (long) partitions * PARTITION_ENTRY_BYTES + Integer.BYTES;
    }
}
