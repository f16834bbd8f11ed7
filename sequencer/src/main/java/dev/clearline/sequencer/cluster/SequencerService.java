package dev.clearline.sequencer.cluster;

import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.command.StreamWish;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.RulesVersion;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sequencer inside Aeron Cluster: the cluster's log orders the commands, this class hands each
 * to the {@link SequencerState} with the log's timestamp and sends the reply to the gateway session
 * that sent the command, and a state-changing reply also to every session that asked for everyone's
 * replies ({@link StreamWish}: a gateway serving market-data or account subscribers). On a follower
 * or during replay the cluster would drop those sends, so replies never repeat; this class does not
 * even encode them there (the state still builds and remembers each reply, for resends). All state lives in the
 * {@link SequencerState}; this class only adapts, routes, snapshots and restores.
 */
public final class SequencerService implements ClusteredService {
    private static final Logger log = LoggerFactory.getLogger(SequencerService.class);
    /** Snapshot images are written in pieces of this size; the first piece starts with the total length. */
    private static final int CHUNK = 64 * 1024;
    /** How many times the config fingerprint is offered into the log before this term goes without it (once per term). */
    private static final int FINGERPRINT_RETRIES = 2_000;
    /** The largest reply sent (the egress publication's largest message with its 64 MB terms). */
    static final int MAX_REPLY = 1 << 23;

    private final Genesis genesis;
    /** The rules this member applies ({@link RulesVersion}). */
    private final int rules;
    /**
     * Where this member's log began, as far as it knows: "genesis", or "take-up ROOT" when it started from a state taken up
     * from L1; null after a start from a snapshot. Put in the config fingerprint ({@link ConfigFingerprint#withStart}).
     */
    private String logStart;
    /**
     * The rules the log's next commands were applied under when they were first taken: those its snapshot was made
     * with, then those each term's leader names. A command under other rules than this member's stops it.
     */
    private int logRules;
    /** Where {@link #logRules} came from, for the message that stops a member on them. */
    private String logRulesFrom = "the genesis";
    private final int maxReply;
    /** Where the state keeps its command history (a file of the member's directory); null: in the heap (tests). */
    private final java.nio.file.Path historyFile;
    private final java.time.Duration keepHistory;
    private final SignatureVerifier verifier;
    /** Wraps each encoded reply for the offers (no copy). */
    private final UnsafeBuffer egress = new UnsafeBuffer(new byte[0]);
    /** Encodes each reply into one kept buffer: the reply is sent before the next is encoded. */
    private final ReplyCodec.Writer replies = new ReplyCodec.Writer();
    private Egress sender;
    /** Replies encoded so far: the leader's only (tests). */
    private long repliesEncoded;
    /** Each command's bytes, copied out of the log for the decoder. */
    private byte[] scratch = new byte[1024];
    /**
     * Sessions that asked for every client's state-changing replies ({@link StreamWish}). Routing
     * only, not replicated state: built from the log, so a follower or a replay builds the same set.
     */
    private final Set<Long> streaming = new HashSet<>();
    private SequencerState state;
    /**
     * The Merkle tree's thread: the state applies commands that seal no batch to the tree there, so an
     * acknowledgement does not wait for it (same replies and roots; {@code SequencerState.moveTreeToWorker}).
     */
    private final java.util.concurrent.ThreadFactory treeThreads = Thread.ofPlatform().name("sequencer-tree").daemon().factory();
    private Cluster cluster;
    private IdleStrategy idle;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    /** Status requests from other threads, answered on the service thread between commands. */
    private final ConcurrentLinkedQueue<CompletableFuture<MemberStatus>> statusRequests = new ConcurrentLinkedQueue<>();
    /** The trader API's reads, answered from this member's state between log messages instead of through the log. */
    private final LocalReads reads = new LocalReads(System::nanoTime);

    /** Told the posting halt each time the log changes it ({@link #watchPosting}); called on the service thread. */
    private final List<java.util.function.Consumer<String>> postingWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The posting halt as last told to the watchers: null while the leader posts. */
    private volatile String postingHalt;

    /** Told once, with the reason, when this member stops applying the log; it applies nothing after. */
    private final java.util.function.Consumer<ServiceStop> onStop;
    private volatile boolean halted;
    /** Why this member stopped applying the log (null while it applies it). */
    private volatile ServiceStop stoppedBy;

