package dev.strata.actors.namespace;

import dev.strata.actors.namespace.NamespaceProtocol.Command;
import dev.strata.actors.namespace.NamespaceProtocol.DeleteNamespace;
import dev.strata.actors.namespace.NamespaceProtocol.Describe;
import dev.strata.actors.namespace.NamespaceProtocol.Explain;
import dev.strata.actors.namespace.NamespaceProtocol.MultiQuery;
import dev.strata.actors.namespace.NamespaceProtocol.Recall;
import dev.strata.actors.namespace.NamespaceProtocol.UpdateSchema;
import dev.strata.actors.namespace.NamespaceProtocol.WarmCache;
import dev.strata.actors.namespace.NamespaceProtocol.Query;
import dev.strata.actors.namespace.NamespaceProtocol.QueryRequest;
import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Stop;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
import dev.strata.actors.storage.NamespaceDeletion;
import dev.strata.actors.storage.NamespaceLayout;
import dev.strata.actors.storage.NamespaceName;
import dev.strata.actors.storage.SequencedLog;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import dev.strata.index.vector.Metric;
import dev.strata.index.wal.WalOp;
import dev.strata.index.wal.WalWriter;
import dev.strata.tiering.read.ReadStats;
import dev.strata.tiering.read.TieredReader;
import dev.strata.tiering.store.ObjectNotFoundException;
import dev.strata.tiering.store.ObjectStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;

/**
 * The owner of one namespace: a Cluster Sharding entity that commits its writes to the WAL and
 * answers its queries.
 *
 * <p>Implementation notes. Three behaviours: {@code hydrating} stashes commands while
 * {@link Hydration} loads the bucket (after finishing a deletion a crash interrupted);
 * {@code active} serves; {@code deleting} stashes requests while a DeleteNamespace waits for the
 * pending writes and any background job, then deletes ({@link NamespaceDeletion}) and hydrates
 * again, so what waited meets an empty namespace. A write passes three queues in order:
 * {@code admitting} (schema-checked by {@link WriteAdmission}; at its head a write is resolved
 * by {@link FilterWrites}: plain patches wait for their base documents, and a write with
 * by-filter operations or conditions is evaluated off the actor against a copy of the state
 * then, which is exact because every earlier write is in {@code latest} and the writes behind
 * it wait), {@code queued} (resolved to upserts and deletes) and {@code inFlight} (the one WAL
 * object being created). A schema update is a write without operations. A batch that declares
 * schema (or sets the metric) publishes a manifest before its WAL object; a batch with only
 * declarations publishes just the manifest. Group
 * commit: while a create-if-absent is in flight, resolved writes gather in {@code queued}; when
 * it completes they all go into the next WAL object. A write is acknowledged, and its operations
 * enter the query snapshot, only after its WAL object exists. A create that finds the key taken
 * means another owner: every pending write fails retryably and the entity hydrates again.
 * Async results carry the {@code generation} they were started in; results of an earlier
 * generation are dropped. Queries run on the compute executor against an immutable
 * {@link Snapshot} and reply directly.
 *
 * <p>Queries (Query, MultiQuery, Recall) first take slots of the namespace's limit
 * ({@code querySlots}; excess ones wait in {@code slotQueue} up to the queue timeout, then get
 * 429); the completion of each comes back as {@code SlotsFreed}, so the counter is touched only
 * here. A strong query then needs a consistency check: one HEAD of the WAL key
 * {@code nextSequence}, which exists only if another owner committed since this one loaded (or
 * this owner's own create of it is in flight). The query runs against the snapshot of the
 * moment the HEAD is issued, concurrently with it, and its answer is sent only once the HEAD has
 * found nothing: then no write acknowledged before the query arrived is missing from that
 * snapshot. Strong queries arriving while a check is in flight gather in {@code nextCheck} and
 * share the next one, which starts when the current one ends (so every query is checked by a
 * HEAD issued after it arrived). A check that finds the key drops the answers computed with it:
 * a foreign WAL entry fences and hydrates again (the queries go to the stash, keeping their
 * slots, and are checked and run again); this owner's own entry means checking and running
 * again against the newer snapshot.
 *
 * <p>Background jobs, at most one at a time ({@code job}): indexing, when the tail passes a size
 * or count threshold or after a quiet period, folds the tail batches through sequence S into a
 * segment on the indexer executor ({@link Indexer}); compaction, when there are too many segments
 * or, once the namespace is quiet (no write committed for the quiet period, measured from the last
 * commit or the load) and its tail indexed, more than one, merges them all into one; a garbage
 * sweep ({@link Garbage}) deletes what no retained manifest needs; after loading a manifest whose
 * segments lack layouts (written by an older version), publishing the next version with them
 * recorded, so later cold loads skip reading segment directories. A built segment comes back as
 * {@code Built}; the entity then publishes manifest version n+1 with create-if-absent, which is
 * the commit point. Every manifest write is serialized through the entity: a build is published
 * only while no WAL create is in flight (a WAL commit may publish the metric's manifest), and
 * while a publication is in flight new WAL commits wait in {@code queued}. Once published, the
 * tail drops the batches through S, the new segment's documents superseded by the remaining tail
 * are excluded, and the snapshot is swapped; queries never wait on a build and writes keep flowing
 * during one. A lost create means another owner: the entity fences and hydrates again, and the
 * written segment is garbage.
 */
public final class NamespaceEntity {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Namespace");

    private static final int STASH_CAPACITY = 10_000;

    /** Queries in one multi-query, at most (turbopuffer's limit). */
    static final int MAX_MULTI_QUERY = 16;

    /**
     * What every entity of a node shares: storage, the compute executor for queries, the indexer
     * executor for segment builds (kept apart so builds never delay queries) and the settings.
     */
    public record Resources(ObjectStore store, TieredReader reader, Executor compute, Executor indexer,
                            NamespaceSettings settings, NamespaceMetrics metrics) {
        /** Resources that report no metrics. */
        public Resources(ObjectStore store, TieredReader reader, Executor compute, Executor indexer,
                         NamespaceSettings settings) {
            this(store, reader, compute, indexer, settings, NamespaceMetrics.NONE);
        }
    }

    // Internal messages.
    private record Loaded(long generation, Hydration.Loaded state) implements Command {}

    private record LoadFailed(long generation, Throwable error) implements Command {}

    /** The id columns the first write waits for are in, or failed to load. */
    private record IdsLoaded(long generation, Throwable errorOrNull) implements Command {}

    private record BasesLoaded(long generation, Map<DocId, Document> bases, Throwable errorOrNull) implements Command {}

    /** The head write's filters and conditions were evaluated (see {@link FilterWrites}). */
    private record Evaluated(long generation, FilterWrites.Outcome outcomeOrNull, Throwable errorOrNull)
            implements Command {}

    /**
     * {@code bytes} is the WAL object's size, or -1 when another owner created the key first;
     * {@code wal} is false for a commit that only published a manifest (a schema change).
     */
    private record Committed(long generation, long sequence, boolean wal, long bytes, Manifest publishedOrNull,
                             Throwable errorOrNull) implements Command {}

    /** The namespace's objects are deleted (or the deletion failed). */
    private record Deleted(long generation, Throwable errorOrNull) implements Command {}

    /** Creation and update times read from object timestamps after a load. */
    private record TimesLoaded(long generation, NamespaceTimes.Times times) implements Command {}

    private enum Idle implements Command { INSTANCE }

    /** The commit delay after the last WAL commit has passed: queued writes may commit. */
    private enum CommitDue implements Command { INSTANCE }

    /** No write came for the quiet period: index a non-empty tail, or merge the segments of an indexed one. */
    private enum Quiet implements Command { INSTANCE }

    /** A garbage sweep is due. */
    private enum SweepDue implements Command { INSTANCE }

    private enum Job { NONE, INDEX, COMPACT, SWEEP, LAYOUTS }

    /** A background build finished: {@code built} is written and opened but not yet published. */
    private record Built(long generation, Job kind, long startNanos, Indexer.Built builtOrNull, Throwable errorOrNull)
            implements Command {}

    /**
     * The manifest create of a build (or of {@link Job#LAYOUTS}, with {@code built} null)
     * finished; {@code created} is false when the version was taken.
     */
    private record Published(long generation, Job kind, Indexer.Built built, Manifest manifest, boolean created,
                             Throwable errorOrNull) implements Command {}

    private record Swept(long generation, Garbage.Result resultOrNull, Throwable errorOrNull) implements Command {}

    // Query side: slots, consistency checks, warm-up.

    /** A query holding (or waiting for) {@code slots} of the namespace's query limit. */
    private record Work(long id, Command command, int slots, boolean strong) implements Command {}

    private record SlotsFreed(int slots) implements Command {}

    private record SlotTimeout(long id) implements Command {}

    /** The HEAD of WAL key {@code probe} found it ({@code exists}) or not, or failed. */
    private record Checked(long generation, long probe, boolean exists, Throwable errorOrNull) implements Command {}

    /**
     * A query's answer being computed against one snapshot, not yet sent: a strong query's is
     * started together with its check and sent only if the check comes back clean.
     *
     * @param result a {@link Ran}, a list of them (multi-query) or a {@link NamespaceProtocol.RecallResult}
     */
    private record Answer(Work work, CompletableFuture<?> result) {}

