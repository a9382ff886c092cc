package dev.strata.index.segment;

import dev.strata.index.attr.AttributeColumn;
import dev.strata.index.attr.ColumnSet;
import dev.strata.index.attr.IdColumn;
import dev.strata.index.doc.BinaryReader;
import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.Schema;
import dev.strata.index.io.ByteRange;
import dev.strata.index.io.RangeSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads one segment file (see {@link SegmentFormat}) through a {@link RangeSource}: the footer and
 * directory when opened, sections lazily and verified against their checksums, decoded columns
 * once.
 *
 * <p>Thread-safe. Futures complete on whatever thread completes the underlying read (often an
 * I/O thread), so decoding happens there; callers that then compute (filter evaluation,
 * scoring) should continue on their compute executor with {@code thenApplyAsync}.
 */
public final class SegmentReader {

    private final RangeSource source;
    private final String resource;
    private final int rowCount;
    private final Map<String, SectionInfo> sections;
    /** Decoded sections by key, shared by all callers; a failed load is removed so it can be retried. */
    private final ConcurrentHashMap<String, CompletableFuture<?>> decoded = new ConcurrentHashMap<>();

    private SegmentReader(RangeSource source, String resource, int rowCount, Map<String, SectionInfo> sections) {
        this.source = source;
        this.resource = resource;
        this.rowCount = rowCount;
        this.sections = sections;
    }

    public static CompletableFuture<SegmentReader> open(RangeSource source, String resourceName) {
        return open(source, resourceName, SegmentFormat.DEFAULT_TAIL_READ);
    }

    /**
     * Opens a segment with one read of the header and the last {@code tailGuess} bytes, and a
     * second read only if the directory starts before them.
     */
    public static CompletableFuture<SegmentReader> open(RangeSource source, String resourceName, int tailGuess) {
        long length = source.length();
        if (length < SegmentFormat.HEADER_BYTES + SegmentFormat.FOOTER_BYTES) {
            return CompletableFuture.failedFuture(new CorruptDataException(resourceName,
                    "truncated segment: " + length + " bytes"));
        }
        long tailStart = Math.max(SegmentFormat.HEADER_BYTES,
                length - Math.max(tailGuess, SegmentFormat.FOOTER_BYTES));
        ByteRange header = new ByteRange(0, SegmentFormat.HEADER_BYTES);
        ByteRange tail = new ByteRange(tailStart, length);
        return source.read(List.of(header, tail)).thenCompose(buffers -> {
            checkHeader(exact(buffers.get(0), header, resourceName), resourceName);
            ByteBuffer tailBytes = exact(buffers.get(1), tail, resourceName);
            Footer footer = Footer.parse(tailBytes, length, resourceName);
            if (footer.directoryOffset >= tailStart) {
                ByteBuffer dir = tailBytes.duplicate().position((int) (footer.directoryOffset - tailStart));
                return CompletableFuture.completedFuture(openWith(source, resourceName, footer, dir));
            }
            ByteRange dirRange = new ByteRange(footer.directoryOffset, length);
            return source.read(List.of(dirRange)).thenApply(more ->
                    openWith(source, resourceName, footer, exact(more.get(0), dirRange, resourceName)));
        });
    }