    public SequencerService(Genesis genesis, SignatureVerifier verifier) {
        this(genesis, verifier, why -> { });
    }

    public SequencerService(Genesis genesis, SignatureVerifier verifier, java.util.function.Consumer<ServiceStop> onStop) {
        this(genesis, verifier, onStop, MAX_REPLY);
    }

    /** With {@code maxReply} as the largest reply it sends (tests: the path of a reply too large, without a huge one). */
    SequencerService(Genesis genesis, SignatureVerifier verifier, java.util.function.Consumer<ServiceStop> onStop, int maxReply) {
        this(genesis, verifier, onStop, maxReply, null, LogStorage.FOREVER);
    }

    /**
     * @param historyFile where the state keeps its command history (a member's: a file of its directory); null: in the heap
     * @param keepHistory how much command history, by log time, each snapshot keeps ({@link LogStorage#FOREVER}: all)
     */
    SequencerService(Genesis genesis, SignatureVerifier verifier, java.util.function.Consumer<ServiceStop> onStop, int maxReply,
                     java.nio.file.Path historyFile, java.time.Duration keepHistory) {
        this(genesis, verifier, onStop, maxReply, historyFile, keepHistory, RulesVersion.CURRENT);
    }

    /** @param rules the rules version this member applies ({@link RulesVersion#CURRENT}; another: tests of a member of another build) */
    SequencerService(Genesis genesis, SignatureVerifier verifier, java.util.function.Consumer<ServiceStop> onStop, int maxReply,
                     java.nio.file.Path historyFile, java.time.Duration keepHistory, int rules) {
        this.rules = rules;
        this.logRules = rules;
        this.genesis = genesis;
        this.verifier = verifier;
        this.onStop = stop -> {
            stoppedBy = stop;
            onStop.accept(stop);
        };
        this.maxReply = maxReply;
        this.historyFile = historyFile;
        this.keepHistory = keepHistory;
    }

    /** An empty command history for the state being built (the file's earlier content belongs to no state any more). */
    private dev.clearline.sequencer.state.CommandHistory newHistory() {
        return historyFile == null ? dev.clearline.sequencer.state.CommandHistory.inMemory() : dev.clearline.sequencer.state.CommandHistory.inFile(historyFile);
    }

    /**
     * Every member offers its fingerprint here, at the same log position; Aeron appends only the
     * leader's copy (service messages are deduplicated by their place in the log), so each term's
     * log starts with the leader's settings for every member to check ({@link ConfigFingerprint}).
     */
    @Override
    public void onNewLeadershipTermEvent(long leadershipTermId, long logPosition, long timestamp, long termBaseLogPosition,
                                         int leaderMemberId, int logSessionId, TimeUnit timeUnit, int appVersion) {
        if (halted) return;
        // not a stop by itself: a term in which nothing was taken is harmless under any rules, and a member of other rules
        // that stopped may have been elected before its process ended, leaving such a term in the log; the stop comes
        // with the term's fingerprint or its first command
        logRules = AppVersion.rules(appVersion);
        logRulesFrom = "term " + leadershipTermId + " (from log position " + logPosition + ", led by member " + leaderMemberId + ")";
        byte[] f = ConfigFingerprint.of(cluster.memberId(), genesis, rules).withStart(logStart).encode();
        UnsafeBuffer b = new UnsafeBuffer(f);
        idle.reset();
        for (int i = 0; i < FINGERPRINT_RETRIES; i++) {
            if (cluster.offer(b, 0, f.length) > 0) return;
            idle.idle();
        }
        log.warn("event=config_fingerprint_not_offered term={} reason=back_pressure", leadershipTermId);
    }

    /**
     * Tells {@code watcher} the posting halt now (null: the leader posts) and again each time the log changes it
     * ({@code Command.PostingHalted}, {@code PostingResumed}, or a snapshot loaded with one): only the leader posts,
     * so this is how a follower's trader API learns that nothing it takes would reach L1.
     */
    public synchronized void watchPosting(java.util.function.Consumer<String> watcher) {
        postingWatchers.add(watcher);
        watcher.accept(postingHalt);
    }

