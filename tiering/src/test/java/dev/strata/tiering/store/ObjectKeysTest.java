package dev.strata.tiering.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {

    @Test
    void codePointOrderIsUtf8ByteOrder() {
        // Random strings over a mix of ASCII, two- and three-byte characters, surrogate pairs and
        // the U+E000..U+FFFF block that UTF-16 order puts after the pairs.
        int[] pool = {'/', '+', 'a', 'B', '~', 0xE9, 0x65E5, 0xE000, 0xFFFD, 0x1F600, 0x1D11E, 0x10FFFF};
        SplittableRandom random = new SplittableRandom(2024);
        for (int i = 0; i < 20_000; i++) {
            String a = randomString(random, pool);
            String b = randomString(random, pool);
            int oracle = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
            assertEquals(oracle, Integer.signum(ObjectKeys.compareUtf8(a, b)), a + " vs " + b);
        }
    }

    private static String randomString(SplittableRandom random, int[] pool) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(5);
        for (int i = 0; i < length; i++) {
            s.appendCodePoint(pool[random.nextInt(pool.length)]);
        }
        return s.toString();
    }

    @Test
    void validKeysPass() {
        for (String key : new String[] {"a", "a/b/c", "namespaces/ns-1/wal/00000000000000000001", ".hidden", "a/.b", "a..b",
                "...", "x/.strata-tmp", "with space", "ü/日本"}) {
            assertEquals(key, ObjectKeys.requireValid(key));
        }
        assertEquals("", ObjectKeys.requireValidPrefix(""));
        assertEquals("a/", ObjectKeys.requireValidPrefix("a/"));
        assertEquals("a/b", ObjectKeys.requireValidPrefix("a/b"));
    }

    @Test
    void invalidKeysAreNamedInTheError() {
        String tooLong = "k".repeat(ObjectKeys.MAX_KEY_BYTES + 1);
        for (String key : new String[] {"", "/a", "a//b", "a/", ".", "..", "a/./b", "a/../b", "../a", "a\0b",
                ".strata-tmp", ".strata-tmp/x", tooLong}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ObjectKeys.requireValid(key));
            assertTrue(e.getMessage().contains("\"" + key.replace("\0", "\\0") + "\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.requireValid(null));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.requireValidPrefix("/a"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.requireValidPrefix("a//"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.requireValidPrefix("../"));
    }
}
