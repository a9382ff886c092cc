package dev.strata.index.filter;

import java.util.regex.Pattern;

/**
 * A compiled Unix-style glob as turbopuffer's {@code Glob}/{@code IGlob} accept it: {@code *} any
 * run of characters ({@code /} included), {@code ?} one character, {@code [abc]}, {@code [a-z]},
 * {@code [!abc]} or {@code [^abc]} one character of (not of) a class, {@code {foo,bar}} one of
 * several alternatives (not nested), and {@code \} escaping the next character. The whole value
 * must match.
 */
public final class GlobPattern {

    private final String glob;
    private final boolean caseInsensitive;
    private final Pattern regex;

    private GlobPattern(String glob, boolean caseInsensitive, Pattern regex) {
        this.glob = glob;
        this.caseInsensitive = caseInsensitive;
        this.regex = regex;
    }

    /** Compiles a glob, or throws {@link IllegalArgumentException} saying what is malformed. */
    public static GlobPattern compile(String glob, boolean caseInsensitive) {
        StringBuilder re = new StringBuilder(glob.length() * 2);
        boolean inAlternation = false;
        int i = 0;
        while (i < glob.length()) {
            int c = glob.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '\\' -> {
                    if (i >= glob.length()) {
                        throw new IllegalArgumentException("glob ends with an unfinished escape: " + glob);
                    }
                    int next = glob.codePointAt(i);
                    i += Character.charCount(next);
                    literal(re, next);
                }
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> i = characterClass(glob, i, re);
                case '{' -> {
                    if (inAlternation) {
                        throw new IllegalArgumentException("nested '{' in glob: " + glob);
                    }
                    inAlternation = true;
                    re.append("(?:");
                }
                case '}' -> {
                    if (!inAlternation) {
                        throw new IllegalArgumentException("'}' without '{' in glob: " + glob);
                    }
                    inAlternation = false;
                    re.append(')');
                }
                case ',' -> {
                    if (inAlternation) {
                        re.append('|');
                    } else {
                        literal(re, c);
                    }
                }
                default -> literal(re, c);
            }
        }
        if (inAlternation) {
            throw new IllegalArgumentException("unclosed '{' in glob: " + glob);
        }
        int flags = Pattern.DOTALL | (caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        return new GlobPattern(glob, caseInsensitive, Pattern.compile(re.toString(), flags));
    }

    /** Appends a class starting after its '[' and returns the index after its ']'. */
    private static int characterClass(String glob, int start, StringBuilder re) {
        int i = start;
        re.append('[');
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            re.append('^');
            i++;
        }
        boolean first = true;
        while (true) {
            if (i >= glob.length()) {
                throw new IllegalArgumentException("unclosed '[' in glob: " + glob);
            }
            int c = glob.codePointAt(i);
            i += Character.charCount(c);
            if (c == ']' && !first) {
                re.append(']');
                return i;
            }
            if (c == '-' && !first && i < glob.length() && glob.charAt(i) != ']') {
                re.append('-');
            } else {
                re.append('\\').appendCodePoint(c);
                if (Character.isLetterOrDigit(c)) {
                    // "\a" style escapes mean something else in a regex: undo the backslash.
                    re.setLength(re.length() - Character.charCount(c) - 1);
                    re.appendCodePoint(c);
                }
            }
            first = false;
        }
    }

    private static void literal(StringBuilder re, int c) {
        if (c < 128 && !Character.isLetterOrDigit(c) && c != ' ') {
            re.append('\\');
        }
        re.appendCodePoint(c);
    }

    public boolean matches(String value) {
        return regex.matcher(value).matches();
    }

    /**
     * The literal text every match starts with (empty if the glob starts with a wildcard). Only
     * meaningful for case-sensitive globs, where it bounds a range of a sorted dictionary.
     */
    public String literalPrefix() {
        if (caseInsensitive) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{' || c == '\\') {
                break;
            }
            out.append(c);
        }
        // A high surrogate cut from its pair is not a prefix of anything in code point order.
        if (out.length() > 0 && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    public String glob() {
        return glob;
    }

    public boolean caseInsensitive() {
        return caseInsensitive;
    }
}