    /** Why the leader's poster is halted as this member's log last said ({@code Command.PostingHalted}); null while it posts. */
    public String postingHalt() {
        return postingHalt;
    }

    /** Tells the watchers when the state's posting halt is another than the one they heard (by reference: a new command, a new string). */
    private void publishPosting() {
        if (state.postingHalt() == postingHalt) return;
        synchronized (this) {
            postingHalt = state.postingHalt();
            for (var w : postingWatchers) w.accept(postingHalt);
        }
    }

    /** A fingerprint from the log: the same as ours, or this member stops applying anything. */
    private void checkFingerprint(byte[] bytes) {
        ConfigFingerprint mine = ConfigFingerprint.of(cluster.memberId(), genesis, rules).withStart(logStart);
        java.util.Optional<ConfigFingerprint> theirs = ConfigFingerprint.decode(bytes);
        if (theirs.isPresent() && !java.util.Objects.equals(theirs.get().fields().get("rules"), mine.fields().get("rules"))) {
            // other rules than this member's: said as such, with what to do about it, not as a setting to change
            String named = theirs.get().fields().get("rules");
            if (logRules == rules) logRules = named == null ? RulesVersion.UNVERSIONED : parseRules(named);
            stopOnRules();
            return;
        }
        List<String> diff = theirs.map(t -> t.differencesFrom(mine))
                .orElse(List.of("the fingerprint message is unreadable (a member of another version?)"));
        if (diff.isEmpty()) return;
        halted = true;
        ServiceStop stop = new ServiceStop(ServiceStop.Cause.CONFIG_MISMATCH,
                "this member's settings differ from the cluster's: " + String.join("; ", diff),
                "It applies nothing more. Start it with the same settings as the other members (--chain-id, --rollup, --manifest), "
                + "then wipe its directory (--dir) so it rejoins from the others; if the log's value is the wrong one, "
                + "the member that led with it is misconfigured: stop it and fix its settings instead");
        log.error("event=config_mismatch member={} detail=\"{}\"", cluster.memberId(), stop.finding()); // what to do: the runner says, in its terms
        onStop.accept(stop);
    }

