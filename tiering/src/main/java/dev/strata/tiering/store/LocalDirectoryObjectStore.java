package dev.strata.tiering.store;

import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An {@link ObjectStore} whose bucket is a local directory: the embedded default for a single
 * node and for tests.
 *
 * <p>A key {@code a/b/c} is the file {@code root/a/b/c}. Writes go to a temporary file under
 * {@code root/}{@value ObjectKeys#RESERVED_SEGMENT} (never listed), are forced to disk, and are
 * then published atomically: {@link #put} renames over the target, {@link #createIfAbsent}
 * hard-links to it, which fails if the target exists, so exactly one of any number of concurrent
 * creators wins, across processes too. Readers therefore never see a partial object.
 *
 * <p>Every blocking call runs on the I/O executor given at construction, which the store does not
 * own. Empty parent directories are left behind by {@link #delete}: removing them would race with
 * a concurrent writer creating a file inside. Because a file and a directory cannot share a name,
 * the keys {@code a} and {@code a/b} cannot both exist here (S3 allows it); such a write fails
 * with an {@link ObjectStoreException} naming the key.
 */
public final class LocalDirectoryObjectStore implements ObjectStore {

    private static final byte[] EMPTY = new byte[0];

    private final Path root;
    private final Path tempDirectory;
    private final Executor io;
    private final String description;

    /** Opens (creating if needed) the directory {@code root} as a bucket. */
    public LocalDirectoryObjectStore(Path root, Executor io) {
        this.root = root.toAbsolutePath().normalize();
        this.tempDirectory = this.root.resolve(ObjectKeys.RESERVED_SEGMENT);
        this.io = io;
        this.description = "file://" + this.root;
        try {
            Files.createDirectories(tempDirectory);
        } catch (IOException e) {
            throw new ObjectStoreException(description, "", null, "cannot create the store directory", false, e);
        }
    }

    /** The directory playing the bucket. */
    public Path root() {
        return root;
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        Path file = file(key);
        return onIo(key, null, () -> {
            assert StrataThreads.assertIo("local object read");
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new ObjectNotFoundException(description, key, null);
            } catch (IOException e) {
                if (Files.isDirectory(file)) {
                    throw new ObjectNotFoundException(description, key, null);
                }
                throw e;
            }
        });
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, ByteRange range) {
        Path file = file(key);
        int length = range.intLength();
        if (length == 0) {
            // Like the S3 store, an empty range needs no request: nothing to read, nothing to check.
            return CompletableFuture.supplyAsync(() -> EMPTY, io);
        }
        return onIo(key, range, () -> {
            assert StrataThreads.assertIo("local object range read");
            if (Files.isDirectory(file)) {
                throw new ObjectNotFoundException(description, key, range);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = channel.size();
                if (range.end() > size) {
                    throw new RangeNotSatisfiableException(description, key, range, size);
                }
                ByteBuffer buffer = ByteBuffer.allocate(length);
                long position = range.start();
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        // The file shrank under us, which only happens if something outside Strata edits it.
                        throw new ObjectStoreException(description, key, range,
                                "file ended after " + buffer.position() + " of " + length + " bytes", false, null);
                    }
                    position += n;
                }
                return buffer.array();
            } catch (NoSuchFileException e) {
                throw new ObjectNotFoundException(description, key, range);
            }
        });
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        Path file = file(key);
        return onIo(key, null, () -> {
            assert StrataThreads.assertIo("local object write");
            Path temp = writeTemp(data);
            try {
                Files.createDirectories(file.getParent());
                // Atomic rename: a reader sees the old object or the new one, never a mix.
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(file.getParent());
            } finally {
                Files.deleteIfExists(temp);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> createIfAbsent(String key, byte[] data) {
        Path file = file(key);
        return onIo(key, null, () -> {
            assert StrataThreads.assertIo("local conditional create");
            Path temp = writeTemp(data);
            try {
                Files.createDirectories(file.getParent());
                // link(2) fails with EEXIST if the name is taken; the kernel makes exactly one
                // linker win, whichever thread or process it runs in.
                Files.createLink(file, temp);
                syncDirectory(file.getParent());
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(temp);
            }
        });
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        Path file = file(key);
        return onIo(key, null, () -> {
            assert StrataThreads.assertIo("local object head");
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                if (!attributes.isRegularFile()) {
                    return Optional.empty();
                }
                return Optional.of(new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        ObjectKeys.requireValidPrefix(prefix);
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        return onIo(prefix, null, () -> {
            assert StrataThreads.assertIo("local listing");
            List<ObjectInfo> found = new ArrayList<>(Math.min(maxKeys + 1, 1024));
            // One more than asked tells whether another page follows.
            new Walk(prefix, continuationToken, maxKeys + 1, found).visit(root, "");
            if (found.size() <= maxKeys) {
                return new ListPage(found, null);
            }
            List<ObjectInfo> page = found.subList(0, maxKeys);
            return new ListPage(page, page.get(maxKeys - 1).key());
        });
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        Path file = file(key);
        return onIo(key, null, () -> {
            assert StrataThreads.assertIo("local object delete");
            if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(file);
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        // Nothing to release: the executor belongs to the caller and no file stays open.
    }

    @Override
    public String toString() {
        return "LocalDirectoryObjectStore[" + root + "]";
    }

    private Path file(String key) {
        ObjectKeys.requireValid(key);
        Path file = root.resolve(key).normalize();
        // The key rules already exclude "..", absolute keys and empty segments; this guards the guard.
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("invalid object key \"" + key + "\": escapes the store directory");
        }
        return file;
    }

    private Path writeTemp(byte[] data) throws IOException {
        Path temp = tempDirectory.resolve(UUID.randomUUID().toString());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            // Durable before it becomes visible: an acknowledged write must survive a crash.
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private static void syncDirectory(Path directory) throws IOException {
        // Makes the new directory entry itself durable (POSIX needs an fsync of the directory).
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private <T> CompletableFuture<T> onIo(String key, ByteRange range, IoTask<T> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.run();
            } catch (ObjectStoreException e) {
                throw e;
            } catch (IOException e) {
                throw new ObjectStoreException(description, key, range, e.toString(), false, e);
            } catch (UncheckedIOException | DirectoryIteratorException e) {
                throw new ObjectStoreException(description, key, range, e.getCause().toString(), false, e.getCause());
            }
        }, io);
    }

    /** A piece of blocking file work. */
    @FunctionalInterface
    private interface IoTask<T> {
        T run() throws IOException;
    }

    /**
     * A depth-first walk that yields keys in UTF-8 byte order. Sorting each directory's entries by
     * their key with a trailing {@code /} for directories puts a directory's whole subtree exactly
     * where its keys belong among its siblings (e.g. {@code a+c} before {@code a/b}, because
     * {@code '+' < '/'}), so in-order traversal is the global order and the walk can stop early
     * and skip subtrees outside the prefix or before the continuation token.
     */
    private final class Walk {
        private final String prefix;
        private final String after;
        private final int limit;
        private final List<ObjectInfo> out;

        Walk(String prefix, String after, int limit, List<ObjectInfo> out) {
            this.prefix = prefix;
            this.after = after;
            this.limit = limit;
            this.out = out;
        }

        void visit(Path directory, String directoryKey) throws IOException {
            List<Entry> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
                for (Path child : stream) {
                    String name = child.getFileName().toString();
                    if (directoryKey.isEmpty() && name.equals(ObjectKeys.RESERVED_SEGMENT)) {
                        continue;
                    }
                    BasicFileAttributes attributes;
                    try {
                        attributes = Files.readAttributes(child, BasicFileAttributes.class);
                    } catch (NoSuchFileException e) {
                        continue; // deleted while we listed: it is simply not in this page
                    }
                    boolean isDirectory = attributes.isDirectory();
                    entries.add(new Entry(child, directoryKey + name + (isDirectory ? "/" : ""), isDirectory, attributes));
                }
            } catch (NoSuchFileException e) {
                return;
            }
            entries.sort(Comparator.comparing(Entry::sortKey, ObjectKeys.UTF8_ORDER));
            for (Entry entry : entries) {
                if (out.size() >= limit) {
                    return;
                }
                String key = entry.sortKey();
                if (entry.isDirectory()) {
                    boolean overlapsPrefix = key.startsWith(prefix) || prefix.startsWith(key);
                    boolean mayHaveLaterKeys = after == null || after.startsWith(key)
                            || ObjectKeys.compareUtf8(key, after) > 0;
                    if (overlapsPrefix && mayHaveLaterKeys) {
                        visit(entry.path(), key);
                    }
                } else if (entry.attributes().isRegularFile() && key.startsWith(prefix)
                        && (after == null || ObjectKeys.compareUtf8(key, after) > 0)) {
                    out.add(new ObjectInfo(key, entry.attributes().size(),
                            entry.attributes().lastModifiedTime().toInstant()));
                }
            }
        }
    }

    private record Entry(Path path, String sortKey, boolean isDirectory, BasicFileAttributes attributes) {}
}
