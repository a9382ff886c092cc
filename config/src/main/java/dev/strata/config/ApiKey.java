package dev.strata.config;

import java.util.List;

/**
 * One API key a client may present as {@code Authorization: Bearer <key>}, and the namespace
 * name prefixes it may touch (empty list: every namespace). {@link #toString()} never prints
 * the key itself.
 */
public record ApiKey(String key, List<String> namespacePrefixes) {

    public ApiKey {
        namespacePrefixes = List.copyOf(namespacePrefixes);
    }

    /** True when this key may read and write the namespace {@code name}. */
    public boolean allows(String name) {
        if (namespacePrefixes.isEmpty()) {
            return true;
        }
        for (String prefix : namespacePrefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ApiKey[key=(hidden), namespacePrefixes=" + namespacePrefixes + "]";
    }
}