    /** One query's result and how long it ran. */
    private record Ran(QueryResult result, long nanos) {}

    private enum StartWarm implements Command { INSTANCE }

    private record Warmed(long bytes, Throwable errorOrNull) implements Command {}

    /**
     * One write (or schema update) on its way through the queues: its admitted operations, the
     * plan of its filters and conditions (null for a plain write), whether it declared schema a
     * manifest must carry, and the schema after it.
     */
    private static final class Pending {
        final Command command;
        final List<WalOp> admitted;
        final FilterWrites.Plan planOrNull;
        final boolean declared;
        final Schema schemaAfter;
        Map<DocId, Document> bases;
        boolean fetching;
        FilterWrites.Outcome outcome;
        List<WalOp> resolved;
        final long receivedNanos = System.nanoTime();

        Pending(Command command, List<WalOp> admitted, FilterWrites.Plan planOrNull, boolean declared,
                Schema schemaAfter) {
            this.command = command;
            this.admitted = admitted;
            this.planOrNull = planOrNull;
            this.declared = declared;
            this.schemaAfter = schemaAfter;
        }

        WriteResult result(long sequence) {
            FilterWrites.Outcome o = outcome;
            if (!(command instanceof Write w) || !w.request().returnAffectedIds()) {
                return new WriteResult(sequence, o.upserted(), o.patched(), o.deleted());
            }
            return new WriteResult(sequence, o.upserted(), o.patched(), o.deleted(), json(o.upsertedIds()),
                    json(o.patchedIds()), json(o.deletedIds()));
        }

        private static List<Object> json(List<DocId> ids) {
            return ids.stream().map(DocId::toJson).toList();
        }
    }

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shardOrNull;
    private final NamespaceName namespace;
    private final Resources resources;
    private final SequencedLog wal;
    private final ManifestLog manifests;
    private final ReadStats stats = new ReadStats();

    private long generation;
    private Manifest manifest;
    private Schema committedSchema;
    private Schema schema;
    private Metric metric;
    private List<SegmentView> segments = List.of();
    private final List<TailBatch> tail = new ArrayList<>();
    private long tailOps;
    /** WAL bytes in {@code tail}; changed only through {@link #setTailBytes}, which reports the change. */
    private long tailBytes;
    /** Builds started and not yet answered by their {@link Built} (see {@link #buildStarted}). */
    private int buildsRunning;
    private long hydrateStartNanos;
    private long commitStartNanos;
    private boolean exists;
    private long nextSequence;
    /** Newest operation per id over the tail and every resolved pending write. */
    private final Map<DocId, WalOp> latest = new HashMap<>();
    private final ArrayDeque<Pending> admitting = new ArrayDeque<>();
    private final List<Pending> queued = new ArrayList<>();
    private List<Pending> inFlight;
    private boolean stopping;
    /** Volatile: a query's reply reads it off the actor (see {@link #queryError}). */
    private volatile Snapshot snapshot;
    private final NamespaceLayout layout;
    private Job job = Job.NONE;
    /** A build waiting for the in-flight WAL create to finish before it is published. */
    private Built ready;
    private boolean publishing;
    private boolean sweepWanted;
    /** The loaded manifest lists segments without a layout: publish one that records them. */
    private boolean layoutsWanted;
    private boolean loading;
    /**
     * A segment's id column is loading for the write path (see {@link SegmentView}): writes and
     * schema updates wait in the stash until {@link IdsLoaded}; queries run.
     */
    private boolean idsLoading;
    private boolean warming;
    private long workIds;
    private int querySlots;
    private final ArrayDeque<Work> slotQueue = new ArrayDeque<>();
    /** Strong queries waiting for the check in flight, their answers computing, or null when none is in flight. */
    private List<Answer> checking;
    private final List<Work> nextCheck = new ArrayList<>();
    /** Strong queries whose check found this owner's own in-flight WAL create: decided by its outcome. */
    private final List<Work> afterCommit = new ArrayList<>();
    /** When the namespace was created, once known (manifest, first commit, or object timestamps). */
    private java.time.Instant createdAt;
    /** When this entity last committed a write, or null. */
    private java.time.Instant lastWriteAt;
    /**
     * {@code System.nanoTime()} of this entity's last committed write, or of its load when it has
     * committed none (another owner may have written just before): the namespace is quiet once
     * {@code indexAfterQuiet} has passed since.
     */
    private long lastCommitNanos;
    /** {@code System.nanoTime()} when the last commit's writers had been answered. */
    private long commitDoneNanos;
    /**
     * Writes the last commit answered (0 after a load): the next commit waits, up to commit-delay
     * after {@link #commitDoneNanos}, until as many have arrived since, because closed-loop
     * writers answered together write again together.
     */
    private int lastCommitWrites;
    /** Whether a merge too large for the heap was logged (once per entity). */
    private boolean mergeRefusalLogged;
    /** Timestamps of the bucket's objects as read after the load, or null until read. */
    private NamespaceTimes.Times loadedTimes;
    /** Callers of a DeleteNamespace waiting for it, or null when none is pending. */
    private List<ActorRef<StatusReply<org.apache.pekko.Done>>> deleteRepliesOrNull;
    private boolean deletionStarted;

    private NamespaceEntity(ActorContext<Command> context, StashBuffer<Command> stash, TimerScheduler<Command> timers,
                            ActorRef<ClusterSharding.ShardCommand> shardOrNull, NamespaceName namespace,
                            Resources resources) {
        this.context = context;
        this.stash = stash;
        this.timers = timers;
        this.shardOrNull = shardOrNull;
        this.namespace = namespace;
        this.resources = resources;
        this.layout = new NamespaceLayout(namespace);
        this.wal = new SequencedLog(resources.store(), layout.walPrefix());
        this.manifests = new ManifestLog(namespace, resources.store());
    }

