package dev.strata.bench.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The benchmark corpus: short English texts with a few attributes, read from the project's
 * shared {@code data/corpus.tsv.gz}. Rows with {@code id < DOCUMENTS} are documents; the last
 * {@value #QUERIES} rows are queries and are never indexed.
 */
public final class Corpus {

    public static final int DOCUMENTS = 844_710;
    public static final int QUERIES = 10_000;

    /** One row. {@code year} is 0 where the corpus has none (npm rows). */
    public record Row(int id, String source, String name, int year, boolean popular, String text) {}

    private Corpus() {}

    /** The corpus file: {@code STRATA_CORPUS} if set, else {@code ../shared/data/corpus.tsv.gz}. */
    public static Path defaultPath() {
        String env = System.getenv("STRATA_CORPUS");
        return Path.of(env != null ? env : "../shared/data/corpus.tsv.gz");
    }

    /** The release year of each of the first {@code n} documents of the default corpus (0 = none). */
    public static int[] years(int n) {
        List<Row> rows = read(defaultPath());
        int[] years = new int[n];
        for (int i = 0; i < n; i++) {
            years[i] = rows.get(i).year();
        }
        return years;
    }

    /** Every row, in id order. */
    public static List<Row> read(Path file) {
        List<Row> rows = new ArrayList<>(DOCUMENTS + QUERIES);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
            String header = in.readLine();
            if (header == null || !header.startsWith("id\tsource\tname\tyear\tpopular\ttext")) {
                throw new IllegalStateException(file + ": unexpected header " + header);
            }
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split("\t", 6);
                int id = Integer.parseInt(f[0]);
                if (id != rows.size()) {
                    throw new IllegalStateException(file + ": row " + rows.size() + " has id " + id);
                }
                rows.add(new Row(id, f[1], f[2], f[3].isEmpty() ? 0 : Integer.parseInt(f[3]), f[4].equals("1"), f[5]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus " + file, e);
        }
        if (rows.size() != DOCUMENTS + QUERIES) {
            throw new IllegalStateException(file + ": " + rows.size() + " rows, expected " + (DOCUMENTS + QUERIES));
        }
        return rows;
    }
}
