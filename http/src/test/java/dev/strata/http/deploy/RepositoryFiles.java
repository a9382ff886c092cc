package dev.strata.http.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Reads the repository's deployment files (k8s/, Dockerfile, build files) in tests. */
public final class RepositoryFiles {

    private RepositoryFiles() {}

    /** The repository root: the nearest directory up from the working directory holding k8s/ and pom.xml. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("k8s")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (with k8s/ and pom.xml) above " + dir);
    }

    public static String read(String relative) throws IOException {
        return Files.readString(root().resolve(relative));
    }

    /** Every YAML document in the file, as maps. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> yamlDocuments(String relative) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(root().resolve(relative))) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc != null) {
                    docs.add((Map<String, Object>) doc);
                }
            }
        }
        return docs;
    }

    /** The one document of {@code kind} in the file; fails if there is not exactly one. */
    public static Map<String, Object> document(String relative, String kind) throws IOException {
        List<Map<String, Object>> matching = yamlDocuments(relative).stream()
                .filter(d -> kind.equals(d.get("kind")))
                .toList();
        if (matching.size() != 1) {
            throw new AssertionError(relative + " has " + matching.size() + " documents of kind " + kind);
        }
        return matching.get(0);
    }

    /** Follows a path of map keys and list indexes (Integer) through parsed YAML or JSON. */
    @SuppressWarnings("unchecked")
    public static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (step instanceof Integer i) {
                current = ((List<Object>) current).get(i);
            } else {
                if (!(current instanceof Map<?, ?> map) || !map.containsKey(step)) {
                    throw new AssertionError("no " + step + " in " + current);
                }
                current = map.get(step);
            }
        }
        return (T) current;
    }
}
