package dev.strata.index.wal;

import net.openhft.hashing.Access;
import net.openhft.hashing.LongHashFunction;

/**
 * The binary format of one WAL object: a batch of write operations, checksummed and decodable on
 * its own (value types travel with the values, so no schema is needed to read it).
 *
 * <p>All integers are little-endian. Layout, field by field:
 *
 * <pre>
 * Batch
 *   0    u32   magic 0x4C415753 (the bytes "SWAL")
 *   4    u16   format version, {@value #VERSION}
 *   6    u16   flags, 0 (readers reject any other value)
 *   8    u32   operation count N
 *   12   Op[N] operations, in the order they apply
 *   end-8 u64  xxHash64 (seed 0) of every preceding byte of the batch
 *
 * Op
 *   u8    kind: 1 upsert, 2 patch, 3 delete
 *   Id    the document id
 *   upsert only:  u32 vector length D (0 = no vector), then D × f32
 *   upsert and patch: u16 attribute count A, then A × Attr
 *
 * Id     u8 kind, then: 1 → u64; 2 → uuid as two i64 (most, least significant);
 *        3 → u8 length L (1..64) and L UTF-8 bytes
 *
 * Attr
 *   u16   name length, then the name in UTF-8
 *   u8    type code (see AttributeType#code); 0 = null (only in patches: remove the attribute)
 *   Value the value, absent for code 0
 *
 * Value  string → u32 byte length + UTF-8; int, uint, datetime (epoch ms) → i64; float → f64;
 *        bool → u8 0|1; uuid → two i64 (most, least significant);
 *        arrays → u32 element count, then each element as its scalar type
 * </pre>
 *
 * <p>A reader checks, in order: minimum length, magic, version, flags, checksum, then decodes and
 * requires the operations to end exactly at the checksum. Any failure is a
 * {@link dev.strata.index.doc.CorruptDataException} naming the object key.
 */
public final class WalFormat {

    public static final int MAGIC = 0x4C415753;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 12;
    public static final int CHECKSUM_BYTES = 8;

    static final int OP_UPSERT = 1;
    static final int OP_PATCH = 2;
    static final int OP_DELETE = 3;
    static final int NULL_TYPE = 0;

    private static final LongHashFunction XX = LongHashFunction.xx();

    private WalFormat() {}

    static long checksum(byte[] bytes, int offset, int length) {
        return XX.hashBytes(bytes, offset, length);
    }

    /** Plain ByteBuffer reads: {@code hashBytes(ByteBuffer)} needs JDK internals for read-only buffers. */
    static long checksum(java.nio.ByteBuffer buffer, int offset, int length) {
        return XX.hash(buffer, Access.toByteBuffer(), offset, length);
    }
}
