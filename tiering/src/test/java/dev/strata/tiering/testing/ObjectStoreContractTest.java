package dev.strata.tiering.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.config.StrataThreads;
import dev.strata.index.io.ByteRange;
import dev.strata.tiering.store.ListPage;
import dev.strata.tiering.store.ObjectInfo;
import dev.strata.tiering.store.ObjectNotFoundException;
import dev.strata.tiering.store.ObjectStore;
import dev.strata.tiering.store.ObjectStoreException;
import dev.strata.tiering.store.RangeNotSatisfiableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every {@link ObjectStore} must show, whatever stands behind it. A subclass says
 * how to open its store; all tests share that one store (opened once per class) and keep apart by
 * writing under a key prefix unique to the test. Random contents come from fixed seeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ObjectStoreContractTest {

    private static final long SEED = 0x5EED_0B1EL;
    private static final int MIB = 1 << 20;

    private ExecutorService ioPool;
    private GateExecutor io;
    private ObjectStore store;
    /** A key prefix unique to the running test. */
    protected String base;
    private final AtomicInteger testNumber = new AtomicInteger();

    /** Opens the store under test; it must run its work and complete its futures on {@code io}. */
    protected abstract ObjectStore createStore(Executor io) throws Exception;

    protected final ObjectStore store() {
        return store;
    }

    @BeforeAll
    final void openStore() throws Exception {
        ioPool = StrataThreads.newPool(StrataThreads.IO, 16);
        io = new GateExecutor(ioPool);
        store = createStore(io);
    }

    @AfterAll
    final void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
        ioPool.shutdownNow();
        assertTrue(ioPool.awaitTermination(10, TimeUnit.SECONDS), "I/O pool did not stop");
    }

    @BeforeEach
    final void pickPrefix(TestInfo info) {
        base = "contract/" + testNumber.incrementAndGet() + "-" + info.getTestMethod().orElseThrow().getName() + "/";
    }

    @Test
    void putThenGetReturnsTheSameBytes() {
        byte[] data = randomBytes(1, 4096 + 17);
        String key = base + "object";
        join(store.put(key, data));
        assertArrayEquals(data, join(store.get(key)));
        ObjectInfo info = join(store.head(key)).orElseThrow();
        assertEquals(key, info.key());
        assertEquals(data.length, info.size());
    }

    @Test
    void rangesAtTheEdgesOfAnObject() {
        byte[] data = randomBytes(2, 1000);
        String key = base + "object";
        join(store.put(key, data));
        assertRange(key, data, 0, 1);
        assertRange(key, data, data.length - 1, data.length);
        assertRange(key, data, 0, data.length);
        assertRange(key, data, 0, 0);
        assertRange(key, data, data.length, data.length);
        assertRange(key, data, 500, 500);
        assertRange(key, data, 123, 877);
    }

    @Test
    void aRangePastTheEndFailsWithATypedError() {
        byte[] data = randomBytes(3, 100);
        String key = base + "object";
        join(store.put(key, data));
        for (ByteRange range : List.of(new ByteRange(90, 101), new ByteRange(100, 101), new ByteRange(150, 200))) {
            RangeNotSatisfiableException e = failure(RangeNotSatisfiableException.class, () -> store.getRange(key, range));
            assertEquals(key, e.key());
            assertEquals(range, e.range());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void aMissingKeyIsNotFoundOrEmpty() {
        String key = base + "missing";
        ObjectNotFoundException whole = failure(ObjectNotFoundException.class, () -> store.get(key));
        assertEquals(key, whole.key());
        assertNull(whole.range());
        ByteRange range = new ByteRange(0, 10);
        ObjectNotFoundException ranged = failure(ObjectNotFoundException.class, () -> store.getRange(key, range));
        assertEquals(range, ranged.range());
        assertTrue(ranged.getMessage().contains(key) && ranged.getMessage().contains(store.describe()), ranged.getMessage());
        assertEquals(Optional.empty(), join(store.head(key)));
        join(store.delete(key));
    }

    @Test
    void anEmptyObjectExists() {
        String key = base + "empty";
        join(store.put(key, new byte[0]));
        assertArrayEquals(new byte[0], join(store.get(key)));
        assertEquals(0, join(store.head(key)).orElseThrow().size());
        assertArrayEquals(new byte[0], join(store.getRange(key, new ByteRange(0, 0))));
        failure(RangeNotSatisfiableException.class, () -> store.getRange(key, new ByteRange(0, 1)));
        assertEquals(List.of(key), keys(listAll(base, 10)));
    }

    @Test
    void aTenMibObjectWholeAndInRanges() {
        byte[] data = randomBytes(4, 10 * MIB);
        String key = base + "large";
        join(store.put(key, data));
        assertArrayEquals(data, join(store.get(key)));
        List<ByteRange> ranges = List.of(
                new ByteRange(0, MIB),
                new ByteRange(MIB - 3, 3 * MIB + 5),
                new ByteRange(10L * MIB - 4096, 10L * MIB),
                new ByteRange(5 * MIB, 5 * MIB));
        List<byte[]> parts = join(store.getRanges(key, ranges));
        assertEquals(ranges.size(), parts.size());
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange r = ranges.get(i);
            assertArrayEquals(Arrays.copyOfRange(data, (int) r.start(), (int) r.end()), parts.get(i), "range " + r);
        }
    }

    @Test
    void concurrentCreatesOfOneKeyHaveExactlyOneWinner() {
        for (int round = 0; round < 5; round++) {
            String key = base + "wal/" + round;
            List<byte[]> contents = new ArrayList<>();
            List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
            // Held at the gate so all 16 reach the store before any of them starts to run.
            io.hold();
            for (int i = 0; i < 16; i++) {
                byte[] data = randomBytes(100L * round + i, 2048 + i);
                contents.add(data);
                attempts.add(store.createIfAbsent(key, data));
            }
            io.release();
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < attempts.size(); i++) {
                if (join(attempts.get(i))) {
                    winners.add(i);
                }
            }
            assertEquals(1, winners.size(), "round " + round + " winners " + winners);
            assertArrayEquals(contents.get(winners.get(0)), join(store.get(key)), "round " + round);
        }
    }

    @Test
    void createIfAbsentLeavesAnExistingObjectAlone() {
        String key = base + "manifest";
        byte[] first = randomBytes(5, 300);
        assertTrue(join(store.createIfAbsent(key, first)));
        assertFalse(join(store.createIfAbsent(key, randomBytes(6, 300))));
        assertArrayEquals(first, join(store.get(key)));
        join(store.put(key, randomBytes(7, 10)));
        assertFalse(join(store.createIfAbsent(key, first)), "a key that was put also counts as existing");
    }

    @Test
    void putReplacesAnObject() {
        String key = base + "object";
        join(store.put(key, randomBytes(8, 5000)));
        byte[] second = randomBytes(9, 70);
        join(store.put(key, second));
        assertArrayEquals(second, join(store.get(key)));
        assertEquals(second.length, join(store.head(key)).orElseThrow().size());
        assertEquals(List.of(key), keys(listAll(base, 10)));
    }

    @Test
    void deleteRemovesAnObject() {
        String key = base + "object";
        join(store.put(key, randomBytes(10, 10)));
        join(store.delete(key));
        assertEquals(Optional.empty(), join(store.head(key)));
        failure(ObjectNotFoundException.class, () -> store.get(key));
        assertEquals(List.of(), listAll(base, 10));
        assertTrue(join(store.createIfAbsent(key, new byte[] {1})), "a deleted key can be created again");
    }

    @Test
    void listingPagesThroughKeysInUtf8ByteOrder() {
        // Chosen so that byte order differs from per-directory order ("a+c" < "a/b" because
        // '+' < '/'), and from case-insensitive order ("B" < "a").
        List<String> names = List.of("a+c", "a/b", "a/c/d", "a/c/e", "a-x", "a0", "b", "B", "~tilde",
                "é", "😀", "日本/語", "z/z/z/z", "space here", "m=1", "m%20", "n", "o", "p", "q");
        List<String> keys = names.stream().map(n -> base + "list/" + n).toList();
        for (int i = 0; i < keys.size(); i++) {
            join(store.put(keys.get(i), new byte[i]));
        }
        join(store.put(base + "list-sibling/not-me", new byte[1]));
        join(store.put(base + "lis", new byte[1]));

        List<String> expected = new ArrayList<>(keys);
        expected.sort(ObjectStoreContractTest::compareUtf8Bytes);
        for (int pageSize : new int[] {1, 3, 7, 20, 1000}) {
            List<ObjectInfo> listed = listAll(base + "list/", pageSize);
            assertEquals(expected, keys(listed), "page size " + pageSize);
            for (ObjectInfo info : listed) {
                assertEquals(keys.indexOf(info.key()), info.size(), info.key());
            }
        }
        List<String> underA = expected.stream().filter(k -> k.startsWith(base + "list/a/")).toList();
        assertEquals(3, underA.size());
        assertEquals(underA, keys(listAll(base + "list/a/", 2)));
        List<String> startingWithA = expected.stream().filter(k -> k.startsWith(base + "list/a")).toList();
        assertEquals(6, startingWithA.size());
        assertEquals(startingWithA, keys(listAll(base + "list/a", 4)));
        assertEquals(List.of(), listAll(base + "list/nothing-here", 4));
    }

    /**
     * Keys beyond the Basic Multilingual Plane sort after U+E000..U+FFFF in UTF-8 (and in S3),
     * but before them in Java's UTF-16 {@code String} order.
     */
    @Test
    protected void listingOrdersSupplementaryCharactersByUtf8Bytes() {
        List<String> keys = List.of(base + "\uE000", base + "\uFFFD", base + "😀", base + "𝄞");
        for (String key : keys) {
            join(store.put(key, new byte[1]));
        }
        List<String> expected = keys.stream().sorted(ObjectStoreContractTest::compareUtf8Bytes).toList();
        assertEquals(expected, keys(listAll(base, 2)));
    }

    @Test
    void keysWithUnusualButLegalCharacters() {
        List<String> names = List.of("with space", "plus+sign", "equals=sign", "percent%41", "tilde~", "ünïcødé",
                "日本語", "emoji😀", "amp&and", "q?mark", "hash#", "quote'\"", "comma,semi;", "at@colon:", "star*",
                "dollar$", "parens()", "brackets[]{}");
        for (int i = 0; i < names.size(); i++) {
            String key = base + names.get(i);
            byte[] data = (names.get(i) + "#" + i).getBytes(StandardCharsets.UTF_8);
            join(store.put(key, data));
            assertArrayEquals(data, join(store.get(key)), key);
            assertArrayEquals(Arrays.copyOfRange(data, 1, 3), join(store.getRange(key, new ByteRange(1, 3))), key);
            assertEquals(key, join(store.head(key)).orElseThrow().key());
        }
        List<String> expected = names.stream().map(n -> base + n).sorted(ObjectStoreContractTest::compareUtf8Bytes).toList();
        assertEquals(expected, keys(listAll(base, 5)));
        for (String name : names) {
            join(store.delete(base + name));
        }
        assertEquals(List.of(), listAll(base, 5));
    }

    @Test
    void keysThatCouldEscapeOrAreAmbiguousAreRejected() {
        List<String> bad = List.of("", "/abs", base + "double//slash", base + "trailing/", base + "./dot",
                base + "../up", "..", ".", base + "nul\0byte", ".strata-tmp/x");
        for (String key : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.get(key), key);
            assertTrue(e.getMessage().contains(key.replace("\0", "\\0")), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.put(key, new byte[1]), key);
            assertThrows(IllegalArgumentException.class, () -> store.createIfAbsent(key, new byte[1]), key);
            assertThrows(IllegalArgumentException.class, () -> store.head(key), key);
            assertThrows(IllegalArgumentException.class, () -> store.delete(key), key);
            assertThrows(IllegalArgumentException.class, () -> store.getRange(key, new ByteRange(0, 1)), key);
        }
        assertThrows(IllegalArgumentException.class, () -> store.list("/x", null, 10));
        assertThrows(IllegalArgumentException.class, () -> store.list(base, null, 0));
    }

    @Test
    void futuresCompleteOnAnIoThread() {
        String key = base + "object";
        byte[] data = randomBytes(11, 64);
        List<Supplier<CompletableFuture<?>>> operations = List.of(
                () -> store.put(key, data),
                () -> store.createIfAbsent(base + "created", data),
                () -> store.createIfAbsent(key, data),
                () -> store.get(key),
                () -> store.getRange(key, new ByteRange(1, 9)),
                () -> store.getRange(key, new ByteRange(3, 3)),
                () -> store.get(base + "missing"),
                () -> store.head(key),
                () -> store.head(base + "missing"),
                () -> store.list(base, null, 1),
                () -> store.delete(key));
        for (int i = 0; i < operations.size(); i++) {
            AtomicReference<String> thread = new AtomicReference<>();
            io.hold();
            CompletableFuture<?> observed;
            try {
                observed = operations.get(i).get()
                        .whenComplete((value, error) -> thread.set(Thread.currentThread().getName()));
            } finally {
                io.release();
            }
            try {
                observed.join();
            } catch (CompletionException expectedForTheMissingKey) {
                assertInstanceOf(ObjectNotFoundException.class, expectedForTheMissingKey.getCause());
            }
            // The action was attached before the operation could complete (the gate was held), so
            // it ran on the thread that completed the operation.
            assertTrue(thread.get() != null && thread.get().contains(StrataThreads.IO), "operation " + i + " on " + thread.get());
        }
    }

    // --- helpers ---------------------------------------------------------------------------

    private void assertRange(String key, byte[] data, int start, int end) {
        byte[] got = join(store.getRange(key, new ByteRange(start, end)));
        assertArrayEquals(Arrays.copyOfRange(data, start, end), got, "range [" + start + ", " + end + ")");
    }

    /** Every object under {@code prefix}, page by page, checking each page's size and token. */
    protected final List<ObjectInfo> listAll(String prefix, int pageSize) {
        List<ObjectInfo> all = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListPage page = join(store.list(prefix, token, pageSize));
            assertTrue(page.objects().size() <= pageSize, "page of " + page.objects().size() + " > " + pageSize);
            if (page.hasMore()) {
                assertEquals(pageSize, page.objects().size(), "only the last page may be short");
            }
            all.addAll(page.objects());
            token = page.nextToken();
            if (++pages > 10_000) {
                fail("listing of " + prefix + " does not end");
            }
        } while (token != null);
        return all;
    }

    protected static List<String> keys(List<ObjectInfo> infos) {
        return infos.stream().map(ObjectInfo::key).toList();
    }

    /** The oracle for listing order: compare the UTF-8 encodings as unsigned bytes. */
    protected static int compareUtf8Bytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    protected static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(SEED ^ seed).nextBytes(bytes);
        return bytes;
    }

    protected static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation failed: " + e, e);
        }
    }

    /** Runs the operation and returns its failure, which must be of the given type. */
    protected static <E extends ObjectStoreException> E failure(Class<E> type, Supplier<CompletableFuture<?>> operation) {
        CompletableFuture<?> future = operation.get();
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(type, e.getCause(), () -> "unexpected failure " + e.getCause());
    }
}
