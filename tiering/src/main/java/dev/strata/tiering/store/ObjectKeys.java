package dev.strata.tiering.store;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * The rules every {@link ObjectStore} applies to keys, so a key that works on one store works on
 * all of them: {@code /}-separated segments, none empty, none {@code .} or {@code ..}, no NUL, at
 * most {@value #MAX_KEY_BYTES} UTF-8 bytes (S3's limit), and never inside the reserved
 * {@value #RESERVED_SEGMENT} top-level folder that the local store keeps its temporary files in.
 */
public final class ObjectKeys {

    /** S3's limit on the length of a key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    /** The first segment that no key may have; the local store writes temporary files there. */
    public static final String RESERVED_SEGMENT = ".strata-tmp";

    /** Keys in UTF-8 byte order, which is Unicode code point order (not UTF-16 unit order). */
    public static final Comparator<String> UTF8_ORDER = ObjectKeys::compareUtf8;

    private ObjectKeys() {}

    /** Returns the key, or throws an {@link IllegalArgumentException} naming it and the broken rule. */
    public static String requireValid(String key) {
        if (key == null) {
            throw new IllegalArgumentException("object key must not be null");
        }
        String problem = problem(key);
        if (problem != null) {
            throw new IllegalArgumentException("invalid object key \"" + printable(key) + "\": " + problem);
        }
        return key;
    }

    /**
     * Returns the prefix of a listing, or throws: a prefix is a key that may stop anywhere, so it
     * may be empty or end with {@code /}, but every complete segment must follow the key rules.
     */
    public static String requireValidPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("listing prefix must not be null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        String asKey = prefix.endsWith("/") ? prefix + "x" : prefix;
        String problem = problem(asKey);
        if (problem != null) {
            throw new IllegalArgumentException("invalid listing prefix \"" + printable(prefix) + "\": " + problem);
        }
        return prefix;
    }

    private static String problem(String key) {
        if (key.isEmpty()) {
            return "empty";
        }
        if (key.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        if (key.startsWith("/")) {
            return "starts with '/'";
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            return "longer than " + MAX_KEY_BYTES + " UTF-8 bytes";
        }
        int start = 0;
        boolean first = true;
        while (true) {
            int slash = key.indexOf('/', start);
            String segment = slash < 0 ? key.substring(start) : key.substring(start, slash);
            if (segment.isEmpty()) {
                return "has an empty segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "has a '" + segment + "' segment";
            }
            if (first && segment.equals(RESERVED_SEGMENT)) {
                return "starts with the reserved segment " + RESERVED_SEGMENT;
            }
            if (slash < 0) {
                return null;
            }
            first = false;
            start = slash + 1;
        }
    }

    private static String printable(String key) {
        return key.replace("\0", "\\0");
    }

    /** Compares by code point, which orders strings exactly as their UTF-8 bytes would. */
    public static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