    /**
     * Registers the entity type with Cluster Sharding on this node; returns the region.
     *
     * <p>Sharding's own passivation is off: it counts only the messages its shard delivers, so it
     * would stop an entity two minutes into a long build or merge that nothing outside asked
     * about, and the job's segment would never be published. The entity passivates itself (after
     * {@code strata.namespace.passivate-after} without messages, and never while a job runs).
     */
    public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system, Resources resources) {
        return ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                        ctx -> create(new NamespaceName(ctx.getEntityId()), ctx.getShard(), resources))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
                .withStopMessage(Stop.INSTANCE));
    }

    /** The entity's behaviour; {@code shardOrNull} is null outside sharding (it then stops itself when idle). */
    public static Behavior<Command> create(NamespaceName namespace, ActorRef<ClusterSharding.ShardCommand> shardOrNull,
                                           Resources resources) {
        return Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.withTimers(timers -> Behaviors.setup(ctx ->
                new NamespaceEntity(ctx, stash, timers, shardOrNull, namespace, resources).hydrate())));
    }

    // ---- hydrating

    private Behavior<Command> hydrate() {
        long gen = ++generation;
        hydrateStartNanos = System.nanoTime();
        // A build of an earlier generation may still run; its result is dropped and what it
        // wrote is garbage.
        job = Job.NONE;
        ready = null;
        publishing = false;
        loading = true;
        stashChecks();
        context.cancelReceiveTimeout();
        deleteRepliesOrNull = null;
        deletionStarted = false;
        // The tombstone check and the load start together, saving a cold start one round trip.
        // A deletion a crash interrupted (see NamespaceDeletion) is finished and the namespace
        // loaded again; the first load's result, whatever it read, is dropped, and the deletion
        // waits for it, so that the manifest copy it may write does not land afterwards.
        CompletableFuture<Hydration.Loaded> load = Hydration.load(manifests, resources.store(), resources.reader(),
                resources.compute(), stats);
        context.pipeToSelf(resources.store().head(NamespaceDeletion.tombstoneKey(layout))
                        .thenCompose(tombstone -> tombstone.isEmpty() ? load
                                : load.handle((dropped, error) -> null)
                                        .thenCompose(ignored -> manifests.copiesWritten())
                                        .thenCompose(ignored ->
                                                NamespaceDeletion.finishIfTombstoned(resources.store(), layout))
                                        .thenCompose(ignored -> Hydration.load(manifests, resources.store(),
                                                resources.reader(), resources.compute(), stats))),
                (loaded, error) -> error == null ? new Loaded(gen, loaded) : new LoadFailed(gen, unwrap(error)));
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(LoadFailed.class, this::onLoadFailed)
                .onMessage(IdsLoaded.class, m -> Behaviors.same())
                .onMessage(Stop.class, m -> stopNow("the namespace is moving to another node"))
                .onMessage(Idle.class, m -> Behaviors.same())
                .onMessage(BasesLoaded.class, m -> Behaviors.same())
                .onMessage(Evaluated.class, m -> Behaviors.same())
                .onMessage(Deleted.class, m -> Behaviors.same())
                .onMessage(TimesLoaded.class, m -> Behaviors.same())
                .onMessage(Committed.class, m -> Behaviors.same())
                .onMessage(CommitDue.class, m -> Behaviors.same())
                .onMessage(Built.class, m -> {
                    buildFinished(m);
                    return Behaviors.same();
                })
                .onMessage(Published.class, m -> Behaviors.same())
                .onMessage(Swept.class, m -> Behaviors.same())
                .onMessage(Quiet.class, m -> Behaviors.same())
                .onMessage(SweepDue.class, m -> Behaviors.same())
                .onMessage(SlotsFreed.class, this::onSlotsFreed)
                .onMessage(SlotTimeout.class, this::onSlotTimeout)
                .onMessage(Checked.class, m -> Behaviors.same())
                .onMessage(Warmed.class, this::onWarmed)
                .onMessage(WarmCache.class, this::onWarmCache)
                .onAnyMessage(this::stashOrReject)
                .onSignal(PostStop.class, this::onPostStop)
                .build();
    }

    private void setTailBytes(long bytes) {
        resources.metrics().unindexedBytesChanged(bytes - tailBytes);
        tailBytes = bytes;
    }

    /** Takes this entity's share out of the node's gauges: its tail and its unanswered builds. */
    private Behavior<Command> onPostStop(PostStop signal) {
        resources.metrics().unindexedBytesChanged(-tailBytes);
        resources.metrics().indexingBacklogChanged(-buildsRunning);
        return Behaviors.same();
    }

    private Behavior<Command> stashOrReject(Command command) {
        if (stash.isFull()) {
            reject(command, new NamespaceException.Unavailable("namespace " + namespace + " is loading; too many waiting requests"));
        } else {
            stash.stash(command);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onLoaded(Loaded m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        resources.metrics().hydrated(true, System.nanoTime() - hydrateStartNanos);
        Hydration.Loaded s = m.state();
        // Segments listed without a layout (an older writer's manifest) get the one their open
        // found, recorded by the next manifest this entity publishes.
        manifest = s.manifest().withLayoutsOf(s.segments());
        layoutsWanted = manifest != s.manifest();
        committedSchema = s.schema();
        schema = s.schema();
        metric = s.manifest().metricOrNull();
        segments = s.segments();
        tail.clear();
        tail.addAll(s.tail());
        tailOps = s.tail().stream().mapToLong(b -> b.ops().size()).sum();
        setTailBytes(s.tail().stream().mapToLong(TailBatch::bytes).sum());
        latest.clear();
        latest.putAll(s.latest());
        exists = s.exists();
        nextSequence = s.nextSequence();
        createdAt = manifest.createdAtOrNull();
        lastWriteAt = null;
        lastCommitNanos = System.nanoTime();
        lastCommitWrites = 0;
        loadedTimes = null;
        refreshSnapshot();
        loading = false;
        idsLoading = false;
        context.getLog().debug("namespace {} loaded: manifest {}, {} segments, {} tail batches, next WAL {}",
                namespace, manifest.version(), segments.size(), tail.size(), nextSequence);
        context.setReceiveTimeout(resources.settings().passivateAfter(), Idle.INSTANCE);
        if (!tail.isEmpty() || quietMergeWanted()) {
            timers.startSingleTimer(Quiet.INSTANCE, Quiet.INSTANCE, resources.settings().indexAfterQuiet());
        }
        if (manifest.version() > 0) {
            // Leftovers of earlier owners (a crash between a manifest and its sweep, say).
            scheduleSweep();
        }
        maybeStartJob(false);
        return stash.unstashAll(active());
    }

    /**
     * Whether a write must wait for id columns (a namespace loaded without them, see
     * {@link Hydration}); if so, starts loading them, once, and stashes {@code command} until
     * they are in.
     */
    private boolean awaitingIds(Command command) {
        CompletableFuture<?>[] pending = segments.stream().map(SegmentView::idsLoaded)
                .filter(f -> !f.isDone() || f.isCompletedExceptionally()).toArray(CompletableFuture[]::new);
        if (pending.length == 0) {
            return false;
        }
        if (!idsLoading) {
            idsLoading = true;
            long gen = generation;
            context.pipeToSelf(CompletableFuture.allOf(pending), (ok, error) -> new IdsLoaded(gen, error));
        }
        stashOrReject(command);
        return true;
    }

    private Behavior<Command> onIdsLoaded(IdsLoaded m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        idsLoading = false;
        if (m.errorOrNull() != null) {
            return onLoadFailed(new LoadFailed(m.generation(), unwrap(m.errorOrNull())));
        }
        return stash.unstashAll(active());
    }

    private Behavior<Command> onLoadFailed(LoadFailed m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        resources.metrics().hydrated(false, System.nanoTime() - hydrateStartNanos);
        context.getLog().error("namespace {} failed to load", namespace, m.error());
        return failed("namespace " + namespace + " failed to load: " + m.error().getMessage());
    }

    /**
     * After a failed load: every waiting request, and every one that still reaches this entity,
     * gets a retryable error. Under sharding the entity asks its shard to passivate it and stops
     * on the shard's stop message: requests sent meanwhile wait in the shard and reach a new
     * entity, which loads again. Stopping at once would drop the requests already in the mailbox,
     * and their callers would hear nothing until their own timeouts.
     */
    private Behavior<Command> failed(String reason) {
        NamespaceException.Unavailable error = new NamespaceException.Unavailable(reason);
        rejectQueries(error);
        stash.forEach(c -> reject(c, error));
        if (shardOrNull == null) {
            return Behaviors.stopped();
        }
        shardOrNull.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        return Behaviors.receive(Command.class)
                .onMessage(Stop.class, m -> Behaviors.stopped())
                .onAnyMessage(command -> {
                    reject(command, error);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> stopNow(String reason) {
        NamespaceException.Unavailable error = new NamespaceException.Unavailable(reason);
        rejectQueries(error);
        stash.forEach(c -> reject(c, error));
        return Behaviors.stopped();
    }

    // ---- active

    private Behavior<Command> active() {
        return Behaviors.receive(Command.class)
                .onMessage(Write.class, this::onWrite)
                .onMessage(Query.class, this::onQuery)
                .onMessage(BasesLoaded.class, this::onBasesLoaded)
                .onMessage(Evaluated.class, this::onEvaluated)
                .onMessage(TimesLoaded.class, this::onTimesLoaded)
                .onMessage(Deleted.class, m -> Behaviors.same())
                .onMessage(Committed.class, this::onCommitted)
                .onMessage(CommitDue.class, this::onCommitDue)
                .onMessage(Idle.class, this::onIdle)
                .onMessage(Quiet.class, this::onQuiet)
                .onMessage(SweepDue.class, this::onSweepDue)
                .onMessage(Built.class, this::onBuilt)
                .onMessage(Published.class, this::onPublished)
                .onMessage(Swept.class, this::onSwept)
                .onMessage(Stop.class, this::onStop)
                .onMessage(MultiQuery.class, this::onMultiQuery)
                .onMessage(Recall.class, this::onRecall)
                .onMessage(Explain.class, this::onExplain)
                .onMessage(WarmCache.class, this::onWarmCache)
                .onMessage(StartWarm.class, this::onStartWarm)
                .onMessage(Warmed.class, this::onWarmed)
                .onMessage(Work.class, this::proceed)
                .onMessage(SlotsFreed.class, this::onSlotsFreed)
                .onMessage(SlotTimeout.class, this::onSlotTimeout)
                .onMessage(Checked.class, this::onChecked)
                .onMessage(Describe.class, this::onDescribe)
                .onMessage(UpdateSchema.class, this::onUpdateSchema)
                .onMessage(DeleteNamespace.class, this::onDeleteNamespace)
                .onMessage(Loaded.class, m -> Behaviors.same())
                .onMessage(LoadFailed.class, m -> Behaviors.same())
                .onMessage(IdsLoaded.class, this::onIdsLoaded)
                .onSignal(PostStop.class, this::onPostStop)
                .build();
    }

    // ---- metadata, schema updates, deletion

    private Behavior<Command> onDescribe(Describe m) {
        describe(m.replyTo());
        return Behaviors.same();
    }

    /** Replies with the committed state's metadata, computed on the compute executor. */
    private void describe(ActorRef<StatusReply<NamespaceProtocol.NamespaceMetadata>> replyTo) {
        if (!exists) {
            replyTo.tell(StatusReply.error(new NamespaceException.NotFound("namespace " + namespace + " not found")));
            return;
        }
        Snapshot described = snapshot;
        Instant created = createdAt;
        Instant lastWrite = lastWriteAt;
        CompletableFuture<NamespaceTimes.Times> loaded;
        if (loadedTimes != null || (created != null && lastWrite != null)) {
            loaded = CompletableFuture.completedFuture(loadedTimes);
        } else {
            // Read from object timestamps on the first request that needs them, not on every load:
            // hydration stays free of requests only metadata uses.
            long gen = generation;
            ActorRef<Command> self = context.getSelf();
            loaded = NamespaceTimes.load(resources.store(), layout, manifest, List.copyOf(tail), nextSequence)
                    .handle((times, error) -> {
                        self.tell(new TimesLoaded(gen, error == null ? times : null));
                        return error == null ? times : null;
                    });
        }
        loaded.thenCompose(times -> NamespaceMetadataView.describe(described,
                        NamespaceTimes.current(times, created, lastWrite), resources.compute()))
                .whenComplete((metadata, error) ->
                        replyTo.tell(error == null ? StatusReply.success(metadata) : StatusReply.error(unwrap(error))));
    }

    /**
     * Declares attributes (see {@link WriteAdmission#declare}); the change travels the write
     * queues like a write without operations, so it is ordered with the writes around it and
     * made durable by the manifest its commit publishes.
     */
    private Behavior<Command> onUpdateSchema(UpdateSchema m) {
        if (stopping) {
            m.replyTo().tell(StatusReply.error(new NamespaceException.Unavailable("namespace " + namespace + " is stopping")));
            return Behaviors.same();
        }
        if (awaitingIds(m)) {
            return Behaviors.same();
        }
        if (!exists && admitting.isEmpty() && queued.isEmpty() && inFlight == null) {
            m.replyTo().tell(StatusReply.error(new NamespaceException.NotFound("namespace " + namespace + " not found")));
            return Behaviors.same();
        }
        Schema next;
        try {
            next = WriteAdmission.declare(schema, m.attributes());
        } catch (NamespaceException e) {
            m.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        boolean changed = !next.equals(schema);
        schema = next;
        admitting.add(new Pending(m, List.of(), null, changed, next));
        drain();
        return Behaviors.same();
    }

    /**
     * Deletes the namespace after the writes that arrived before it are committed; commands that
     * arrive meanwhile are stashed and served afterwards by a fresh load, so a later write
     * recreates the namespace from nothing and a later query finds none.
     */
    private Behavior<Command> onDeleteNamespace(DeleteNamespace m) {
        if (deleteRepliesOrNull == null) {
            deleteRepliesOrNull = new ArrayList<>();
        }
        deleteRepliesOrNull.add(m.replyTo());
        maybeStartDeletion();
        return deleting();
    }

    /** While a deletion waits or runs: internal results are handled, every request waits. */
    private Behavior<Command> deleting() {
        return Behaviors.receive(Command.class)
                .onMessage(BasesLoaded.class, this::onBasesLoaded)
                .onMessage(Evaluated.class, this::onEvaluated)
                .onMessage(TimesLoaded.class, m -> Behaviors.same())
                .onMessage(Committed.class, this::onCommitted)
                .onMessage(CommitDue.class, this::onCommitDue)
                .onMessage(Built.class, this::onBuilt)
                .onMessage(Published.class, this::onPublished)
                .onMessage(Swept.class, this::onSwept)
                .onMessage(Deleted.class, this::onDeleted)
                .onMessage(DeleteNamespace.class, m -> {
                    deleteRepliesOrNull.add(m.replyTo());
                    return Behaviors.same();
                })
                .onMessage(Stop.class, m -> {
                    stopping = true;
                    return Behaviors.same();
                })
                .onMessage(Idle.class, m -> Behaviors.same())
                .onMessage(Quiet.class, m -> Behaviors.same())
                .onMessage(SweepDue.class, m -> Behaviors.same())
                .onMessage(Loaded.class, m -> Behaviors.same())
                .onMessage(LoadFailed.class, m -> Behaviors.same())
                .onMessage(IdsLoaded.class, m -> {
                    // The writes that waited for them wait for the deletion now.
                    if (m.generation() == generation) {
                        idsLoading = false;
                    }
                    return Behaviors.same();
                })
                .onAnyMessage(this::stashOrReject)
                .onSignal(PostStop.class, this::onPostStop)
                .build();
    }

    /** Starts deleting once nothing is pending: no write queued or in flight, no job running. */
    private void maybeStartDeletion() {
        if (deleteRepliesOrNull == null || deletionStarted || !admitting.isEmpty() || !queued.isEmpty()
                || inFlight != null || publishing || job != Job.NONE) {
            return;
        }
        deletionStarted = true;
        ready = null;
        // Results of anything started before are dropped from here on.
        long gen = ++generation;
        timers.cancelAll();
        // After the manifest copies in flight: one landing later would bring the namespace back.
        context.pipeToSelf(manifests.copiesWritten()
                        .thenCompose(ignored -> NamespaceDeletion.delete(resources.store(), layout)),
                (done, error) -> new Deleted(gen, error == null ? null : unwrap(error)));
    }

    private Behavior<Command> onDeleted(Deleted m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        List<ActorRef<StatusReply<org.apache.pekko.Done>>> replies = deleteRepliesOrNull;
        deleteRepliesOrNull = null;
        if (m.errorOrNull() != null) {
            context.getLog().warn("namespace {}: deletion failed; the next load finishes it", namespace, m.errorOrNull());
            NamespaceException.Unavailable error = new NamespaceException.Unavailable("deleting namespace " + namespace
                    + " failed: " + m.errorOrNull().getMessage() + "; retry");
            replies.forEach(r -> r.tell(StatusReply.error(error)));
        } else {
            context.getLog().info("namespace {} deleted", namespace);
            replies.forEach(r -> r.tell(StatusReply.success(org.apache.pekko.Done.getInstance())));
        }
        if (stopping) {
            return stopNow("the namespace is moving to another node");
        }
        // Load again (an empty namespace, or what a failed deletion left) and serve what waited.
        return hydrate();
    }

    private Behavior<Command> onTimesLoaded(TimesLoaded m) {
        if (m.generation() == generation && m.times() != null) {
            loadedTimes = m.times();
            if (createdAt == null) {
                createdAt = loadedTimes.createdAtOrNull();
                // Recorded by the next manifest this entity publishes, whatever publishes it.
                manifest = manifest.withCreatedAt(createdAt);
            }
        }
        return Behaviors.same();
    }

    // ---- queries: slots, consistency, execution

    private Behavior<Command> onQuery(Query q) {
        QueryRequest r = q.request();
        return acquire(q, !r.aggregateBy().isEmpty() ? 4 : r.exact() ? 2 : 1, !r.eventual());
    }

    private Behavior<Command> onMultiQuery(MultiQuery m) {
        if (m.requests().isEmpty() || m.requests().size() > MAX_MULTI_QUERY) {
            m.replyTo().tell(StatusReply.error(new NamespaceException.BadRequest("a multi-query holds 1 to "
                    + MAX_MULTI_QUERY + " queries, got " + m.requests().size())));
            return Behaviors.same();
        }
        // Each query counts: the multi-query takes the sum of its queries' slots (capped at the
        // limit) at once and holds them until its last query finishes; one check serves all.
        int slots = m.requests().stream().mapToInt(r -> !r.aggregateBy().isEmpty() ? 4 : r.exact() ? 2 : 1).sum();
        return acquire(m, slots, m.requests().stream().anyMatch(r -> !r.eventual()));
    }

    private Behavior<Command> onRecall(Recall r) {
        // Many query pairs, run one after another: as heavy as an aggregation. The recall of the
        // state as of arrival is all a debug measurement needs: no consistency check.
        return acquire(r, 4, false);
    }

    /** A plan of the current snapshot: nothing runs, so no slot and no consistency check. */
    private Behavior<Command> onExplain(Explain e) {
        QueryExecution.explain(snapshot, e.request(), resources.compute()).whenComplete((plan, error) ->
                e.replyTo().tell(error == null ? StatusReply.success(plan) : StatusReply.error(unwrap(error))));
        return Behaviors.same();
    }

    /** Takes slots for a query, or queues it (FIFO) until slots free up or its wait times out. */
    private Behavior<Command> acquire(Command command, int slots, boolean strong) {
        int limit = resources.settings().maxConcurrentQueries();
        Work work = new Work(++workIds, command, Math.min(slots, limit), strong);
        if (slotQueue.isEmpty() && querySlots + work.slots() <= limit) {
            querySlots += work.slots();
            return proceed(work);
        }
        if (resources.settings().queryQueueTimeout().isZero()) {
            resources.metrics().queryRejected();
            reject(command, tooManyQueries());
            return Behaviors.same();
        }
        slotQueue.add(work);
        timers.startSingleTimer(work, new SlotTimeout(work.id()), resources.settings().queryQueueTimeout());
        return Behaviors.same();
    }

    private NamespaceException.TooManyRequests tooManyQueries() {
        return new NamespaceException.TooManyRequests("namespace " + namespace + " has " + querySlots
                + " query slots in use (limit " + resources.settings().maxConcurrentQueries()
                + "); retry later");
    }

    private Behavior<Command> onSlotsFreed(SlotsFreed m) {
        querySlots -= m.slots();
        admitWaiting();
        return Behaviors.same();
    }

    private Behavior<Command> onSlotTimeout(SlotTimeout m) {
        for (Work w : slotQueue) {
            if (w.id() == m.id()) {
                slotQueue.remove(w);
                resources.metrics().queryRejected();
                reject(w.command(), tooManyQueries());
                break;
            }
        }
        admitWaiting();
        return Behaviors.same();
    }

    private void admitWaiting() {
        int limit = resources.settings().maxConcurrentQueries();
        while (!slotQueue.isEmpty() && querySlots + slotQueue.peek().slots() <= limit) {
            Work work = slotQueue.poll();
            timers.cancel(work);
            querySlots += work.slots();
            if (loading) {
                stashWork(work);
            } else {
                proceed(work);
            }
        }
    }

    /** A query holding its slots: answered now (eventual) or after a consistency check (strong). */
    private Behavior<Command> proceed(Work work) {
        if (!work.strong()) {
            send(start(work));
        } else if (checking == null) {
            startCheck(List.of(work));
        } else {
            nextCheck.add(work);
        }
        return Behaviors.same();
    }

    /**
     * Issues the one HEAD that decides whether the current snapshot is current enough for the
     * works, and starts their answers against that snapshot meanwhile. It relies on WAL entry
     * {@code nextSequence} existing when another owner has written; an entry that owner already
     * indexed and swept (after the garbage grace) would go unseen, as it would by this owner's
     * next create.
     */
    private void startCheck(List<Work> works) {
        long gen = generation;
        long probe = nextSequence;
        // The HEAD goes out first: the answers' first reads then never delay it.
        context.pipeToSelf(resources.store().head(wal.key(probe)), (info, error) ->
                new Checked(gen, probe, error == null && info.isPresent(), error == null ? null : unwrap(error)));
        // Started after this point, each answer reads a snapshot whose next WAL sequence is the
        // probe: if the HEAD finds no such entry, no write is missing from it that was
        // acknowledged before the HEAD went out, hence before the query arrived.
        checking = new ArrayList<>(works.size());
        works.forEach(w -> checking.add(start(w)));
    }

    private Behavior<Command> onChecked(Checked m) {
        if (m.generation() != generation || checking == null) {
            return Behaviors.same();
        }
        List<Answer> answers = checking;
        checking = null;
        // Unless the check is clean, the answers are dropped (their reads and scoring finish
        // unseen) and the queries are run again after another check.
        List<Work> works = answers.stream().map(Answer::work).toList();
        if (m.errorOrNull() != null) {
            // Consistency over availability, as turbopuffer: a strong query that cannot confirm
            // it sees the newest write fails retryably.
            NamespaceException.Unavailable error = new NamespaceException.Unavailable("cannot check namespace "
                    + namespace + " for newer writes: " + m.errorOrNull().getMessage());
            answers.forEach(a -> abandon(a, error));
        } else if (!m.exists()) {
            answers.forEach(this::send);
        } else if (m.probe() < nextSequence) {
            // This owner committed the probed entry since: inconclusive, check again.
            nextCheck.addAll(works);
        } else if (inFlight != null) {
            // The key is this owner's own create in flight, or another owner's (then the create
            // fails and fences): its outcome decides.
            afterCommit.addAll(works);
        } else {
            nextCheck.addAll(works);
            context.getLog().info("namespace {}: WAL entry {} was written by another owner; reloading",
                    namespace, m.probe());
            return fence("namespace " + namespace + " has another owner (WAL entry " + m.probe() + " exists); reloading");
        }
        if (!nextCheck.isEmpty()) {
            List<Work> next = List.copyOf(nextCheck);
            nextCheck.clear();
            startCheck(next);
        }
        return Behaviors.same();
    }

    /** Stops, failing the queries still waiting for slots or a check (running ones reply themselves). */
    private Behavior<Command> stoppedAfterQueries() {
        NamespaceException.Unavailable error = new NamespaceException.Unavailable("namespace " + namespace
                + " is moving to another node");
        rejectQueries(error);
        stash.forEach(c -> reject(c, error)); // writes that waited for ids
        return Behaviors.stopped();
    }

    /** After this owner's WAL create succeeded: queries that waited on it are checked again. */
    private void recheckAfterCommit() {
        if (afterCommit.isEmpty()) {
            return;
        }
        List<Work> works = List.copyOf(afterCommit);
        afterCommit.clear();
        if (checking == null) {
            startCheck(works);
        } else {
            nextCheck.addAll(works);
        }
    }

    /** On a reload: queries waiting for a check keep their slots and are checked (and run) again after it. */
    private void stashChecks() {
        List<Work> works = new ArrayList<>();
        if (checking != null) {
            checking.forEach(a -> works.add(a.work()));
            checking = null;
        }
        works.addAll(afterCommit);
        works.addAll(nextCheck);
        afterCommit.clear();
        nextCheck.clear();
        works.forEach(this::stashWork);
    }

    private void stashWork(Work work) {
        if (stash.isFull()) {
            fail(work, new NamespaceException.Unavailable("namespace " + namespace
                    + " is loading; too many waiting requests"));
        } else {
            stash.stash(work);
        }
    }

    /** Fails every query not yet running (waiting for slots or a check): the entity is stopping. */
    private void rejectQueries(NamespaceException error) {
        slotQueue.forEach(w -> {
            timers.cancel(w);
            reject(w.command(), error);
        });
        slotQueue.clear();
        List<Work> works = new ArrayList<>(afterCommit);
        works.addAll(nextCheck);
        if (checking != null) {
            checking.forEach(a -> works.add(a.work()));
            checking = null;
        }
        afterCommit.clear();
        nextCheck.clear();
        works.forEach(w -> fail(w, error));
    }

    private void fail(Work work, NamespaceException error) {
        reject(work.command(), error);
        context.getSelf().tell(new SlotsFreed(work.slots()));
    }

    /** Fails a query whose answer is still computing: its slots come back when that stops. */
    private void abandon(Answer answer, NamespaceException error) {
        reject(answer.work().command(), error);
        context.pipeToSelf(answer.result(), (ignored, e) -> new SlotsFreed(answer.work().slots()));
    }

    /** Starts computing a query's answer against the current snapshot; nothing is sent yet. */
    private Answer start(Work work) {
        Snapshot s = snapshot;
        Executor compute = resources.compute();
        CompletableFuture<?> result;
        if (work.command() instanceof Query q) {
            result = timed(QueryExecution.run(s, q.request(), compute));
        } else if (work.command() instanceof MultiQuery m) {
            // One snapshot for all, results in request order.
            List<CompletableFuture<Ran>> parts = m.requests().stream()
                    .map(r -> timed(QueryExecution.run(s, r, compute))).toList();
            result = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> parts.stream().map(CompletableFuture::join).toList());
        } else if (work.command() instanceof Recall r) {
            result = RecallExecution.run(s, r.request(), compute);
        } else {
            throw new IllegalStateException("not a query: " + work.command());
        }
        return new Answer(work, result);
    }

    /** A query's result with its running time, from now until it completes. */
    private static CompletableFuture<Ran> timed(CompletableFuture<QueryResult> running) {
        long start = System.nanoTime();
        return running.thenApply(result -> new Ran(result, System.nanoTime() - start));
    }

    /** Sends an answer once it is computed; the query's slots come back then. */
    @SuppressWarnings("unchecked")
    private void send(Answer answer) {
        Command command = answer.work().command();
        // Taken here, on the actor: the callback below runs on whatever thread completes the answer.
        NamespaceMetrics metrics = resources.metrics();
        Logger log = context.getLog();
        answer.result().whenComplete((value, errorOrNull) -> {
            Throwable error = errorOrNull == null ? null : queryError(errorOrNull);
            if (command instanceof Query q) {
                Ran ran = (Ran) value;
                measured(metrics, log, q.request(), ran);
                q.replyTo().tell(reply(ran == null ? null : ran.result(), error));
            } else if (command instanceof MultiQuery m) {
                List<Ran> ran = (List<Ran>) value;
                for (int i = 0; ran != null && i < ran.size(); i++) {
                    measured(metrics, log, m.requests().get(i), ran.get(i));
                }
                m.replyTo().tell(reply(ran == null ? null : ran.stream().map(Ran::result).toList(), error));
            } else if (command instanceof Recall r) {
                r.replyTo().tell(reply((NamespaceProtocol.RecallResult) value, error));
            }
        });
        context.pipeToSelf(answer.result(), (ignored, error) -> new SlotsFreed(answer.work().slots()));
    }

    /**
     * A query's failure as its caller should see it. Compaction replaces segments, and their
     * objects are swept once the grace period has passed, possibly under a query still reading an
     * older snapshot: an object missing that the current snapshot no longer references means the
     * query is worth repeating, not that data is lost. Runs off the actor, reading only the
     * volatile snapshot.
     */
    private Throwable queryError(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof ObjectNotFoundException missing
                && snapshot.segments().stream().noneMatch(v -> v.entry().key().equals(missing.key()))) {
            return new NamespaceException.Unavailable("namespace " + namespace + ": " + missing.key()
                    + " was swept after a newer manifest replaced it, while the query read it; retry");
        }
        return e;
    }

    /**
     * Reports a successful query's running time, before its answer is sent (so the answer's
     * recipient sees it counted). Runs only for answers that are sent: one a check dropped is
     * never counted. A failure inside the metrics is logged and never changes the answer.
     */
    private void measured(NamespaceMetrics metrics, Logger log, QueryRequest request, Ran ranOrNull) {
        if (ranOrNull == null) {
            return;
        }
        try {
            metrics.queryCompleted(NamespaceMetrics.QueryKind.of(request), ranOrNull.result().cacheTemperature(),
                    ranOrNull.nanos());
        } catch (RuntimeException e) {
            log.warn("namespace {}: query metrics failed", namespace, e);
        }
    }

    private static <T> StatusReply<T> reply(T value, Throwable error) {
        return error == null ? StatusReply.success(value) : StatusReply.error(unwrap(error));
    }

    // ---- cache warm-up

    private Behavior<Command> onWarmCache(WarmCache w) {
        // Accepted at once; while loading, the warm-up itself waits in the stash.
        w.replyTo().tell(StatusReply.success(Done.getInstance()));
        if (loading) {
            if (!stash.isFull()) {
                stash.stash(StartWarm.INSTANCE);
            }
            return Behaviors.same();
        }
        return onStartWarm(StartWarm.INSTANCE);
    }

    private Behavior<Command> onStartWarm(StartWarm m) {
        if (warming || segments.isEmpty()) {
            return Behaviors.same();
        }
        warming = true;
        context.pipeToSelf(CacheWarmer.warm(segments, resources.reader()),
                (bytes, error) -> new Warmed(error == null ? bytes : 0, error == null ? null : unwrap(error)));
        return Behaviors.same();
    }

    private Behavior<Command> onWarmed(Warmed m) {
        warming = false;
        if (m.errorOrNull() != null) {
            context.getLog().warn("namespace {}: cache warm-up failed", namespace, m.errorOrNull());
        } else {
            context.getLog().debug("namespace {}: warmed {} bytes", namespace, m.bytes());
        }
        return Behaviors.same();
    }

    private Behavior<Command> onWrite(Write w) {
        if (stopping) {
            w.replyTo().tell(StatusReply.error(new NamespaceException.Unavailable("namespace " + namespace + " is stopping")));
            return Behaviors.same();
        }
        if (awaitingIds(w)) {
            return Behaviors.same();
        }
        NamespaceSettings settings = resources.settings();
        long unindexedOps = tailOps + pendingOps();
        if (!w.request().disableBackpressure()
                && (unindexedOps >= settings.maxUnindexedOps() || tailBytes >= settings.maxUnindexedBytes())) {
            resources.metrics().writeRejected();
            w.replyTo().tell(StatusReply.error(new NamespaceException.TooManyRequests("namespace " + namespace
                    + " has " + unindexedOps + " unindexed operations (" + tailBytes + " bytes), over the limit of "
                    + settings.maxUnindexedOps() + " operations or " + settings.maxUnindexedBytes() + " bytes; retry later")));
            return Behaviors.same();
        }
        WriteAdmission.Admitted admitted;
        try {
            admitted = WriteAdmission.admit(w.request(), schema, metric);
        } catch (NamespaceException e) {
            w.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        schema = admitted.schema();
        metric = admitted.metricOrNull();
        admitting.add(new Pending(w, admitted.ops(), admitted.planOrNull(), admitted.declared(), schema));
        drain();
        return Behaviors.same();
    }

    private long pendingOps() {
        long n = 0;
        for (Pending p : admitting) {
            n += p.admitted.size();
        }
        for (Pending p : queued) {
            n += p.admitted.size();
        }
        if (inFlight != null) {
            for (Pending p : inFlight) {
                n += p.admitted.size();
            }
        }
        return n;
    }

    /** Moves resolvable writes from {@code admitting} to {@code queued}, in arrival order, then commits. */
    private void drain() {
        while (!admitting.isEmpty()) {
            Pending head = admitting.peek();
            if (!resolve(head)) {
                break;
            }
            admitting.poll();
            queued.add(head);
        }
        commitIfIdle();
        maybeStartDeletion();
    }

    /**
     * Resolves a write into upserts and deletes (see {@link FilterWrites}), returning false while
     * it waits for documents. A plain write needs only the segment documents its patches apply to
     * (ids neither in the tail, nor earlier in the write, nor live in a segment are dropped); a
     * write with filters or conditions is evaluated off the actor against the current state, which
     * stays put because it is the head of {@code admitting}: every earlier write is in
     * {@code latest}, and every later one waits behind it.
     */
    private boolean resolve(Pending p) {
        if (p.outcome == null && p.planOrNull != null) {
            if (!p.fetching) {
                p.fetching = true;
                evaluate(p);
            }
            return false;
        }
        if (p.outcome == null) {
            // Checked on every attempt, not only the first: while bases are being read, an indexing
            // pass may fold tail documents this write patches into a segment, dropping them from
            // {@code latest}; those must then be read from the segment too, or the patch is lost.
            Map<DocId, Document> have = p.bases == null ? Map.of() : p.bases;
            Map<DocId, SegmentView> wanted = FilterWrites.patchBases(p.admitted, latest, have, segments);
            if (!wanted.isEmpty()) {
                if (!p.fetching) {
                    p.fetching = true;
                    fetchBases(wanted);
                }
                return false;
            }
        }
        if (p.bases == null) {
            p.bases = Map.of();
        }
        if (p.outcome == null) {
            p.outcome = FilterWrites.apply(p.admitted, null, List.of(), List.of(), null,
                    FilterWrites.lookup(latest, segments, p.bases), schema);
        }
        p.resolved = p.outcome.ops();
        p.resolved.forEach(op -> latest.put(op.id(), op));
        return true;
    }

    private void evaluate(Pending p) {
        long gen = generation;
        NamespaceSettings settings = resources.settings();
        FilterWrites.Limits limits = new FilterWrites.Limits(settings.maxDeleteByFilter(), settings.maxPatchByFilter());
        CompletableFuture<FilterWrites.View> view;
        if (p.planOrNull.byFilter()) {
            // Filters need every id's newest operation: replayed off the actor from the immutable
            // tail batches and the (few) resolved pending operations, copied here in order.
            List<WalOp> pendingOps = new ArrayList<>();
            if (inFlight != null) {
                inFlight.forEach(q -> pendingOps.addAll(q.resolved));
            }
            queued.forEach(q -> pendingOps.addAll(q.resolved));
            view = FilterWrites.replay(List.copyOf(tail), pendingOps, segments, schema, resources.compute());
        } else {
            // Conditions need only the rows' own ids: a small copy, taken now.
            view = CompletableFuture.completedFuture(new FilterWrites.View(segments,
                    FilterWrites.restrict(latest, p.admitted), schema));
        }
        context.pipeToSelf(view.thenCompose(v -> FilterWrites.evaluate(v, p.planOrNull, p.admitted, limits,
                        resources.compute())),
                (outcome, error) -> new Evaluated(gen, outcome, error == null ? null : unwrap(error)));
    }

    private Behavior<Command> onEvaluated(Evaluated m) {
        if (m.generation() != generation || admitting.isEmpty()) {
            return Behaviors.same();
        }
        Pending head = admitting.peek();
        if (m.errorOrNull() != null) {
            admitting.poll();
            reject(head.command, m.errorOrNull() instanceof NamespaceException e ? e
                    : new NamespaceException.Unavailable("could not evaluate the write's filters: "
                    + m.errorOrNull().getMessage()));
            if (admitting.isEmpty()) {
                // Nothing was admitted on top of the refused write's schema changes: undo them.
                // (Writes admitted behind it keep them; the next declaring commit may publish them.)
                schema = !queued.isEmpty() ? queued.get(queued.size() - 1).schemaAfter
                        : inFlight != null ? inFlight.get(inFlight.size() - 1).schemaAfter : committedSchema;
            }
        } else {
            head.outcome = m.outcomeOrNull();
        }
        drain();
        return Behaviors.same();
    }

    private void fetchBases(Map<DocId, SegmentView> wanted) {
        long gen = generation;
        Schema current = schema;
        List<CompletableFuture<Document>> docs = new ArrayList<>();
        wanted.forEach((id, view) -> docs.add(SegmentDocuments.document(view, view.liveOrdinal(id), current)));
        CompletableFuture<Map<DocId, Document>> all = CompletableFuture.allOf(docs.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    Map<DocId, Document> out = new HashMap<>();
                    docs.forEach(d -> out.put(d.join().id(), d.join()));
                    return out;
                });
        context.pipeToSelf(all, (bases, error) -> new BasesLoaded(gen, bases, error == null ? null : unwrap(error)));
    }

    private Behavior<Command> onBasesLoaded(BasesLoaded m) {
        if (m.generation() != generation || admitting.isEmpty()) {
            return Behaviors.same();
        }
        Pending head = admitting.peek();
        if (m.errorOrNull() != null) {
            admitting.poll();
            reject(head.command, new NamespaceException.Unavailable("could not read documents to patch: "
                    + m.errorOrNull().getMessage()));
        } else {
            Map<DocId, Document> bases = new HashMap<>(head.bases == null ? Map.of() : head.bases);
            bases.putAll(m.bases());
            head.bases = bases;
            head.fetching = false;
        }
        drain();
        return Behaviors.same();
    }

    /**
     * Starts the next WAL object with everything queued, unless one is already in flight or the
     * writers the last commit answered may still join this one: fewer writes have arrived since
     * they were answered than that commit carried, and commit-delay has not passed (a timer then
     * tries again). A lone writer, or a namespace after a load, never waits.
     */
    private void commitIfIdle() {
        // While a build's manifest is being published, writes gather and commit after it: the
        // two never race for the same manifest version.
        if (inFlight != null || queued.isEmpty() || publishing) {
            return;
        }
        long wait = resources.settings().commitDelay().toNanos() - (System.nanoTime() - commitDoneNanos);
        if (wait > 0 && arrivedSinceAnswered() < lastCommitWrites) {
            timers.startSingleTimer(CommitDue.INSTANCE, CommitDue.INSTANCE, java.time.Duration.ofNanos(wait));
            return;
        }
        List<Pending> batch = new ArrayList<>(queued);
        queued.clear();
        List<WalOp> ops = new ArrayList<>();
        batch.forEach(p -> ops.addAll(p.resolved));
        // The schema after the batch: declarations (types without values yet, filterable) live
        // only in manifests, so a batch that declares publishes one before its WAL object, as the
        // first metric does. Inferred types need no manifest: replaying the WAL infers them again.
        Schema after = batch.get(batch.size() - 1).schemaAfter;
        boolean declares = batch.stream().anyMatch(p -> p.declared) && !after.equals(manifest.schema());
        if (ops.isEmpty() && !declares) {
            // Nothing to change (for example only patches of missing ids): nothing to make durable.
            batch.forEach(p -> succeed(p, nextSequence - 1));
            return;
        }
        if (!exists && createdAt == null) {
            createdAt = java.time.Instant.now();
        }
        manifest = manifest.withCreatedAt(createdAt);
        inFlight = batch;
        commitStartNanos = System.nanoTime();
        long gen = generation;
        boolean toWal = !ops.isEmpty();
        long sequence = toWal ? nextSequence : nextSequence - 1;
        Schema encodeWith = schema;
        Manifest publish = declares || (metric != null && manifest.metricOrNull() == null)
                ? manifest.next(after, metric) : null;
        CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> toWal ? encode(encodeWith, ops) : null,
                        resources.compute())
                .thenCompose(bytes -> (publish == null ? CompletableFuture.completedFuture(true)
                        : manifests.create(publish))
                        .thenCompose(published -> !published ? CompletableFuture.completedFuture(-1L)
                                : !toWal ? CompletableFuture.completedFuture(0L)
                                : wal.create(sequence, bytes).thenApply(created -> created ? (long) bytes.length : -1L)));
        context.pipeToSelf(done, (bytes, error) -> new Committed(gen, sequence, toWal, error == null ? bytes : -1,
                publish, error == null ? null : unwrap(error)));
    }

    /** Queued writes that arrived after the last commit's writers were answered. */
    private int arrivedSinceAnswered() {
        int n = 0;
        for (Pending p : queued) {
            if (p.receivedNanos - commitDoneNanos >= 0) {
                n++;
            }
        }
        return n;
    }

    private Behavior<Command> onCommitDue(CommitDue m) {
        commitIfIdle();
        return Behaviors.same();
    }

    private static byte[] encode(Schema schema, List<WalOp> ops) {
        WalWriter writer = new WalWriter(schema);
        ops.forEach(writer::add);
        return writer.finish();
    }

    private Behavior<Command> onCommitted(Committed m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        if (m.errorOrNull() != null || m.bytes() < 0) {
            String reason = m.errorOrNull() != null
                    ? "WAL entry " + m.sequence() + " of namespace " + namespace + " failed: " + m.errorOrNull().getMessage()
                    : "namespace " + namespace + " has another owner (WAL entry " + m.sequence() + " exists); reloading";
            context.getLog().warn("{}", reason);
            return fence(reason);
        }
        List<Pending> batch = inFlight;
        inFlight = null;
        if (m.publishedOrNull() != null) {
            manifest = m.publishedOrNull();
        }
        List<WalOp> ops = new ArrayList<>();
        batch.forEach(p -> ops.addAll(p.resolved));
        if (m.wal()) {
            resources.metrics().walCommitted(batch.size(), m.bytes(), System.nanoTime() - commitStartNanos);
            tail.add(new TailBatch(m.sequence(), ops, m.bytes()));
            tailOps += ops.size();
            setTailBytes(tailBytes + m.bytes());
            nextSequence = m.sequence() + 1;
        }
        exists = true;
        lastWriteAt = java.time.Instant.now();
        lastCommitNanos = System.nanoTime();
        committedSchema = batch.get(batch.size() - 1).schemaAfter;
        Set<DocId> ids = new HashSet<>();
        ops.forEach(op -> ids.add(op.id()));
        segments = segments.stream().map(v -> v.exclude(ids)).toList();
        refreshSnapshot();
        // The snapshot holds the batch before anyone hears of it: a query sent after an
        // acknowledgement sees the write.
        batch.forEach(p -> succeed(p, m.sequence()));
        commitDoneNanos = System.nanoTime();
        lastCommitWrites = batch.size();
        if (stopping && admitting.isEmpty() && queued.isEmpty() && deleteRepliesOrNull == null) {
            return stoppedAfterQueries();
        }
        timers.startSingleTimer(Quiet.INSTANCE, Quiet.INSTANCE, resources.settings().indexAfterQuiet());
        recheckAfterCommit();
        publishIfReady();
        commitIfIdle();
        maybeStartJob(false);
        maybeStartDeletion();
        return Behaviors.same();
    }

    /** Acknowledges a committed write or schema update. */
    private void succeed(Pending p, long sequence) {
        if (p.command instanceof Write w) {
            resources.metrics().writeAcknowledged(p.outcome.upserted(), p.outcome.patched(), p.outcome.deleted(),
                    System.nanoTime() - p.receivedNanos);
            w.replyTo().tell(StatusReply.success(p.result(sequence)));
        } else if (p.command instanceof UpdateSchema u) {
            describe(u.replyTo());
        }
    }

    /** Another owner wrote (or a WAL write failed): fail everything pending and reload. */
    private Behavior<Command> fence(String reason) {
        NamespaceException.Unavailable error = new NamespaceException.Unavailable(reason);
        if (inFlight != null) {
            inFlight.forEach(p -> reject(p.command, error));
            inFlight = null;
        }
        queued.forEach(p -> reject(p.command, error));
        queued.clear();
        admitting.forEach(p -> reject(p.command, error));
        admitting.clear();
        if (deleteRepliesOrNull != null) {
            deleteRepliesOrNull.forEach(r -> r.tell(StatusReply.error(error)));
            deleteRepliesOrNull = null;
        }
        if (stopping) {
            rejectQueries(error);
            return Behaviors.stopped();
        }
        return hydrate();
    }

    private Behavior<Command> onIdle(Idle m) {
        if (inFlight != null || !queued.isEmpty() || !admitting.isEmpty() || job != Job.NONE
                || deleteRepliesOrNull != null || idsLoading) {
            return Behaviors.same();
        }
        resources.metrics().passivated();
        if (shardOrNull == null) {
            return Behaviors.stopped();
        }
        shardOrNull.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        return Behaviors.same();
    }

    private Behavior<Command> onStop(Stop m) {
        if (inFlight == null && queued.isEmpty() && admitting.isEmpty() && deleteRepliesOrNull == null) {
            return stoppedAfterQueries();
        }
        // Finish what has started, so no write is left unanswered; new writes are refused.
        stopping = true;
        return Behaviors.same();
    }

    // ---- background jobs: indexing, compaction, garbage

    private Behavior<Command> onQuiet(Quiet m) {
        maybeStartJob(true);
        return Behaviors.same();
    }

    private Behavior<Command> onSweepDue(SweepDue m) {
        sweepWanted = true;
        maybeStartJob(false);
        return Behaviors.same();
    }

    /**
     * Starts the most urgent background job, if none runs: indexing, then compaction, then a sweep.
     *
     * @param quietTimerFired the {@link Quiet} timer fired, which every commit restarts: no write
     *                        for the quiet period, whatever the clock comparison says
     */
    private void maybeStartJob(boolean quietTimerFired) {
        if (job != Job.NONE || stopping || deleteRepliesOrNull != null) {
            return;
        }
        NamespaceSettings settings = resources.settings();
        // Decided now, not when the timer fired: a job the quiet period started (indexing the
        // tail) ends later, and only writes committed since then make the namespace busy again.
        boolean quiet = quietTimerFired || System.nanoTime() - lastCommitNanos >= settings.indexAfterQuiet().toNanos();
        // A namespace with vectors is indexed only once its metric is published (the WAL
        // commit that first sets it publishes it before the WAL object).
        boolean metricKnown = schema.vectorDims() == 0 || manifest.metricOrNull() != null;
        if (!tail.isEmpty() && metricKnown
                && (quiet || tailOps >= settings.indexAfterOps() || tailBytes >= settings.indexAfterBytes())) {
            startIndexing();
        } else if (segments.size() > settings.maxSegments() && mergeFits()) {
            startCompaction("more than " + settings.maxSegments());
        } else if (quiet && tail.isEmpty() && quietMergeWanted() && mergeFits()) {
            startCompaction("quiet");
        } else if (layoutsWanted && inFlight == null) {
            recordLayouts();
        } else if (sweepWanted) {
            startSweep();
        }
    }

    /**
     * Whether merging every segment fits this node's heap ({@link Indexer#mergeFits}); when it
     * does not, the segments stay as they are, and the first refusal is logged.
     */
    private boolean mergeFits() {
        if (Indexer.mergeFits(segments, schema, Runtime.getRuntime().maxMemory())) {
            return true;
        }
        if (!mergeRefusalLogged) {
            mergeRefusalLogged = true;
            context.getLog().warn("namespace {}: not merging its {} segments ({} documents of {} dimensions): "
                            + "a merge holds them in memory, which this node's heap of {} MiB cannot afford",
                    namespace, segments.size(), segments.stream().mapToLong(v -> v.entry().documents()).sum(),
                    schema.vectorDims(), Runtime.getRuntime().maxMemory() >> 20);
        }
        return false;
    }

    /** Whether a quiet period should merge the segments: more than one, and the setting is on. */
    private boolean quietMergeWanted() {
        return resources.settings().mergeWhenQuiet() && segments.size() > 1;
    }

    private Indexer.Context indexerContext() {
        return new Indexer.Context(layout, resources.store(), resources.reader(), resources.indexer(),
                resources.compute(), stats);
    }

    private void startIndexing() {
        job = Job.INDEX;
        long gen = generation;
        long start = buildStarted();
        List<TailBatch> batches = List.copyOf(tail);
        context.getLog().debug("namespace {}: indexing WAL {}..{} ({} operations)", namespace,
                batches.get(0).sequence(), batches.get(batches.size() - 1).sequence(), tailOps);
        context.pipeToSelf(bounded(Indexer.index(indexerContext(), batches, committedSchema, manifest.metricOrNull(),
                        segments)),
                (built, error) -> new Built(gen, Job.INDEX, start, built, error == null ? null : unwrap(error)));
    }

    private void startCompaction(String reason) {
        job = Job.COMPACT;
        long gen = generation;
        long start = buildStarted();
        context.getLog().debug("namespace {}: compacting {} segments ({})", namespace, segments.size(), reason);
        context.pipeToSelf(bounded(Indexer.compact(indexerContext(), segments, manifest.schema(), manifest.metricOrNull())),
                (built, error) -> new Built(gen, Job.COMPACT, start, built, error == null ? null : unwrap(error)));
    }

    /**
     * Publishes the next manifest version with nothing changed but the segment layouts that the
     * loaded one lacked, so that the next cold load of a namespace an older version wrote skips
     * reading segment directories. A job like a build's publication: no WAL create is in flight,
     * and commits wait for it.
     */
    private void recordLayouts() {
        job = Job.LAYOUTS;
        layoutsWanted = false;
        publishing = true;
        Manifest next = manifest.next(manifest.schema(), manifest.metricOrNull());
        long gen = generation;
        context.pipeToSelf(bounded(manifests.create(next)),
                (created, error) -> new Published(gen, Job.LAYOUTS, null, next, error == null && created,
                        error == null ? null : unwrap(error)));
    }

    private void startSweep() {
        job = Job.SWEEP;
        sweepWanted = false;
        long gen = generation;
        NamespaceSettings settings = resources.settings();
        context.pipeToSelf(bounded(Garbage.sweep(layout, resources.store(), resources.indexer(), settings.garbageGrace(),
                        settings.keepManifests(), java.time.Instant.now())),
                (result, error) -> new Swept(gen, result, error == null ? null : unwrap(error)));
    }

    /**
     * A background job's future, failed with a {@link java.util.concurrent.TimeoutException} if it
     * has not completed within {@code strata.namespace.indexing.job-timeout}: a request that never
     * answers must not keep {@link #job} set, which would stop indexing (and passivation) for good.
     * The job's own work may still finish; its outcome is then ignored.
     */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> job) {
        return job.orTimeout(resources.settings().jobTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void scheduleSweep() {
        java.time.Duration grace = resources.settings().garbageGrace();
        if (grace.isZero()) {
            sweepWanted = true;
        } else if (!timers.isTimerActive(SweepDue.INSTANCE)) {
            timers.startSingleTimer(SweepDue.INSTANCE, SweepDue.INSTANCE, grace);
        }
    }

    /** Counts a build as running until its {@link Built} arrives, whatever generation it is of. */
    private long buildStarted() {
        buildsRunning++;
        resources.metrics().indexingBacklogChanged(1);
        return System.nanoTime();
    }

    private void buildFinished(Built m) {
        buildsRunning--;
        resources.metrics().indexingBacklogChanged(-1);
        resources.metrics().indexJobFinished(m.kind() == Job.COMPACT, System.nanoTime() - m.startNanos());
    }

    private Behavior<Command> onBuilt(Built m) {
        buildFinished(m);
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        if (deleteRepliesOrNull != null) {
            // The namespace is being deleted: the build is dropped, its objects go with the rest.
            job = Job.NONE;
            maybeStartDeletion();
            return Behaviors.same();
        }
        if (m.errorOrNull() != null) {
            // Whatever was written is unreferenced garbage; the next commit or quiet period retries.
            context.getLog().warn("namespace {}: {} failed", namespace, m.kind(), m.errorOrNull());
            job = Job.NONE;
            ensureQuietTimer();
            return Behaviors.same();
        }
        ready = m;
        publishIfReady();
        return Behaviors.same();
    }

    /** Publishes a finished build's manifest, unless a WAL create (which may publish one) is in flight. */
    private void publishIfReady() {
        if (ready == null || inFlight != null) {
            return;
        }
        Built b = ready;
        ready = null;
        Indexer.Built built = b.builtOrNull();
        Manifest next = b.kind() == Job.INDEX
                ? manifest.withSegment(committedSchema, built.entry())
                : manifest.compacted(built.entry());
        publishing = true;
        long gen = generation;
        context.pipeToSelf(bounded(manifests.create(next)),
                (created, error) -> new Published(gen, b.kind(), built, next, error == null && created,
                        error == null ? null : unwrap(error)));
    }

    private Behavior<Command> onPublished(Published m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        publishing = false;
        job = Job.NONE;
        if (m.errorOrNull() != null || !m.created()) {
            String reason = m.errorOrNull() != null
                    ? "manifest " + m.manifest().version() + " of namespace " + namespace + " failed: "
                    + m.errorOrNull().getMessage()
                    : "namespace " + namespace + " has another owner (manifest " + m.manifest().version()
                    + " exists); reloading";
            if (m.built() != null) {
                // The segment just written is referenced by no manifest: garbage for a later sweep.
                context.getLog().warn("{}; segment {} is unreferenced", reason, m.built().entry().key());
            } else {
                context.getLog().warn("{}", reason);
            }
            return fence(reason);
        }
        manifest = m.manifest();
        if (m.kind() == Job.LAYOUTS) {
            context.getLog().debug("namespace {}: published manifest {} recording segment layouts", namespace,
                    manifest.version());
            return afterPublication();
        }
        Set<DocId> stillInTail = new HashSet<>();
        if (m.kind() == Job.INDEX) {
            long through = m.built().entry().walLast();
            tail.removeIf(b -> b.sequence() <= through);
            tailOps = tail.stream().mapToLong(b -> b.ops().size()).sum();
            setTailBytes(tail.stream().mapToLong(TailBatch::bytes).sum());
            rebuildLatest();
        }
        tail.forEach(b -> b.ops().forEach(op -> stillInTail.add(op.id())));
        SegmentView fresh = m.built().view().exclude(stillInTail);
        if (m.kind() == Job.INDEX) {
            List<SegmentView> next = new ArrayList<>(segments);
            next.add(fresh);
            segments = List.copyOf(next);
        } else {
            segments = List.of(fresh);
        }
        refreshSnapshot();
        context.getLog().debug("namespace {}: published manifest {} ({}), {} segments, {} tail batches",
                namespace, manifest.version(), m.kind(), segments.size(), tail.size());
        scheduleSweep();
        ensureQuietTimer();
        return afterPublication();
    }

    /** What a finished publication lets proceed: stopping, waiting commits, the next job, a deletion. */
    private Behavior<Command> afterPublication() {
        if (stopping && inFlight == null && admitting.isEmpty() && queued.isEmpty() && deleteRepliesOrNull == null) {
            return stoppedAfterQueries();
        }
        commitIfIdle();
        maybeStartJob(false);
        maybeStartDeletion();
        return Behaviors.same();
    }

    /** {@code latest} again from the tail and the resolved writes not yet committed, in order. */
    private void rebuildLatest() {
        latest.clear();
        tail.forEach(b -> b.ops().forEach(op -> latest.put(op.id(), op)));
        if (inFlight != null) {
            inFlight.forEach(p -> p.resolved.forEach(op -> latest.put(op.id(), op)));
        }
        queued.forEach(p -> p.resolved.forEach(op -> latest.put(op.id(), op)));
    }

    private Behavior<Command> onSwept(Swept m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        job = Job.NONE;
        if (m.errorOrNull() != null) {
            context.getLog().warn("namespace {}: garbage sweep failed", namespace, m.errorOrNull());
        } else {
            Garbage.Result r = m.resultOrNull();
            context.getLog().debug("namespace {}: swept {} manifests, {} WAL entries, {} segment objects{}", namespace,
                    r.manifests(), r.walEntries(), r.segments(), r.deferred() ? "; more later" : "");
            if (r.deferred() && !resources.settings().garbageGrace().isZero()) {
                timers.startSingleTimer(SweepDue.INSTANCE, SweepDue.INSTANCE, resources.settings().garbageGrace());
            }
        }
        ensureQuietTimer();
        maybeStartJob(false);
        maybeStartDeletion();
        return Behaviors.same();
    }

    /** A quiet period that fired while a job ran was lost: start another for a non-empty tail. */
    private void ensureQuietTimer() {
        if (!tail.isEmpty() && !timers.isTimerActive(Quiet.INSTANCE)) {
            timers.startSingleTimer(Quiet.INSTANCE, Quiet.INSTANCE, resources.settings().indexAfterQuiet());
        }
    }

    private void refreshSnapshot() {
        snapshot = new Snapshot(schema, metric, segments, tail, stats, exists);
    }

    private static void reject(Command command, NamespaceException error) {
        if (command instanceof Write w) {
            w.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof Query q) {
            q.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof MultiQuery q) {
            q.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof Explain q) {
            q.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof Recall q) {
            q.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof Work w) {
            reject(w.command(), error);
        } else if (command instanceof UpdateSchema u) {
            u.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof Describe d) {
            d.replyTo().tell(StatusReply.error(error));
        } else if (command instanceof DeleteNamespace d) {
            d.replyTo().tell(StatusReply.error(error));
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