    private static ByteBuffer exact(ByteBuffer buffer, ByteRange range, String resource) {
        if (buffer.remaining() != range.length()) {
            throw new CorruptDataException(resource, "short read of " + range + ": " + buffer.remaining() + " bytes");
        }
        return buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkHeader(ByteBuffer header, String resource) {
        if (header.getInt(0) != SegmentFormat.MAGIC) {
            throw new CorruptDataException(resource, "not a segment (bad header magic)");
        }
        int version = header.getShort(4) & 0xFFFF;
        if (version != SegmentFormat.VERSION || header.getShort(6) != 0) {
            throw new CorruptDataException(resource, "unsupported segment version " + version
                    + " or flags " + (header.getShort(6) & 0xFFFF) + " in header");
        }
    }

    /** {@code dirAndFooter}: the directory followed by the 32 footer bytes. */
    private static SegmentReader openWith(RangeSource source, String resource, Footer footer, ByteBuffer dirAndFooter) {
        ByteBuffer bytes = dirAndFooter.slice().order(ByteOrder.LITTLE_ENDIAN);
        int covered = bytes.remaining() - 12;
        if (SegmentFormat.checksum(bytes.duplicate().limit(covered)) != footer.checksum) {
            throw new CorruptDataException(resource, "directory checksum mismatch");
        }
        BinaryReader in = new BinaryReader(bytes.duplicate().limit(bytes.remaining() - SegmentFormat.FOOTER_BYTES), resource);
        int rows = in.count(Integer.MAX_VALUE - 8, "row count");
        int count = in.count(in.remaining() / 26, "section count");
        Map<String, SectionInfo> sections = new LinkedHashMap<>();
        long end = SegmentFormat.HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            String name = in.shortString();
            SectionInfo s;
            try {
                s = new SectionInfo(name, in.i64(), in.i64(), in.i64());
            } catch (IllegalArgumentException e) {
                throw new CorruptDataException(resource, "invalid directory entry for section '" + name + "'", e);
            }
            if (s.offset() % SegmentFormat.ALIGNMENT != 0 || s.offset() < end
                    || s.length() > footer.directoryOffset - s.offset()) {
                throw new CorruptDataException(resource, "section '" + name + "' at [" + s.offset() + ", +"
                        + s.length() + ") is misplaced");
            }
            end = s.offset() + s.length();
            if (sections.put(name, s) != null) {
                throw new CorruptDataException(resource, "section '" + name + "' listed twice");
            }
        }
        in.expectEnd();
        for (String required : List.of(SegmentFormat.IDS, SegmentFormat.ID_INDEX)) {
            if (!sections.containsKey(required)) {
                throw new CorruptDataException(resource, "segment has no '" + required + "' section");
            }
        }
        return new SegmentReader(source, resource, rows, Collections.unmodifiableMap(sections));
    }

    /** The fixed-size footer at the end of the file. */
    private record Footer(long directoryOffset, long checksum) {
        static Footer parse(ByteBuffer tail, long fileLength, String resource) {
            int at = tail.remaining() - SegmentFormat.FOOTER_BYTES;
            if (tail.getInt(at + 28) != SegmentFormat.MAGIC) {
                throw new CorruptDataException(resource, "truncated or not a segment (bad footer magic)");
            }
            int version = tail.getShort(at + 16) & 0xFFFF;
            if (version != SegmentFormat.VERSION || tail.getShort(at + 18) != 0) {
                throw new CorruptDataException(resource, "unsupported segment version " + version + " in footer");
            }
            long offset = tail.getLong(at);
            long length = tail.getLong(at + 8);
            if (offset < SegmentFormat.HEADER_BYTES || length < 8 || length > Integer.MAX_VALUE - 64
                    || offset != fileLength - SegmentFormat.FOOTER_BYTES - length) {
                throw new CorruptDataException(resource, "directory at " + offset + " of length " + length
                        + " does not end at the footer of a " + fileLength + "-byte segment");
            }
            return new Footer(offset, tail.getLong(at + 20));
        }
    }

    public String resourceName() {
        return resource;
    }

    public int rowCount() {
        return rowCount;
    }

    /** The directory, in file order. */
    public Collection<SectionInfo> sections() {
        return sections.values();
    }

    public Optional<SectionInfo> section(String name) {
        return Optional.ofNullable(sections.get(name));
    }

    /**
     * Where the opaque {@value SegmentFormat#VECTORS} section lies, for the vector index to read
     * by ranges (partial reads are not checksummed here; {@link #readSection} verifies whole reads).
     */
    public Optional<ByteRange> vectorsRange() {
        return section(SegmentFormat.VECTORS).map(SectionInfo::range);
    }

    /** Names of the attributes with a column in this segment. */
    public Set<String> attributeNames() {
        Set<String> out = new TreeSet<>();
        for (String name : sections.keySet()) {
            if (name.startsWith(SegmentFormat.ATTRIBUTE_PREFIX)) {
                out.add(name.substring(SegmentFormat.ATTRIBUTE_PREFIX.length()));
            }
        }
        return out;
    }

