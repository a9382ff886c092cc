package dev.strata.index.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GlobPatternTest {

    @Test
    void matchesTheGlobSyntax() {
        Map<String, String[][]> cases = Map.of(
                "foo*", new String[][] {{"foo", "food", "foo/bar"}, {"fo", "xfoo", "Foo"}},
                "*.txt", new String[][] {{"a.txt", ".txt", "a/b.txt"}, {"a.txts", "atxt"}},
                "a?c", new String[][] {{"abc", "a.c", "a\uD83D\uDE00c"}, {"ac", "abbc"}},
                "[a-c]x", new String[][] {{"ax", "cx"}, {"dx", "x"}},
                "[!a-c]x", new String[][] {{"dx", "-x"}, {"ax", "x"}},
                "{foo,ba?}.md", new String[][] {{"foo.md", "bar.md"}, {"ba.md", "foobar.md"}},
                "a\\*b", new String[][] {{"a*b"}, {"axb"}},
                "(x)+$", new String[][] {{"(x)+$"}, {"x", "xx"}});
        cases.forEach((glob, examples) -> {
            GlobPattern p = GlobPattern.compile(glob, false);
            for (String yes : examples[0]) {
                assertEquals(true, p.matches(yes), glob + " should match " + yes);
            }
            for (String no : examples[1]) {
                assertEquals(false, p.matches(no), glob + " should not match " + no);
            }
        });
    }

    @Test
    void iglobIgnoresCase() {
        GlobPattern p = GlobPattern.compile("ÉTÉ*", true);
        assertEquals(true, p.matches("été 2024"));
        assertEquals(false, GlobPattern.compile("ÉTÉ*", false).matches("été 2024"));
    }

    @Test
    void literalPrefixStopsAtTheFirstWildcard() {
        assertEquals("foo", GlobPattern.compile("foo*bar", false).literalPrefix());
        assertEquals("", GlobPattern.compile("*foo", false).literalPrefix());
        assertEquals("ab", GlobPattern.compile("ab[cd]", false).literalPrefix());
        assertEquals("", GlobPattern.compile("abc*", true).literalPrefix());
    }

    @Test
    void malformedGlobsAreRejected() {
        for (String bad : new String[] {"[abc", "{a,b", "a}", "{a,{b}}", "abc\\"}) {
            assertThrows(IllegalArgumentException.class, () -> GlobPattern.compile(bad, false), bad);
        }
    }
}