    private static int parseRules(String named) {
        try {
            return Integer.parseInt(named);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The log holds commands taken under other rules than this member's: applied by these, they would give other
     * replies, fills and roots than the ones acknowledged and posted. Stops the member before it applies one.
     */
    private void stopOnRules() {
        halted = true;
        ServiceStop stop = new ServiceStop(ServiceStop.Cause.RULES_MISMATCH, "the log's commands from " + logRulesFrom + " were taken under rules "
                + RulesVersion.describe(logRules) + ", and this member's build applies rules " + RulesVersion.describe(rules)
                + ": applied under these they could give other replies, fills and roots than the ones acknowledged and posted",
                "It applies nothing more. Start it with the build the others run (or that wrote this log). To move a cluster to new"
                + " rules, run the old build, stop it with a snapshot at the end of its log (./clearline sequencer --dir LEADER_DIR --stop),"
                + " then start every member with the new build: it starts from that snapshot (docs/replication.md, \"Upgrading to new rules\")");
        log.error("event=rules_mismatch member={} log_rules={} member_rules={} from=\"{}\"", cluster.memberId(), logRules, rules, logRulesFrom);
        onStop.accept(stop);
    }

    @Override
    public void onStart(Cluster cluster, Image snapshotImage) {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        this.sender = new Egress(cluster.idleStrategy());
        if (snapshotImage == null && historyFile != null && java.nio.file.Files.isRegularFile(takeUpFile(historyFile.getParent()))) {
            startFromTakeUp(takeUpFile(historyFile.getParent()));
            return;
        }
        if (snapshotImage == null) {
            state = new SequencerState(genesis, verifier, newHistory());
            logStart = "genesis";
            state.moveTreeToWorker(treeThreads);
            log.info("event=sequencer_start from=genesis");
            return;
        }
        long began = System.nanoTime(); // for the log line only
        dev.clearline.sequencer.state.CommandHistory history = newHistory();
        byte[] image = new byte[0];
        try {
            image = SnapshotIntake.read(snapshotImage, cluster.idleStrategy(), history);
            state = Snapshot.read(image, genesis, verifier, history);
            logRules = Snapshot.rules(image);
            logRulesFrom = "after the snapshot this member started from (seq " + state.seq() + ")";
        } catch (Snapshot.GenesisMismatch e) {
            history.close();
            halted = true;
            state = new SequencerState(genesis, verifier);
            log.error("event=config_mismatch member={} source=snapshot detail=\"{}\"", cluster.memberId(), e.finding());
            onStop.accept(new ServiceStop(ServiceStop.Cause.CONFIG_MISMATCH, e.finding(), e.advice()));
            return;
        } catch (Snapshot.SnapshotException e) {
            history.close();
            // thrown into Aeron, the service would be gone and the member hung without a word; a state
            // started empty instead would diverge from the log: stop, and say how to start without it
            halted = true;
            state = new SequencerState(genesis, verifier);
            log.error("event=snapshot_unreadable member={} bytes={} detail=\"{}\"", cluster.memberId(), image.length, e.getMessage());
            onStop.accept(new ServiceStop(ServiceStop.Cause.SNAPSHOT_UNREADABLE, "the snapshot it starts from does not load: " + e.getMessage(),
                    "Start it again with --drop-latest-snapshot (and the same --dir) once to set that snapshot aside: it then starts"
                    + " from the snapshot before it, or replays the whole log"));
            return;
        }
        log.info("event=sequencer_start from=snapshot bytes={} history_bytes={} seq={} root={} load_ms={}", image.length, history.size(),
                state.seq(), state.stateRoot(), (System.nanoTime() - began) / 1_000_000);
        state.moveTreeToWorker(treeThreads);
        publishPosting();
    }

    /**
     * Where a member's directory holds the state it took up from L1 ({@code ./clearline take-up}, started with {@code --take-up}):
     * its log begins from that state instead of genesis, so every start without a snapshot of its own loads it again.
     */
    public static java.nio.file.Path takeUpFile(java.nio.file.Path memberDir) {
        return memberDir.resolve("take-up.snapshot");
    }

    /** The log's first state is the one taken up from L1: loaded as a snapshot is, and every member must load the same. */
    private void startFromTakeUp(java.nio.file.Path file) {
        dev.clearline.sequencer.state.CommandHistory history = newHistory();
        try {
            state = Snapshot.readWhole(java.nio.file.Files.readAllBytes(file), genesis, verifier, history);
        } catch (java.io.IOException | Snapshot.SnapshotException | RuntimeException e) {
            history.close();
            halted = true;
            state = new SequencerState(genesis, verifier);
            String why = e instanceof Snapshot.SnapshotException se ? se.getMessage() : e.toString();
            log.error("event=take_up_unreadable member={} file={} detail=\"{}\"", cluster.memberId(), file, why);
            onStop.accept(new ServiceStop(ServiceStop.Cause.SNAPSHOT_UNREADABLE, "the state it took up from L1 (" + file + ") does not load: " + why,
                    "Write it again with ./clearline take-up and start the member with --take-up FILE on an empty --dir"));
            return;
        }
        logRulesFrom = "after the state taken up from L1";
        logStart = "take-up " + state.stateRoot();
        log.info("event=sequencer_start from=take_up batches={} root={}", state.vitals().sealedBatches(), state.stateRoot());
        state.moveTreeToWorker(treeThreads);
        publishPosting();
    }

    @Override
    public void onSessionOpen(ClientSession session, long timestamp) {
        log.debug("event=gateway_connected session={}", session.id());
    }

    @Override
    public void onSessionClose(ClientSession session, long timestamp, CloseReason closeReason) {
        log.debug("event=gateway_disconnected session={} reason={}", session.id(), closeReason);
        streaming.remove(session.id());
        sender.forget(session.id());
    }

    @Override
    public void onSessionMessage(ClientSession session, long timestamp, DirectBuffer buffer, int offset, int length, Header header) {
        if (halted) return;
        // the decoder copies what it keeps, so one array serves every command
        if (scratch.length < length) scratch = new byte[Math.max(length, 2 * scratch.length)];
        byte[] bytes = scratch;
        buffer.getBytes(offset, bytes, 0, length);
        if (session == null && length >= 8 && ConfigFingerprint.isFingerprint(bytes)) {
            checkFingerprint(java.util.Arrays.copyOf(bytes, length));
            return;
        }
        if (logRules != rules) {
            // a snapshot of other rules is a sound start (its state is data); the commands logged after it under those rules are not
            stopOnRules();
            return;
        }
        if (session != null && StreamWish.isWish(bytes, length)) {
            StreamWish.decode(bytes, length).ifPresent(w -> {
                if (w.everyone()) streaming.add(session.id());
                else streaming.remove(session.id());
            });
            return;
        }
        entries.begin(session, timestamp, header);
        CommandCodec.decodeMessage(bytes, 0, length, entries);
    }

    /** Each command of one log message (one alone, or a gateway's batch), applied in order as it is read. */
    private final class Entries implements CommandCodec.Entries {
        private ClientSession session;
        private long timestamp;
        private Header header;

        void begin(ClientSession session, long timestamp, Header header) {
            this.session = session;
            this.timestamp = timestamp;
            this.header = header;
        }

        @Override
        public void command(Command c, byte[] bytes, int offset, int length) {
            if (!halted) applyOne(session, timestamp, header, c, bytes, offset, length);
        }

        @Override
        public void malformed(int index, String reason) {
            // nothing is applied for it: the log holds it, every replica skips it the same way; the rest of a batch goes on
            log.warn("event=malformed_command session={} index={} error=\"{}\"", session == null ? -1 : session.id(), index, reason);
        }
    }

    private final Entries entries = new Entries();

    private void applyOne(ClientSession session, long timestamp, Header header, Command c, byte[] bytes, int offset, int length) {
        Reply r;
        try {
            r = state.apply(c, toMillis(timestamp), bytes, offset, length);
        } catch (RuntimeException e) {
            // thrown back into Aeron, the fragment would be polled again forever and the node would
            // hang without a word; stop visibly instead (see ServiceStop.Cause.APPLY_FAILED)
            halted = true;
            ServiceStop stop = new ServiceStop(ServiceStop.Cause.APPLY_FAILED, "applying the command at log position " + header.position()
                    + " (" + c.getClass().getSimpleName() + ") failed: " + e, "This is a bug: the state machine applies nothing more. Keep"
                    + " this member's directory and log for the report; a restart replays the same log and stops at the same command");
            log.error("event=apply_failed member={} position={} command={}", cluster.memberId(), header.position(),
                    c.getClass().getSimpleName(), e);
            onStop.accept(stop);
            return;
        }
        if (c instanceof Command.PostingHalted || c instanceof Command.PostingResumed) publishPosting();
        // Only the leader's replies reach a gateway: Aeron drops a session offer unless this member's
        // service agent is the leader (it returns MOCKED_OFFER), and cluster.role() reads that same
        // role. So a follower (and a member replaying its log) skips the encoding, the largest part of a
        // reply's cost, under exactly the condition Aeron would drop it anyway; a member elected but
        // not yet told (the role arrives up to a clock tick late) has its sends dropped by Aeron too.
        // The reply itself is built and remembered by the state on every member: a later leader answers
        // a resend from it (sequencer/README.md, "Replies").
        if (cluster.role() != Cluster.Role.LEADER) return;
        int replyLength = replies.write(r);
        repliesEncoded++;
        if (replyLength > maxReply) {
            // acknowledged without its detail rather than not at all: a request left unanswered is resent,
            // answered from the same remembered reply, and never acknowledged, though it was applied
            int full = replyLength;
            replyLength = replies.write(r.withoutDetail(full));
            log.warn("event=reply_too_large bytes={} sent={} session={} seq={}", full, replyLength, session == null ? -1 : session.id(), r.seq());
            if (replyLength > maxReply) return;
        }
        egress.wrap(replies.bytes(), 0, replyLength);
        if (session != null) sender.send(session, egress, replyLength);
        // everyone else's streams carry what changed state, once: no queries, no repeats, no refusals of order
        if (streaming.isEmpty() || c instanceof Command.Query || r.duplicate() || "outOfOrder".equals(r.body().get("type"))) return;
        for (ClientSession s : cluster.clientSessions()) {
            if (s != session && streaming.contains(s.id())) sender.send(s, egress, replyLength);
        }
    }

    private long toMillis(long timestamp) {
        return cluster.timeUnit().toMillis(timestamp);
    }

    /**
     * Sends replies without letting one slow gateway stall the state machine: a reply gets a few
     * tries over about a millisecond (the cluster's idle between them), then that gateway misses it;
     * while a gateway is behind, each reply gets a single try until it takes one again. A missed
     * reply is not lost work: the command is applied and in the log, and the gateway's request stays
     * unanswered until it sends it again (it does when a later reply of its own arrives first, or
     * after a stall), and the service answers the repeat with the first outcome (sequencer/README.md).
     */
    static final class Egress {
        /** Tries for one reply: 10 spins, a yield and parks of 50 to 400 us of the cluster's idle, under a millisecond in all. */
        static final int ATTEMPTS = 16;
        private final IdleStrategy idle;
        /** Sessions that missed their last reply, with how many they missed since they last took one. */
        private final Map<Long, Long> behind = new HashMap<>();

        Egress(IdleStrategy idle) {
            this.idle = idle;
        }

        /** True when the session took the reply; false when it missed it (back pressure) or is gone. */
        boolean send(ClientSession s, DirectBuffer buffer, int length) {
            Long missed = behind.get(s.id());
            int attempts = missed == null ? ATTEMPTS : 1;
            idle.reset();
            for (int i = 0; i < attempts; i++) {
                long r = s.offer(buffer, 0, length);
                if (r > 0) {
                    if (missed != null) {
                        behind.remove(s.id());
                        log.info("event=egress_resumed session={} missed={}", s.id(), missed);
                    }
                    return true;
                }
                if (r == Publication.CLOSED || r == Publication.NOT_CONNECTED || r == Publication.MAX_POSITION_EXCEEDED) return false;
                if (i + 1 < attempts) idle.idle();
            }
            if (missed == null) log.warn("event=egress_dropped session={} reason=back_pressure action=one_try_per_reply_until_it_reads", s.id());
            behind.put(s.id(), missed == null ? 1 : missed + 1);
            return false;
        }

        boolean isBehind(long sessionId) {
            return behind.containsKey(sessionId);
        }

        void forget(long sessionId) {
            behind.remove(sessionId);
        }
    }

    @Override
    public void onTimerEvent(long correlationId, long timestamp) {
        // no timers: time arrives in commands and with every log entry
    }

    /** The last snapshot's size: room the next one starts with. */
    private int lastSnapshotBytes = 1 << 16;

    @Override
    public void onTakeSnapshot(ExclusivePublication publication) {
        if (halted) {
            // the state here is not the log's (empty after a snapshot that did not load, or short of the commands this
            // member refused): as the latest snapshot it would be loaded at the next start and the log before this
            // position skipped. A snapshot that says it holds no state is refused instead, and set aside in one command.
            String why = stoppedBy == null ? "it had stopped applying the log" : stoppedBy.finding();
            byte[] none = Snapshot.noState(why);
            UnsafeBuffer buf = new UnsafeBuffer(new byte[4 + none.length]);
            buf.putInt(0, none.length, java.nio.ByteOrder.BIG_ENDIAN);
            buf.putBytes(4, none);
            offer(publication, buf, buf.capacity(), 0, none.length);
            log.warn("event=snapshot_without_state member={} reason=\"this member stopped applying the log\"", cluster.memberId());
            return;
        }
        long began = System.nanoTime(); // for the log line only: how long the service stood still, which grows with the state
        if (!keepHistory.equals(LogStorage.FOREVER)) {
            // the history older than the window goes first, or every snapshot (and every load of one) would carry every
            // command ever taken; the log's time at this position is every member's, so each drops the same commands
            state.history().dropBefore(toMillis(cluster.time()) - keepHistory.toMillis());
        }
        // written in place and sent from the writer's own array: a state image is large (about 750 bytes per
        // order held), and a copy of it, or a writer growing to it, would need the heap twice over
        dev.clearline.engine.image.ImageWriter frame = Snapshot.frame(state, (int) Math.min(Integer.MAX_VALUE - 16, lastSnapshotBytes * 9L / 8 + 4096), rules);
        long written = System.nanoTime();
        byte[] image = frame.array();
        int length = frame.size();
        lastSnapshotBytes = length;
        UnsafeBuffer buf = new UnsafeBuffer(new byte[Math.min(CHUNK, publication.maxMessageLength() - 4) + 4]);
        buf.putInt(0, length, java.nio.ByteOrder.BIG_ENDIAN);
        int first = Math.min(buf.capacity() - 4, length);
        buf.putBytes(4, image, 0, first);
        offer(publication, buf, 4 + first, 0, length);
        send(publication, buf, image, first, length - first, length);
        // then the command history, streamed from where the state keeps it, in messages of its own
        Snapshot.streamHistory(state.history(), (bytes, offset, n) -> send(publication, buf, bytes, offset, n, -1));
        log.info("event=snapshot_taken bytes={} history_bytes={} history_from_seq={} seq={} root={} write_ms={} send_ms={}", length,
                state.history().size() - state.history().start(), state.history().startCount() + 1, state.seq(), state.stateRoot(),
                (written - began) / 1_000_000, (System.nanoTime() - written) / 1_000_000);
    }

    /** Sends {@code n} bytes of {@code src} from {@code offset} in messages of at most the buffer's size. */
    private void send(ExclusivePublication publication, UnsafeBuffer buf, byte[] src, int offset, int n, long imageLength) {
        for (int done = 0; done < n; ) {
            int piece = Math.min(buf.capacity(), n - done);
            buf.putBytes(0, src, offset + done, piece);
            offer(publication, buf, piece, offset + done, imageLength);
            done += piece;
        }
    }

    /** Offers the first {@code length} bytes of {@code buf} until taken; {@code at}: where in the snapshot they start (for the error). */
    private void offer(ExclusivePublication publication, UnsafeBuffer buf, int length, long at, long imageLength) {
        idle.reset();
        long result;
        while ((result = publication.offer(buf, 0, length)) < 0) {
            // back pressure and admin actions pass; a closed or full publication never will, and
            // spinning on it would leave the member alive but deaf: fail the snapshot instead
            if (result == io.aeron.Publication.CLOSED || result == io.aeron.Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("snapshot publication refused the " + (imageLength < 0 ? "command history" : "image at byte "
                        + at + " of " + imageLength) + " (" + io.aeron.Publication.errorString(result) + ")");
            }
            idle.idle();
        }
    }

    @Override
    public void onRoleChange(Cluster.Role newRole) {
        role = newRole;
        log.info("event=role_change member={} role={} seq={}", cluster.memberId(), newRole, state == null ? 0 : state.seq());
    }

    Cluster.Role role() {
        return role;
    }

    /** Replies this member encoded to send (as leader); read on the service thread or after it stopped. */
    long repliesEncoded() {
        return repliesEncoded;
    }

    /** This member's status, answered on the service thread (so it never reads a state mid-command). */
    CompletableFuture<MemberStatus> status() {
        CompletableFuture<MemberStatus> f = new CompletableFuture<>();
        statusRequests.add(f);
        return f;
    }

    /**
     * {@code query} answered from this member's state once it is at {@code atLeastSeq} or later, on the service thread
     * between log messages, without entering the log ({@link LocalReads}): the reply's bytes, or {@link LocalReads.NotHere}.
     */
    CompletableFuture<byte[]> read(Command.Query query, long atLeastSeq) {
        return reads.ask(query, atLeastSeq);
    }

    @Override
    public int doBackgroundWork(long nowNs) {
        int work = reads.waiting() == 0 ? 0
                : reads.serve(state == null || halted ? -1 : state.seq(), q -> ReplyCodec.encode(state.read(q, cluster.time())), nowNs);
        CompletableFuture<MemberStatus> f;
        while ((f = statusRequests.poll()) != null) {
            work++;
            if (state == null) {
                f.completeExceptionally(new IllegalStateException("the service has not started yet"));
                continue;
            }
            f.complete(new MemberStatus(cluster.memberId(), role, state.seq(), state.stateRoot().toString(), cluster.logPosition(),
                    cluster.clientSessions().size(), state.vitals()));
        }
        return work;
    }

    @Override
    public void onTerminate(Cluster cluster) {
        log.info("event=sequencer_stop seq={}", state == null ? 0 : state.seq());
        reads.close();
        if (state != null) state.close();
    }

    /** Test and operator view: the state this service holds. Read it only on the cluster's thread or after it stopped. */
    SequencerState state() {
        return state;
    }

    static TimeUnit unit() {
        return TimeUnit.MILLISECONDS;
    }
}