    /** Reads a whole section and verifies its checksum. */
    public CompletableFuture<ByteBuffer> readSection(String name) {
        SectionInfo s = sections.get(name);
        if (s == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(resource + " has no section '" + name + "'"));
        }
        ByteRange range = s.range();
        return source.read(List.of(range)).thenApply(buffers -> {
            ByteBuffer bytes = exact(buffers.get(0), range, resource);
            if (SegmentFormat.checksum(bytes.duplicate()) != s.checksum()) {
                throw new CorruptDataException(resource, "checksum mismatch in section '" + name + "'");
            }
            return bytes;
        });
    }

    public CompletableFuture<IdColumn> ids() {
        return memo("ids", () -> readSection(SegmentFormat.IDS).thenCombine(readSection(SegmentFormat.ID_INDEX),
                (ids, index) -> {
                    IdColumn column = IdColumn.read(ids, index, resource);
                    if (column.rowCount() != rowCount) {
                        throw new CorruptDataException(resource, "ids section holds " + column.rowCount()
                                + " ids for " + rowCount + " rows");
                    }
                    return column;
                }));
    }

    /**
     * The column of an attribute. An attribute without a column here (no values in this segment)
     * yields an all-missing column of the schema's type.
     */
    public CompletableFuture<AttributeColumn> column(String name, Schema schema) {
        if (!sections.containsKey(SegmentFormat.ATTRIBUTE_PREFIX + name)) {
            Schema.Attribute a = schema.attribute(name)
                    .orElseThrow(() -> new IllegalArgumentException("attribute '" + name + "' is not in the schema"));
            return CompletableFuture.completedFuture(AttributeColumn.absent(name, a.type(), rowCount));
        }
        return memo("attr:" + name, () -> {
            CompletableFuture<ByteBuffer> values = readSection(SegmentFormat.ATTRIBUTE_PREFIX + name);
            String postingsName = SegmentFormat.POSTINGS_PREFIX + name;
            CompletableFuture<ByteBuffer> postings = sections.containsKey(postingsName)
                    ? readSection(postingsName) : CompletableFuture.completedFuture(null);
            return values.thenCombine(postings, (v, p) -> {
                AttributeColumn column = AttributeColumn.read(name, v, p, resource);
                if (column.rowCount() != rowCount) {
                    throw new CorruptDataException(resource, "column '" + name + "' holds " + column.rowCount()
                            + " rows for " + rowCount);
                }
                return column;
            });
        });
    }

    /**
     * Loads the named columns ({@code "id"} loads the id column) and returns them as a
     * {@link ColumnSet}, for example {@code columns(filter.attributes(), schema)}.
     */
    public CompletableFuture<ColumnSet> columns(Collection<String> names, Schema schema) {
        Map<String, CompletableFuture<AttributeColumn>> pending = new HashMap<>();
        for (String name : names) {
            if (!name.equals("id")) {
                pending.put(name, column(name, schema));
            }
        }
        CompletableFuture<IdColumn> ids = names.contains("id") ? ids() : CompletableFuture.completedFuture(null);
        List<CompletableFuture<?>> all = new ArrayList<>(pending.values());
        all.add(ids);
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
            Map<String, AttributeColumn> loaded = new HashMap<>();
            pending.forEach((name, f) -> loaded.put(name, f.join()));
            IdColumn idColumn = ids.join();
            return new ColumnSet() {
                @Override
                public int rowCount() {
                    return rowCount;
                }

                @Override
                public AttributeColumn column(String name) {
                    AttributeColumn c = loaded.get(name);
                    if (c == null) {
                        throw new IllegalArgumentException("column '" + name + "' was not loaded");
                    }
                    return c;
                }

                @Override
                public IdColumn ids() {
                    if (idColumn == null) {
                        throw new IllegalArgumentException("the id column was not loaded");
                    }
                    return idColumn;
                }
            };
        });
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> memo(String key, java.util.function.Supplier<CompletableFuture<T>> load) {
        // computeIfAbsent makes concurrent first callers share one load. The loader only starts
        // reads (decoding runs when they complete), so the bin lock is not held across slow I/O;
        // with a source that completes at once, decoding runs inside and only delays callers of
        // the same key. The loader never touches the map itself.
        CompletableFuture<T> f = (CompletableFuture<T>) decoded.computeIfAbsent(key, k -> load.get());
        // A failure (I/O or corruption) is not cached: the next caller tries again. remove(key, f)
        // only removes this very future, never a newer one another thread put in after it.
        f.whenComplete((v, e) -> {
            if (e != null) {
                decoded.remove(key, f);
            }
        });
        return f;
    }
}
