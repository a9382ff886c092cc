package dev.strata.tiering.store;

import java.time.Instant;

/** What a HEAD or a listing says about one object. */
public record ObjectInfo(String key, long size, Instant lastModified) {}
