/**
 * The cache tiers between the index engine and object storage.
 *
 * <p>Every tier is a {@link dev.strata.cache.PageSource} that wraps the next colder one and
 * stores fixed-size pages ({@link dev.strata.cache.PageGeometry}) of immutable objects
 * ({@link dev.strata.cache.ObjectId}): {@link dev.strata.cache.MemoryPageCache} (node-wide byte
 * budget, single-flight loads) over {@link dev.strata.cache.SsdPageCache} (one preallocated file of
 * regions, checksummed pages) over the object store. A tier serves what it holds and asks the
 * colder source for the rest in one call; each returned {@link dev.strata.cache.Page} names the
 * {@link dev.strata.cache.Tier} it came from. Both tiers use the same page size.
 */
package dev.strata.cache;
