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
import dev.strata.actors.namespace.NamespaceProtocol.Stop;
import dev.strata.actors.namespace.NamespaceProtocol.Write;
import dev.strata.actors.namespace.NamespaceProtocol.WriteResult;
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
import dev.strata.tiering.store.ObjectStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The owner of one namespace: a Cluster Sharding entity that commits its writes to the WAL and
 * answers its queries.
 *
 * <p>Implementation notes. Two behaviours: {@code hydrating} stashes commands while
 * {@link Hydration} loads the bucket; {@code active} serves. A write passes three queues in
 * order: {@code admitting} (schema-checked; its patches wait for their base documents, and
 * the writes behind it wait too, so patches see every earlier write), {@code queued} (resolved
 * to upserts and deletes) and {@code inFlight} (the one WAL object being created). Group
 * commit: while a create-if-absent is in flight, resolved writes gather in {@code queued}; when
 * it completes they all go into the next WAL object. A write is acknowledged, and its operations
 * enter the query snapshot, only after its WAL object exists. A create that finds the key taken
 * means another owner: every pending write fails retryably and the entity hydrates again.
 * Async results carry the {@code generation} they were started in; results of an earlier
 * generation are dropped. Queries run on the compute executor against an immutable
 * {@link Snapshot} and reply directly.
 *
 * <p>Background jobs, at most one at a time ({@code job}): indexing, when the tail passes a
 * size or count threshold or after a quiet period, folds the tail batches through sequence S
 * into a segment on the indexer executor ({@link Indexer}); compaction, when there are too many
 * segments, merges them all into one; a garbage sweep ({@link Garbage}) deletes what no retained
 * manifest needs. A built segment comes back as {@code Built}; the entity then publishes
 * manifest version n+1 with create-if-absent, which is the commit point. Every manifest write
 * is serialized through the entity: a build is published only while no WAL create is in flight
 * (a WAL commit may publish the metric's manifest), and while a publication is in flight new
 * WAL commits wait in {@code queued}. Once published, the tail drops the batches through S, the
 * new segment's documents superseded by the remaining tail are excluded, and the snapshot is
 * swapped; queries never wait on a build and writes keep flowing during one. A lost create means
 * another owner: the entity fences and hydrates again, and the written segment is garbage.
 */
public final class NamespaceEntity {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Namespace");

    private static final int STASH_CAPACITY = 10_000;

    /**
     * What every entity of a node shares: storage, the compute executor for queries, the indexer
     * executor for segment builds (kept apart so builds never delay queries) and the settings.
     */
    public record Resources(ObjectStore store, TieredReader reader, Executor compute, Executor indexer,
                            NamespaceSettings settings) {}

    // Internal messages.
    private record Loaded(long generation, Hydration.Loaded state) implements Command {}

    private record LoadFailed(long generation, Throwable error) implements Command {}

    private record BasesLoaded(long generation, Map<DocId, Document> bases, Throwable errorOrNull) implements Command {}

    /** {@code bytes} is the WAL object's size, or -1 when another owner created the key first. */
    private record Committed(long generation, long sequence, long bytes, Manifest publishedOrNull,
                             Throwable errorOrNull) implements Command {}

    private enum Idle implements Command { INSTANCE }

    /** No write came for the quiet period: index a non-empty tail. */
    private enum Quiet implements Command { INSTANCE }

    /** A garbage sweep is due. */
    private enum SweepDue implements Command { INSTANCE }

    private enum Job { NONE, INDEX, COMPACT, SWEEP }

    /** A background build finished: {@code built} is written and opened but not yet published. */
    private record Built(long generation, Job kind, Indexer.Built builtOrNull, Throwable errorOrNull) implements Command {}

    /** The manifest create of a build finished; {@code created} is false when the version was taken. */
    private record Published(long generation, Job kind, Indexer.Built built, Manifest manifest, boolean created,
                             Throwable errorOrNull) implements Command {}

    private record Swept(long generation, Garbage.Result resultOrNull, Throwable errorOrNull) implements Command {}

    /** One write on its way through the queues. */
    private static final class Pending {
        final Write command;
        final List<WalOp> admitted;
        Map<DocId, Document> bases;
        boolean fetching;
        List<WalOp> resolved;
        int patched;

        Pending(Write command, List<WalOp> admitted) {
            this.command = command;
            this.admitted = admitted;
        }

        WriteResult result(long sequence) {
            int upserts = command.request().upserts().size();
            int deletes = command.request().deletes().size();
            return new WriteResult(sequence, upserts, patched, deletes);
        }
    }

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shardOrNull;
    private final NamespaceName namespace;
    private final Resources resources;
    private final SequencedLog wal;
    private final SequencedLog manifests;
    private final ReadStats stats = new ReadStats();

    private long generation;
    private Manifest manifest;
    private Schema committedSchema;
    private Schema schema;
    private Metric metric;
    private List<SegmentView> segments = List.of();
    private final List<TailBatch> tail = new ArrayList<>();
    private long tailOps;
    private long tailBytes;
    private boolean exists;
    private long nextSequence;
    /** Newest operation per id over the tail and every resolved pending write. */
    private final Map<DocId, WalOp> latest = new HashMap<>();
    private final ArrayDeque<Pending> admitting = new ArrayDeque<>();
    private final List<Pending> queued = new ArrayList<>();
    private List<Pending> inFlight;
    private boolean stopping;
    private Snapshot snapshot;
    private final NamespaceLayout layout;
    private Job job = Job.NONE;
    /** A build waiting for the in-flight WAL create to finish before it is published. */
    private Built ready;
    private boolean publishing;
    private boolean sweepWanted;

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
        this.manifests = new SequencedLog(resources.store(), layout.manifestPrefix());
    }

    /** Registers the entity type with Cluster Sharding on this node; returns the region. */
    public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system, Resources resources) {
        return ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                        ctx -> create(new NamespaceName(ctx.getEntityId()), ctx.getShard(), resources))
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
        // A build of an earlier generation may still run; its result is dropped and what it
        // wrote is garbage.
        job = Job.NONE;
        ready = null;
        publishing = false;
        context.cancelReceiveTimeout();
        context.pipeToSelf(Hydration.load(namespace, resources.store(), resources.reader(), resources.compute(), stats),
                (loaded, error) -> error == null ? new Loaded(gen, loaded) : new LoadFailed(gen, unwrap(error)));
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(LoadFailed.class, this::onLoadFailed)
                .onMessage(Stop.class, m -> stopNow("the namespace is moving to another node"))
                .onMessage(Idle.class, m -> Behaviors.same())
                .onMessage(BasesLoaded.class, m -> Behaviors.same())
                .onMessage(Committed.class, m -> Behaviors.same())
                .onMessage(Built.class, m -> Behaviors.same())
                .onMessage(Published.class, m -> Behaviors.same())
                .onMessage(Swept.class, m -> Behaviors.same())
                .onMessage(Quiet.class, m -> Behaviors.same())
                .onMessage(SweepDue.class, m -> Behaviors.same())
                .onAnyMessage(this::stashOrReject)
                .build();
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
        Hydration.Loaded s = m.state();
        manifest = s.manifest();
        committedSchema = s.schema();
        schema = s.schema();
        metric = s.manifest().metricOrNull();
        segments = s.segments();
        tail.clear();
        tail.addAll(s.tail());
        tailOps = s.tail().stream().mapToLong(b -> b.ops().size()).sum();
        tailBytes = s.tail().stream().mapToLong(TailBatch::bytes).sum();
        latest.clear();
        latest.putAll(s.latest());
        exists = s.exists();
        nextSequence = s.nextSequence();
        refreshSnapshot();
        context.getLog().debug("namespace {} loaded: manifest {}, {} segments, {} tail batches, next WAL {}",
                namespace, manifest.version(), segments.size(), tail.size(), nextSequence);
        context.setReceiveTimeout(resources.settings().passivateAfter(), Idle.INSTANCE);
        if (!tail.isEmpty()) {
            timers.startSingleTimer(Quiet.INSTANCE, Quiet.INSTANCE, resources.settings().indexAfterQuiet());
        }
        if (manifest.version() > 0) {
            // Leftovers of earlier owners (a crash between a manifest and its sweep, say).
            scheduleSweep();
        }
        maybeStartJob(false);
        return stash.unstashAll(active());
    }

    private Behavior<Command> onLoadFailed(LoadFailed m) {
        if (m.generation() != generation) {
            return Behaviors.same();
        }
        context.getLog().error("namespace {} failed to load", namespace, m.error());
        return stopNow("namespace " + namespace + " failed to load: " + m.error().getMessage());
    }

    private Behavior<Command> stopNow(String reason) {
        NamespaceException.Unavailable error = new NamespaceException.Unavailable(reason);
        stash.forEach(c -> reject(c, error));
        return Behaviors.stopped();
    }

    // ---- active

    private Behavior<Command> active() {
        return Behaviors.receive(Command.class)
                .onMessage(Write.class, this::onWrite)
                .onMessage(Query.class, this::onQuery)
                .onMessage(BasesLoaded.class, this::onBasesLoaded)
                .onMessage(Committed.class, this::onCommitted)
                .onMessage(Idle.class, this::onIdle)
                .onMessage(Quiet.class, this::onQuiet)
                .onMessage(SweepDue.class, this::onSweepDue)
                .onMessage(Built.class, this::onBuilt)
                .onMessage(Published.class, this::onPublished)
                .onMessage(Swept.class, this::onSwept)
                .onMessage(Stop.class, this::onStop)
                .onMessage(MultiQuery.class, m -> notYet(m.replyTo(), "multi-query"))
                .onMessage(Explain.class, m -> notYet(m.replyTo(), "explain_query"))
                .onMessage(Describe.class, m -> notYet(m.replyTo(), "metadata"))
                .onMessage(UpdateSchema.class, m -> notYet(m.replyTo(), "schema updates"))
                .onMessage(DeleteNamespace.class, m -> notYet(m.replyTo(), "deleting a namespace"))
                .onMessage(WarmCache.class, m -> notYet(m.replyTo(), "hint_cache_warm"))
                .onMessage(Recall.class, m -> notYet(m.replyTo(), "recall"))
                .onMessage(Loaded.class, m -> Behaviors.same())
                .onMessage(LoadFailed.class, m -> Behaviors.same())
                .build();
    }

    // Placeholders while the protocol's newer commands are being built: a clear error, never a hang.
    private <T> Behavior<Command> notYet(ActorRef<StatusReply<T>> replyTo, String feature) {
        replyTo.tell(StatusReply.error(new NamespaceException.BadRequest(feature + " is not supported yet")));
        return Behaviors.same();
    }

    private Behavior<Command> onQuery(Query q) {
        QueryExecution.run(snapshot, q.request(), resources.compute()).whenComplete((result, error) ->
                q.replyTo().tell(error == null ? StatusReply.success(result) : StatusReply.error(unwrap(error))));
        return Behaviors.same();
    }

    private Behavior<Command> onWrite(Write w) {
        if (stopping) {
            w.replyTo().tell(StatusReply.error(new NamespaceException.Unavailable("namespace " + namespace + " is stopping")));
            return Behaviors.same();
        }
        NamespaceSettings settings = resources.settings();
        long unindexedOps = tailOps + pendingOps();
        if (!w.request().disableBackpressure()
                && (unindexedOps >= settings.maxUnindexedOps() || tailBytes >= settings.maxUnindexedBytes())) {
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
        admitting.add(new Pending(w, admitted.ops()));
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
    }

    /**
     * Turns a write's patches into upserts of whole documents. Patches of ids that are neither in
     * the tail, nor earlier in the write, nor live in a segment are dropped; ids only in a segment
     * need their document read first, which this starts (returning false) unless it is done.
     */
    private boolean resolve(Pending p) {
        // Checked on every attempt, not only the first: while bases are being read, an indexing
        // pass may fold tail documents this write patches into a segment, dropping them from
        // {@code latest}; those must then be read from the segment too, or the patch is lost.
        Map<DocId, Document> have = p.bases == null ? Map.of() : p.bases;
        Map<DocId, SegmentView> wanted = new LinkedHashMap<>();
        Set<DocId> seen = new HashSet<>();
        for (WalOp op : p.admitted) {
            if (op instanceof WalOp.Patch && !seen.contains(op.id()) && !latest.containsKey(op.id())
                    && !have.containsKey(op.id())) {
                SegmentView holder = liveSegment(op.id());
                if (holder != null) {
                    wanted.put(op.id(), holder);
                }
            }
            seen.add(op.id());
        }
        if (!wanted.isEmpty()) {
            if (!p.fetching) {
                p.fetching = true;
                fetchBases(wanted);
            }
            return false;
        }
        if (p.bases == null) {
            p.bases = Map.of();
        }
        Map<DocId, WalOp> overlay = new LinkedHashMap<>();
        List<WalOp> out = new ArrayList<>(p.admitted.size());
        for (WalOp op : p.admitted) {
            WalOp effective = op;
            if (op instanceof WalOp.Patch patch) {
                WalOp base = overlay.containsKey(op.id()) ? overlay.get(op.id()) : latest.get(op.id());
                Document doc = base instanceof WalOp.Upsert u ? u.document()
                        : base == null ? p.bases.get(op.id()) : null;
                if (doc == null) {
                    continue;
                }
                effective = new WalOp.Upsert(Hydration.patched(doc, patch.attributes()));
                p.patched++;
            }
            overlay.put(op.id(), effective);
            out.add(effective);
        }
        latest.putAll(overlay);
        p.resolved = out;
        return true;
    }

    private SegmentView liveSegment(DocId id) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).liveOrdinal(id) >= 0) {
                return segments.get(i);
            }
        }
        return null;
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

    /** Starts the next WAL object with everything queued, unless one is already in flight. */
    private void commitIfIdle() {
        // While a build's manifest is being published, writes gather and commit after it: the
        // two never race for the same manifest version.
        if (inFlight != null || queued.isEmpty() || publishing) {
            return;
        }
        List<Pending> batch = new ArrayList<>(queued);
        queued.clear();
        List<WalOp> ops = new ArrayList<>();
        batch.forEach(p -> ops.addAll(p.resolved));
        if (ops.isEmpty()) {
            // Nothing to change (for example only patches of missing ids): nothing to make durable.
            batch.forEach(p -> p.command.replyTo().tell(StatusReply.success(p.result(nextSequence - 1))));
            return;
        }
        inFlight = batch;
        long gen = generation;
        long sequence = nextSequence;
        Schema encodeWith = schema;
        Manifest publish = metric != null && manifest.metricOrNull() == null ? manifest.next(committedSchema, metric) : null;
        CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> encode(encodeWith, ops), resources.compute())
                .thenCompose(bytes -> (publish == null ? CompletableFuture.completedFuture(true)
                        : manifests.create(publish.version(), ManifestCodec.encode(publish)))
                        .thenCompose(published -> !published ? CompletableFuture.completedFuture(-1L)
                                : wal.create(sequence, bytes).thenApply(created -> created ? (long) bytes.length : -1L)));
        context.pipeToSelf(done, (bytes, error) -> new Committed(gen, sequence, error == null ? bytes : -1, publish,
                error == null ? null : unwrap(error)));
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
        tail.add(new TailBatch(m.sequence(), ops, m.bytes()));
        tailOps += ops.size();
        tailBytes += m.bytes();
        nextSequence = m.sequence() + 1;
        exists = true;
        committedSchema = schema;
        Set<DocId> ids = new HashSet<>();
        ops.forEach(op -> ids.add(op.id()));
        segments = segments.stream().map(v -> v.exclude(ids)).toList();
        refreshSnapshot();
        // The snapshot holds the batch before anyone hears of it: a query sent after an
        // acknowledgement sees the write.
        batch.forEach(p -> p.command.replyTo().tell(StatusReply.success(p.result(m.sequence()))));
        if (stopping && admitting.isEmpty() && queued.isEmpty()) {
            return Behaviors.stopped();
        }
        timers.startSingleTimer(Quiet.INSTANCE, Quiet.INSTANCE, resources.settings().indexAfterQuiet());
        publishIfReady();
        commitIfIdle();
        maybeStartJob(false);
        return Behaviors.same();
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
        if (stopping) {
            return Behaviors.stopped();
        }
        return hydrate();
    }

    private Behavior<Command> onIdle(Idle m) {
        if (inFlight != null || !queued.isEmpty() || !admitting.isEmpty() || job != Job.NONE) {
            return Behaviors.same();
        }
        if (shardOrNull == null) {
            return Behaviors.stopped();
        }
        shardOrNull.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        return Behaviors.same();
    }

    private Behavior<Command> onStop(Stop m) {
        if (inFlight == null && queued.isEmpty() && admitting.isEmpty()) {
            return Behaviors.stopped();
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

    /** Starts the most urgent background job, if none runs: indexing, then compaction, then a sweep. */
    private void maybeStartJob(boolean quiet) {
        if (job != Job.NONE || stopping) {
            return;
        }
        NamespaceSettings settings = resources.settings();
        // A namespace with vectors is indexed only once its metric is published (the WAL
        // commit that first sets it publishes it before the WAL object).
        boolean metricKnown = schema.vectorDims() == 0 || manifest.metricOrNull() != null;
        if (!tail.isEmpty() && metricKnown
                && (quiet || tailOps >= settings.indexAfterOps() || tailBytes >= settings.indexAfterBytes())) {
            startIndexing();
        } else if (segments.size() > settings.maxSegments()) {
            startCompaction();
        } else if (sweepWanted) {
            startSweep();
        }
    }

    private Indexer.Context indexerContext() {
        return new Indexer.Context(layout, resources.store(), resources.reader(), resources.indexer(),
                resources.compute(), stats);
    }

    private void startIndexing() {
        job = Job.INDEX;
        long gen = generation;
        List<TailBatch> batches = List.copyOf(tail);
        context.getLog().debug("namespace {}: indexing WAL {}..{} ({} operations)", namespace,
                batches.get(0).sequence(), batches.get(batches.size() - 1).sequence(), tailOps);
        context.pipeToSelf(Indexer.index(indexerContext(), batches, committedSchema, manifest.metricOrNull(), segments),
                (built, error) -> new Built(gen, Job.INDEX, built, error == null ? null : unwrap(error)));
    }

    private void startCompaction() {
        job = Job.COMPACT;
        long gen = generation;
        context.getLog().debug("namespace {}: compacting {} segments", namespace, segments.size());
        context.pipeToSelf(Indexer.compact(indexerContext(), segments, manifest.schema(), manifest.metricOrNull()),
                (built, error) -> new Built(gen, Job.COMPACT, built, error == null ? null : unwrap(error)));
    }

    private void startSweep() {
        job = Job.SWEEP;
        sweepWanted = false;
        long gen = generation;
        NamespaceSettings settings = resources.settings();
        context.pipeToSelf(Garbage.sweep(layout, resources.store(), resources.indexer(), settings.garbageGrace(),
                        settings.keepManifests(), java.time.Instant.now()),
                (result, error) -> new Swept(gen, result, error == null ? null : unwrap(error)));
    }

    private void scheduleSweep() {
        java.time.Duration grace = resources.settings().garbageGrace();
        if (grace.isZero()) {
            sweepWanted = true;
        } else if (!timers.isTimerActive(SweepDue.INSTANCE)) {
            timers.startSingleTimer(SweepDue.INSTANCE, SweepDue.INSTANCE, grace);
        }
    }

    private Behavior<Command> onBuilt(Built m) {
        if (m.generation() != generation) {
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
        context.pipeToSelf(manifests.create(next.version(), ManifestCodec.encode(next)),
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
            // The segment just written is referenced by no manifest: garbage for a later sweep.
            context.getLog().warn("{}; segment {} is unreferenced", reason, m.built().entry().key());
            return fence(reason);
        }
        manifest = m.manifest();
        Set<DocId> stillInTail = new HashSet<>();
        if (m.kind() == Job.INDEX) {
            long through = m.built().entry().walLast();
            tail.removeIf(b -> b.sequence() <= through);
            tailOps = tail.stream().mapToLong(b -> b.ops().size()).sum();
            tailBytes = tail.stream().mapToLong(TailBatch::bytes).sum();
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
        if (stopping && inFlight == null && admitting.isEmpty() && queued.isEmpty()) {
            return Behaviors.stopped();
        }
        commitIfIdle();
        maybeStartJob(false);
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
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
