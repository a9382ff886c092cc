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
import java.util.Arrays;
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
 * directory when opened (or, given a copy of the directory kept elsewhere, only the header and
 * footer to check it, concurrently with the first section reads), sections lazily and verified
 * against their checksums, decoded columns once.
 *
 * <p>Thread-safe. Futures complete on whatever thread completes the underlying read (often an
 * I/O thread), so decoding happens there; callers that then compute (filter evaluation,
 * scoring) should continue on their compute executor with {@code thenApplyAsync}.
 */
public final class SegmentReader {

    private final RangeSource source;
    private final String resource;
    private final SegmentDirectory directory;
    private final int rowCount;
    private final Map<String, SectionInfo> sections;
    /**
     * Completes once the directory is known to be the file's own: at once when it was read from
     * the file, after the header and footer reads when it was given (see
     * {@link #open(RangeSource, String, SegmentDirectory)}). Every section read waits for it.
     */
    private final CompletableFuture<Void> verified;
    /** Decoded sections by key, shared by all callers; a failed load is removed so it can be retried. */
    private final ConcurrentHashMap<String, CompletableFuture<?>> decoded = new ConcurrentHashMap<>();

    private SegmentReader(RangeSource source, String resource, SegmentDirectory directory,
                          Map<String, SectionInfo> sections, CompletableFuture<Void> verified) {
        this.source = source;
        this.resource = resource;
        this.directory = directory;
        this.rowCount = directory.rowCount();
        this.sections = sections;
        this.verified = verified;
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

    /**
     * Opens a segment whose directory is already known (recorded in a manifest, say) without
     * reading it: the returned future completes at once, so section reads can start in the same
     * round trip. The copy is trusted for nothing: its placement is checked against the file's
     * length now, and one read of the header and the footer, issued now, checks that the file's
     * own directory checksum covers exactly these bytes. Every section read (and
     * {@link #verified()}) fails with a {@link CorruptDataException} if it does not.
     */
    public static CompletableFuture<SegmentReader> open(RangeSource source, String resourceName,
                                                        SegmentDirectory known) {
        long length = source.length();
        byte[] encoded;
        Map<String, SectionInfo> sections;
        long directoryOffset;
        try {
            encoded = known.encode();
            directoryOffset = length - SegmentFormat.FOOTER_BYTES - encoded.length;
            if (directoryOffset < SegmentFormat.HEADER_BYTES) {
                throw new CorruptDataException(resourceName, "a directory of " + encoded.length
                        + " bytes does not fit a " + length + "-byte segment");
            }
            sections = sectionsOf(known, directoryOffset, resourceName);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new CorruptDataException(resourceName,
                    "invalid recorded directory: " + e.getMessage(), e));
        } catch (CorruptDataException e) {
            return CompletableFuture.failedFuture(e);
        }
        ByteRange header = new ByteRange(0, SegmentFormat.HEADER_BYTES);
        ByteRange footer = new ByteRange(length - SegmentFormat.FOOTER_BYTES, length);
        long expectedOffset = directoryOffset;
        CompletableFuture<Void> verified = source.read(List.of(header, footer)).thenApply(buffers -> {
            checkHeader(exact(buffers.get(0), header, resourceName), resourceName);
            ByteBuffer footerBytes = exact(buffers.get(1), footer, resourceName);
            Footer parsed = Footer.parse(footerBytes, length, resourceName);
            byte[] covered = Arrays.copyOf(encoded, encoded.length + 20);
            footerBytes.get(0, covered, encoded.length, 20);
            if (parsed.directoryOffset != expectedOffset
                    || SegmentFormat.checksum(covered, 0, covered.length) != parsed.checksum) {
                throw new CorruptDataException(resourceName, "the recorded directory is not the segment's own");
            }
            return null;
        });
        return CompletableFuture.completedFuture(new SegmentReader(source, resourceName, known,
                Collections.unmodifiableMap(sections), verified));
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
        List<SectionInfo> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = in.shortString();
            try {
                entries.add(new SectionInfo(name, in.i64(), in.i64(), in.i64()));
            } catch (IllegalArgumentException e) {
                throw new CorruptDataException(resource, "invalid directory entry for section '" + name + "'", e);
            }
        }
        in.expectEnd();
        SegmentDirectory directory = new SegmentDirectory(rows, entries);
        return new SegmentReader(source, resource, directory,
                Collections.unmodifiableMap(sectionsOf(directory, footer.directoryOffset, resource)),
                CompletableFuture.completedFuture(null));
    }

    /**
     * The sections by name, after checking that each lies inside {@code [8, directoryOffset)},
     * aligned, after the one before it, and that the required ones are there.
     */
    private static Map<String, SectionInfo> sectionsOf(SegmentDirectory directory, long directoryOffset,
                                                       String resource) {
        Map<String, SectionInfo> sections = new LinkedHashMap<>();
        long end = SegmentFormat.HEADER_BYTES;
        for (SectionInfo s : directory.sections()) {
            String name = s.name();
            if (s.offset() % SegmentFormat.ALIGNMENT != 0 || s.offset() < end
                    || s.length() > directoryOffset - s.offset()) {
                throw new CorruptDataException(resource, "section '" + name + "' at [" + s.offset() + ", +"
                        + s.length() + ") is misplaced");
            }
            end = s.offset() + s.length();
            if (sections.put(name, s) != null) {
                throw new CorruptDataException(resource, "section '" + name + "' listed twice");
            }
        }
        for (String required : List.of(SegmentFormat.IDS, SegmentFormat.ID_INDEX)) {
            if (!sections.containsKey(required)) {
                throw new CorruptDataException(resource, "segment has no '" + required + "' section");
            }
        }
        return sections;
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

    /** The directory, as the file holds it: what a manifest records to skip reading it. */
    public SegmentDirectory directory() {
        return directory;
    }

    /**
     * Completes once the directory is known to be the segment's own, or fails with a
     * {@link CorruptDataException}; section reads wait for it, and so must any reader of the
     * sections' bytes that bypasses {@link #readSection} (the vector index).
     */
    public CompletableFuture<Void> verified() {
        return verified;
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
        // The read starts now, together with the directory's verification, and its bytes are
        // used only once that has succeeded.
        return verified.thenCombine(source.read(List.of(range)), (ok, buffers) -> {
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
