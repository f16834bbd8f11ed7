package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.OrderRuns;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.ExchangeEvent;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.tree.store.MemoryNodeStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequencer as a pure state machine: commands in log order go in, one {@link Reply} per
 * command comes out, and the same commands with the same timestamps always give the same replies,
 * fills, batches and state root. It wraps the engine's {@link Exchange} (matching and the mirror
 * state) and a {@link BatchBuilder} (the real Merkle tree and sealed batches); it keeps what the
 * trader API reads ({@link OrderBookView}) and the resend table of every client.
 *
 * <p>A client's state-changing requests are applied only in the order of their numbers
 * ({@code clientSeq}, consecutive from 1; queries are not numbered among them): a number already applied is answered
 * with its first reply, a number after a gap is refused as {@code outOfOrder} with the number
 * expected, so a request lost around a leader change is never overtaken by a later one.
 *
 * <p>No clock, thread, randomness or local setting reaches it: time is the log's timestamp or a
 * {@link Command.TimeTick}; everything else comes from {@link Genesis}. Single-threaded.
 */
public final class SequencerState {
    /**
     * Replies kept per active client for resends whose first answer was lost. A gateway resends
     * only requests it has had no answer for, from the oldest one, so this is the number of its
     * requests that may be in flight at once; a request further back than that is answered as a
     * duplicate whose outcome is not kept (and still never applied twice).
     */
    static final int RESEND_WINDOW = 4096;
    /**
     * A client silent this long (log time) keeps only its last request number, not its replies: a
     * live gateway resends after a 3 s stall or on a new leader, never minutes later.
     */
    static final long IDLE_MILLIS = 10 * 60_000L;
    /**
     * A client silent this long is forgotten altogether (a gateway that restarts takes a new random
     * client id, so old ids are never heard from again); what a forgotten id sends is treated as new.
     */
    static final long FORGET_MILLIS = 7 * 24 * 3_600_000L;
    /**
     * Tree versions kept behind the latest one. Nothing in the sequencer reads an older version (the
     * poster reads a batch's calldata; disputes are answered from the prover's own replay of L1), and
     * a kept version holds every node its successors replaced: with 64 kept, a member at 2,000
     * orders/s held ~520,000 more tree nodes, 52 MB of its 1 GB heap and 1.7M more objects for the
     * collector to trace (class histograms, 2026-11-30).
     */
    private static final int KEEP_TREE_VERSIONS = 1;
    /**
     * Leaves the tree's STF keeps at hand: the hot ones (markets, the global leaf, active traders'
     * balances and positions, recent orders) many times over. Not every leaf ever written: the
     * tree holds those already, and a cache of all of them grew a node's heap by about 400 bytes
     * per order for good. When full it starts over at the next commit, and the leaves read again
     * walk the tree once each (docs: sequencer/README.md, "What an order keeps").
     */
    static final int CACHED_TREE_LEAVES = 1 << 17;

    private final Genesis genesis;
    private final Exchange exchange;
    private final MemoryNodeStore nodes = new MemoryNodeStore();
    private final BatchBuilder batches;
    private final KnownSignatures known;
    private final OrderBookView view;
    /** Clients heard from within {@link #IDLE_MILLIS}, least recently active first. */
    private final LinkedHashMap<Long, ClientWindow> clients = new LinkedHashMap<>();
    /** Clients idle longer: their last request number, least recently active first, until {@link #FORGET_MILLIS}. */
    private final LinkedHashMap<Long, ClientWindow> dormant = new LinkedHashMap<>();
    private final CommandHistory history;
    /** The window put last into {@link #clients} (the most recently active), so a command need not look the map's last entry up. */
    private ClientWindow lastWindow;
    /**
     * Log times before which the walks of {@link #retireIdleClients} would stop at the first entry of
     * their table without retiring or forgetting anything: that entry's activity plus the limit, as the
     * last walk found it, so most commands skip the walks and every walk does exactly what it did when
     * it ran on every command. The first entry's activity only grows while it stays first; anything that
     * may put another entry first (an insertion, a revival, moving the first entry to the end) resets
     * the bound so the next command walks.
     */
    private long retireNotBefore = Long.MIN_VALUE;
    private long forgetNotBefore = Long.MIN_VALUE;
    /** The active table's first entry when the last walk stopped (null: it was empty). */
    private ClientWindow firstActive;
    private long seq;
    private long now;
    private long sealedBatches;
    private BatchHeader lastBatch;
    /**
     * Sealed batches L1 has not finalized, oldest first, the first of index {@link #firstKept}: what
     * the batch poster reads. A final batch is dropped (L1 holds it for good), so memory stays
     * bounded by the challenge window; replay drops the same ones at the same log positions.
     */
    private final java.util.ArrayDeque<Batch> kept = new java.util.ArrayDeque<>();
    private long firstKept;
    /**
     * Why the leader's batch poster stopped for an operator ({@link Command.PostingHalted}), or null while
     * it posts: every member's trader API halts while it is set. Kept in snapshots from format 5.
     */
    private String postingHalt;
    private final L1Finality l1 = new L1Finality();
    /** Open positions by how far the mark must move to liquidate them. */
    private final LiquidationIndex positions = new LiquidationIndex();
    /** Stop orders armed, waiting for their market's mark ({@link StopOrders}). */
    private final StopOrders stops = new StopOrders();
    /** Each trader's dead man's switch: when its open orders all leave unless it moves the deadline first. */
    private final CancelSchedules schedules = new CancelSchedules();
    /** What each open position cost (entry price, realized profit), followed from the fills: the account view shows it. */
    private final PositionCosts costs = new PositionCosts();
    /**
     * The current command's events so far, in order, when it interleaves its own (a stop armed, fired or gone) with the
     * exchange's: those the exchange raised before are folded first ({@link #emit}); scratch, empty between commands.
     */
    private final List<Map<String, Object>> earlyEvents = new ArrayList<>();
    private final List<ExchangeEvent> earlyRaw = new ArrayList<>();
    /** Positions the current command moved whose traders hold armed reduce-only stops: {@link #tidyStops} looks at them. */
    private final java.util.LinkedHashSet<PositionKey> stopPositions = new java.util.LinkedHashSet<>();
    private record PositionKey(Address owner, int market) {}
    /** This command's transitions taken from the exchange so far (liquidation takes them early to re-key positions). */
    private final List<Transition> drained = new ArrayList<>();
    /**
     * Owners whose balance or a position this command's transitions changed, in the order first
     * changed: the reply's {@code accounts}, which tells each subscribed account channel to push
     * the account again (the cluster decides it, so every replica's reply is the same bytes).
     */
    private final java.util.LinkedHashSet<Address> touched = new java.util.LinkedHashSet<>();
    /** Where the batch builder cuts, known without the tree. */
    private final BatchCuts cuts;
    /** Typed reads of the exchange's leaves with their keys remembered (fills read six each). */
    private final LeafReads reads;
    /** Applies the groups of commands that seal nothing to the tree on its own thread; null: on this thread. */
    private TreeWorker tree;
    private long groupsOnWorker;

    /** @param verifier recovers signers the gateway did not already vouch for (oracle prices, the tree's replays) */
    public SequencerState(Genesis genesis, SignatureVerifier verifier) {
        this(genesis, verifier, CommandHistory.inMemory());
    }

    /** A state at genesis that keeps its command history in {@code history} (a cluster member's: a file). */
    public SequencerState(Genesis genesis, SignatureVerifier verifier, CommandHistory history) {
        this(genesis, verifier, new Exchange(genesis.domain(), verifier, genesis.books()), new OrderBookView(), null, null, history, -1);
    }

    /**
     * What a sequencer takes up from L1: the state after L1's last batch (rebuilt from L1 alone: the prover's replay of
     * every posted batch), the traders and markets the replayed transitions named, and where L1's batches stand.
     *
     * @param batches how many batches L1 holds (the next one this state seals is number {@code batches})
     * @param finalized how many of them are final
     * @param tipRoot the state root L1's last batch ends at (the rollup's tip; genesis's when it holds none)
     * @param last the header of L1's last batch, when known (its state summary shows it; null: not known, or no batch)
     * @param postedAt the L1 time each batch not yet final was posted at, from batch {@code finalized} on
     * @param withdrawalCounts the state's withdrawal count ({@code nextWithdrawalId}) where batch {@code finalized} began,
     *     then after each batch not yet final (one more than {@code postedAt}): which batch numbered each withdrawal, so
     *     the account views show each as posted or final
     * @param challengePeriod the rollup's challenge period, seconds
     * @param fills the fills of the batches not final, in L1's order ({@link FillsOnL1})
     * @param postedHashes digests of the orders L1's batches posted (any superset of the ones with an expiry whose ORDER_HASH
     *     leaf the state still holds): each such leaf is pruned once its market's oracle time passes the expiry, as the
     *     node would have for orders it took itself ({@code Exchange.takeUp}); one not named stays for good
     */
    public record L1Start(List<dev.clearline.engine.stf.LeafStore.Write> leaves, List<Address> traders, List<Integer> markets, long batches,
                          long finalized, Hash32 tipRoot, BatchHeader last, long[] postedAt, long[] withdrawalCounts, long challengePeriod,
                          List<FillsOnL1.Fill> fills, List<Hash32> postedHashes) {
        /** A start whose batches not final made no fills (or whose reader did not collect them: tests of everything else). */
        public L1Start(List<dev.clearline.engine.stf.LeafStore.Write> leaves, List<Address> traders, List<Integer> markets, long batches,
                       long finalized, Hash32 tipRoot, BatchHeader last, long[] postedAt, long[] withdrawalCounts, long challengePeriod) {
            this(leaves, traders, markets, batches, finalized, tipRoot, last, postedAt, withdrawalCounts, challengePeriod, List.of());
        }

        /**
         * A start whose reader named no posted orders: an expiring order's ORDER_HASH leaf from before it then stays for good
         * (tests of everything else).
         */
        public L1Start(List<dev.clearline.engine.stf.LeafStore.Write> leaves, List<Address> traders, List<Integer> markets, long batches,
                       long finalized, Hash32 tipRoot, BatchHeader last, long[] postedAt, long[] withdrawalCounts, long challengePeriod,
                       List<FillsOnL1.Fill> fills) {
            this(leaves, traders, markets, batches, finalized, tipRoot, last, postedAt, withdrawalCounts, challengePeriod, fills, List.of());
        }

        public L1Start {
            fills = List.copyOf(fills);
            postedHashes = List.copyOf(postedHashes);
            long before = finalized;
            for (FillsOnL1.Fill f : fills) {
                if (f.batch() < before || f.batch() >= batches) {
                    throw new IllegalArgumentException("a fill of batch " + f.batch() + " among fills of batches " + finalized + " to " + (batches - 1)
                            + " (the ones not final), in L1's order");
                }
                before = f.batch();
            }
            leaves = List.copyOf(leaves);
            traders = List.copyOf(traders);
            markets = List.copyOf(markets);
            postedAt = postedAt.clone();
            withdrawalCounts = withdrawalCounts.clone();
            if (withdrawalCounts.length != postedAt.length + 1) {
                throw new IllegalArgumentException(withdrawalCounts.length + " withdrawal counts for " + postedAt.length + " batches not final (one more wanted)");
            }
            if (finalized == 0 && withdrawalCounts[0] != 0) throw new IllegalArgumentException("no batch is final, yet " + withdrawalCounts[0] + " withdrawals are");
            for (int i = 0; i < withdrawalCounts.length; i++) {
                if (withdrawalCounts[i] < 0 || i > 0 && withdrawalCounts[i] < withdrawalCounts[i - 1]) {
                    throw new IllegalArgumentException("withdrawal counts must be ascending from 0: " + java.util.Arrays.toString(withdrawalCounts));
                }
            }
            if (finalized < 0 || finalized > batches) throw new IllegalArgumentException(finalized + " final of " + batches + " batches");
            if (last != null && (last.batchIndex() != batches - 1 || !last.postStateRoot().equals(tipRoot))) {
                throw new IllegalArgumentException("the last batch's header must be batch " + (batches - 1) + " ending at " + tipRoot);
            }
            if (postedAt.length != batches - finalized) {
                throw new IllegalArgumentException(postedAt.length + " posting times for " + (batches - finalized) + " batches not final");
            }
        }
    }

    /**
     * A state that takes up where L1 stands instead of where a log left it: for an operator whose own state cannot go on
     * (every member's disk lost, or another proposer's batch on L1 where its own should be). Its tree is L1's state (the
     * root must be the last batch's post-state root), its exchange takes that state up ({@link Exchange#takeUp}: books
     * empty, every trader and position known, so liquidations and deleverages reach them), and the next batch it seals
     * follows L1's last. Nothing of the log before it is kept: no clients, no replies, no order records, no history; seq starts
     * at 0. The account views list the withdrawals L1's state holds ({@link #viewWithdrawals}) and the fills of the batches
     * not final that the reader of L1 collected ({@link FillsOnL1}), at their stage.
     *
     * @throws IllegalArgumentException when the leaves do not give the last batch's post-state root
     */
    public static SequencerState takeUp(Genesis genesis, SignatureVerifier verifier, CommandHistory history, L1Start l1) {
        Exchange exchange = Exchange.takeUp(genesis.domain(), verifier, genesis.books(), l1.leaves(), l1.traders(), l1.markets(), l1.postedHashes());
        SequencerState s = new SequencerState(genesis, verifier, exchange, new OrderBookView(), l1.leaves(), null, history, l1.batches());
        Hash32 root = s.batches.state().root();
        if (!root.equals(l1.tipRoot())) {
            s.close();
            throw new IllegalArgumentException("the leaves give the state root " + root + " but L1's tip ends at " + l1.tipRoot());
        }
        s.sealedBatches = l1.batches();
        s.firstKept = l1.batches();
        s.lastBatch = l1.last();
        s.l1.takeUp(l1.batches(), l1.finalized(), l1.postedAt(), l1.challengePeriod());
        s.viewWithdrawals(l1);
        for (FillsOnL1.Fill f : l1.fills()) s.view.fillOnL1(f);
        for (int market : exchange.markets()) s.view.listMarket(market);
        java.util.LinkedHashSet<Address> owners = new java.util.LinkedHashSet<>(exchange.traders());
        owners.add(Address.INSURANCE_FUND); // its takeovers show in its account view as anyone's positions
        for (Address owner : owners) {
            for (int market : exchange.markets()) {
                var p = s.reads.position(owner, market);
                if (p == null || (p.size() == 0 && p.quote() == 0)) continue;
                s.view.holds(owner, market);
                s.positions.update(owner, market, p, s.reads.market(market));
            }
        }
        return s;
    }

    /**
     * Lists every withdrawal L1's state holds in its recipient's account view, in the batch that numbered it (one already
     * final before batch {@code finalized}: in the last final batch, its own not known), so {@code status} shows a
     * withdrawal posted before the take-up as posted or final, and a final one as claimed or still to claim. Under the
     * recipient: the WITHDRAWAL leaf does not say who signed it (usually the same trader). One leaf read per withdrawal ever
     * numbered, once; each view keeps its recent ones.
     */
    private void viewWithdrawals(L1Start l1) {
        long[] counts = l1.withdrawalCounts();
        long total = nextWithdrawalId();
        if (counts[counts.length - 1] != total) {
            throw new IllegalArgumentException("the withdrawal counts end at " + counts[counts.length - 1] + " but the state numbered " + total);
        }
        int batch = 0;
        for (long id = 0; id < total; id++) {
            var leaf = dev.clearline.engine.stf.StateReads.withdrawal(exchange.state(), id);
            if (leaf == null) continue;
            while (batch < counts.length && id >= counts[batch]) batch++;
            // batch == 0: numbered before the first batch not final; else in batch finalized + batch - 1
            long index = batch == 0 ? l1.finalized() - 1 : l1.finalized() + batch - 1;
            view.withdrawal(leaf.recipient(), id, leaf.recipient(), leaf.amount(), 0);
            view.landed(index);
        }
    }

    /** A state around a given exchange and view; with {@code builderImage}, the batch builder restored from it, its tree rebuilt from {@code treeLeaves}. */
    private SequencerState(Genesis genesis, SignatureVerifier verifier, Exchange exchange, OrderBookView view,
                           List<dev.clearline.engine.stf.LeafStore.Write> treeLeaves, ImageReader builderImage, CommandHistory history,
                           long takeUpAt) {
        this.genesis = genesis;
        this.history = history;
        this.known = new KnownSignatures(verifier, genesis.domain());
        this.exchange = exchange;
        this.view = view;
        view.marketsFrom(id -> dev.clearline.engine.stf.StateReads.market(exchange.state(), id));
        view.booksFrom(exchange::book);
        view.triggersFrom(stops::trigger, stops::trail);
        view.costsFrom(costs);
        Stf stf = new Stf(genesis.domain(), known, known::digest);
        this.batches = takeUpAt >= 0 ? BatchBuilder.takeUp(stf, nodes, genesis.batches(), CACHED_TREE_LEAVES, treeLeaves, takeUpAt)
                : builderImage == null ? new BatchBuilder(stf, nodes, genesis.batches(), CACHED_TREE_LEAVES)
                : BatchBuilder.restore(stf, nodes, genesis.batches(), CACHED_TREE_LEAVES, treeLeaves, builderImage);
        this.cuts = new BatchCuts(genesis.batches());
        this.reads = new LeafReads(exchange.state());
    }

    /** Why the leader's poster stopped for an operator, as the log last said ({@link Command.PostingHalted}); null while it posts. */
    public String postingHalt() {
        return postingHalt;
    }

    /**
     * Writes the whole state (what {@link Snapshot} stores): the exchange (books, accounts, the
     * mirror's leaves), the API's views, the batch builder's open batch, the batches L1 has not
     * finalized, L1's progress, the liquidation index, the batch cut predictor, every client's
     * window with its replies. Loading it replays nothing: the tree is rebuilt from the leaves in
     * one pass and checked against the root. The command history is not in it: {@link Snapshot}
     * streams it after the image, from wherever the state keeps it. Call between commands.
     */
    void writeImage(ImageWriter out) {
        writeImage(out, Snapshot.FORMAT);
    }

    /**
     * As {@link #writeImage(ImageWriter)}, in snapshot {@code format}: 2 with the history at the end, before 5 without
     * the posting halt (tests of old snapshots).
     */
    void writeImage(ImageWriter out, int format) {
        boolean withHistory = format == Snapshot.FORMAT_HISTORY_IN_IMAGE;
        syncTree();
        if (!drained.isEmpty()) throw new IllegalStateException("transitions of a command still being applied");
        LeafImage.write(out, batches, exchange.state());
        exchange.writeImage(out, false);
        view.writeImage(out, format >= Snapshot.FORMAT_TRIMS);
        batches.writeImage(out);
        out.writeLong(seq).writeLong(now).writeLong(sealedBatches).writeLong(firstKept);
        out.writeBoolean(lastBatch != null);
        if (lastBatch != null) writeHeader(out, lastBatch);
        out.writeInt(kept.size());
        for (Batch b : kept) {
            // not its pre-state's tree version: a restored tree numbers its versions anew, and nothing here replays from one
            writeHeader(out, b.header());
            out.writeInt(b.transitions().size());
            for (Transition t : b.transitions()) out.writeBytes(dev.clearline.engine.transition.TransitionCodec.encode(t));
        }
        l1.writeImage(out);
        positions.writeImage(out);
        cuts.writeImage(out);
        writeClients(out, clients);
        writeClients(out, dormant);
        if (format >= Snapshot.FORMAT_POSTING_HALT) {
            out.writeBoolean(postingHalt != null);
            if (postingHalt != null) out.writeBytes(postingHalt.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (format >= Snapshot.FORMAT_STOPS) {
            stops.writeImage(out, format >= Snapshot.FORMAT_TRAILS);
        } else if (stops.size() != 0) {
            throw new IllegalStateException("snapshot format " + format + " has no place for the " + stops.size() + " armed stop(s)");
        }
        if (format >= Snapshot.FORMAT_SCHEDULES) {
            schedules.writeImage(out);
        } else if (!schedules.isEmpty()) {
            throw new IllegalStateException("snapshot format " + format + " has no place for a cancel-all-after switch");
        }
        if (format >= Snapshot.FORMAT_COSTS) costs.writeImage(out); // an older format drops them: its reader shows entry prices unknown
        if (withHistory) {
            // format 2, for tests of members with old snapshots: it carried the whole history
            if (history.start() != 0) throw new IllegalStateException("format 2 carries the whole history; this one dropped its oldest commands");
            out.writeLong(history.count());
            out.writeBytes(history.encoded());
        }
    }

    /** The state {@link #writeImage} wrote; a damaged image is an {@link dev.clearline.engine.image.ImageFormatException}. */
    static SequencerState readImage(ImageReader in, Genesis genesis, SignatureVerifier verifier, CommandHistory history, int format) {
        boolean historyInImage = format == Snapshot.FORMAT_HISTORY_IN_IMAGE;
        LeafImage.Leaves leaves = LeafImage.read(in);
        Exchange exchange = Exchange.readImage(in, genesis.domain(), verifier, genesis.books(), leaves.mirror());
        OrderBookView view = OrderBookView.readImage(in, format >= Snapshot.FORMAT_TRIMS);
        SequencerState s = new SequencerState(genesis, verifier, exchange, view, leaves.tree(), in, history, -1);
        s.seq = in.readLong();
        s.now = in.readLong();
        s.sealedBatches = in.readLong();
        s.firstKept = in.readLong();
        s.lastBatch = in.readBoolean() ? readHeader(in) : null;
        int kept = in.readCount(1);
        for (int i = 0; i < kept; i++) {
            BatchHeader h = readHeader(in);
            int n = in.readCount(1);
            List<Transition> ts = new ArrayList<>(n);
            for (int j = 0; j < n; j++) ts.add(decodeTransition(in.readBytes()));
            s.kept.addLast(new Batch(h, ts, -1));
        }
        s.l1.readImage(in);
        s.positions.readImage(in);
        s.cuts.readImage(in);
        readClients(in, s.clients);
        readClients(in, s.dormant);
        if (format >= Snapshot.FORMAT_POSTING_HALT && in.readBoolean()) s.postingHalt = new String(in.readBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (format >= Snapshot.FORMAT_STOPS) s.stops.readImage(in, format >= Snapshot.FORMAT_TRAILS);
        if (format >= Snapshot.FORMAT_SCHEDULES) s.schedules.readImage(in);
        if (format >= Snapshot.FORMAT_COSTS) s.costs.readImage(in);
        s.lastWindow = s.clients.isEmpty() ? null : s.clients.lastEntry().getValue();
        if (historyInImage) {
            // format 2: the history inside the image; from format 3 on it follows the image (Snapshot)
            long count = in.readLong();
            byte[] encoded = in.readBytes();
            s.history.appendEncoded(encoded, 0, encoded.length);
            s.history.restored(count);
        }
        return s;
    }

    private static Transition decodeTransition(byte[] bytes) {
        try {
            return dev.clearline.engine.transition.TransitionCodec.decode(bytes);
        } catch (dev.clearline.engine.transition.MalformedTransitionException e) {
            throw new dev.clearline.engine.image.ImageFormatException("a kept batch's transition does not decode: " + e.getMessage());
        }
    }

    private static void writeHeader(ImageWriter out, BatchHeader h) {
        out.writeLong(h.batchIndex()).writeHash(h.prevStateRoot()).writeHash(h.postStateRoot()).writeInt(h.transitionCount())
                .writeHash(h.transitionsRoot()).writeLong(h.priorityOpsConsumed());
    }

    private static BatchHeader readHeader(ImageReader in) {
        return new BatchHeader(in.readLong(), in.readHash(), in.readHash(), in.readInt(), in.readHash(), in.readLong());
    }

    /** A client table in its order (least recently active first), each window with its replies. */
    private static void writeClients(ImageWriter out, LinkedHashMap<Long, ClientWindow> table) {
        out.writeInt(table.size());
        for (var e : table.entrySet()) {
            ClientWindow w = e.getValue();
            out.writeLong(e.getKey()).writeLong(w.lastSeq).writeLong(w.lastActive).writeInt(w.replies.size());
            for (Reply r : w.replies) {
                out.writeLong(r.seq()).writeLong(r.clientId()).writeLong(r.clientSeq()).writeLong(r.time()).writeBoolean(r.duplicate());
                ValueImage.write(out, r.body());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void readClients(ImageReader in, LinkedHashMap<Long, ClientWindow> table) {
        int n = in.readCount(1);
        for (int i = 0; i < n; i++) {
            long id = in.readLong();
            ClientWindow w = new ClientWindow();
            w.lastSeq = in.readLong();
            w.lastActive = in.readLong();
            int replies = in.readCount(1);
            for (int j = 0; j < replies; j++) {
                long seq = in.readLong(), clientId = in.readLong(), clientSeq = in.readLong(), time = in.readLong();
                boolean duplicate = in.readBoolean();
                Object body = ValueImage.read(in);
                if (!(body instanceof Map<?, ?> m)) throw new dev.clearline.engine.image.ImageFormatException("a kept reply's body is not a map");
                w.replies.addLast(new Reply(seq, clientId, clientSeq, time, duplicate, (Map<String, Object>) m));
            }
            table.put(id, w);
        }
    }

    /**
     * From now on, applies to the Merkle tree, on a thread from {@code threads}, the transitions of
     * every command that seals no batch, so the acknowledgement waits only for matching and the
     * exchange mirror's verdict. Replies, batches and roots stay exactly those of the run on one
     * thread ({@link TreeWorker}). Call {@link #close()} when done with the state.
     */
    public void moveTreeToWorker(java.util.concurrent.ThreadFactory threads) {
        moveTreeToWorker(threads, TreeWorker.SETTLE_AFTER);
    }

    /** As {@link #moveTreeToWorker(java.util.concurrent.ThreadFactory)}, the worker settling after {@code settleAfter} transitions (tests). */
    void moveTreeToWorker(java.util.concurrent.ThreadFactory threads, int settleAfter) {
        if (tree == null) tree = new TreeWorker(batches, threads, settleAfter);
    }

    /** The tree worker's thread, or null when the tree runs on the caller's thread (measurements). */
    public Thread treeThread() {
        return tree == null ? null : tree.thread();
    }

    /** Stops the tree worker, if any, after the work queued so far. */
    public void close() {
        if (tree != null) {
            tree.sync();
            tree.close();
        }
        history.close();
    }

    /** Waits until the tree holds every command applied so far (no-op without a worker). */
    private void syncTree() {
        if (tree != null) tree.sync();
    }

    public Genesis genesis() {
        return genesis;
    }

    /** State-changing commands applied so far: the seq of the last acknowledgement. */
    public long seq() {
        return seq;
    }

    public Hash32 stateRoot() {
        syncTree();
        return batches.state().root();
    }

    /** The ACCOUNT query's answer with {@code page} of the trader's open orders from the {@code from}-th on. */
    Map<String, Object> account(Address trader, long from, int page) {
        Map<String, Object> m = view.account(trader, exchange.state(), l1, Math.max(0, from), page);
        Long deadline = schedules.deadline(trader);
        if (deadline != null) m.put("cancelAllAt", deadline);
        return m;
    }

    /** Every state-changing command so far with its log timestamp: what the HISTORY audit query answers. */
    public CommandHistory history() {
        return history;
    }

    /**
     * {@code q} answered from the state as it stands, outside the log (a member's local read, between commands): the
     * reply a query at this point of the log would get. Changes nothing any command or later reply depends on, as a
     * query in the log does not.
     */
    public Reply read(Command.Query q, long timestampMillis) {
        return answer(q, timestampMillis);
    }

    /** Applies one command taken from the log at {@code timestampMillis}. */
    public Reply apply(Command c, long timestampMillis) {
        return apply(c, timestampMillis, null, 0, 0);
    }

    /**
     * As {@link #apply(Command, long)}, for a command decoded from {@code encoded}: the history keeps
     * those bytes instead of encoding the command again (the codec has one encoding per command,
     * {@code encode(decode(b)) == b}).
     */
    public Reply apply(Command c, long timestampMillis, byte[] encoded, int offset, int length) {
        if (c instanceof Command.Query q) return answer(q, timestampMillis);
        ClientWindow w = clients.get(c.clientId());
        if (w == null && (w = dormant.remove(c.clientId())) != null) {
            clients.put(c.clientId(), w);
            lastWindow = w;
            retireNotBefore = Long.MIN_VALUE;
            forgetNotBefore = Long.MIN_VALUE;
        }
        long expected = w == null ? 1 : w.lastSeq + 1;
        if (c.clientSeq() > expected) {
            // an earlier request of this client never reached the log (lost with a leader): nothing is
            // applied, the client is told which number to send again from; every replica decides alike
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "outOfOrder");
            body.put("expected", expected);
            body.put("error", "request " + c.clientSeq() + " arrived before request " + expected
                    + "; send every request from " + expected + " again, in order");
            return new Reply(seq, c.clientId(), c.clientSeq(), timestampMillis, false, body);
        }
        if (w == null) {
            w = new ClientWindow();
            clients.put(c.clientId(), w);
            lastWindow = w;
            retireNotBefore = Long.MIN_VALUE;
        }
        if (c.clientSeq() <= w.lastSeq) {
            Reply first = w.find(c.clientSeq());
            if (first != null) return first.asDuplicate();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "duplicate");
            body.put("error", "request " + c.clientSeq() + " was already applied and its outcome is older than the last "
                    + RESEND_WINDOW + " replies; query the order instead");
            return new Reply(seq, c.clientId(), c.clientSeq(), timestampMillis, true, body);
        }
        if (encoded == null) history.add(timestampMillis, CommandCodec.encode(c));
        else history.add(timestampMillis, encoded, offset, length);
        now = Math.max(now, timestampMillis / 1000);
        seq++;
        view.openBatch(sealedBatches);
        Map<String, Object> body = new LinkedHashMap<>();
        fireSchedules(); // a deadline this command's time reached goes first: a switch moved by this very command came too late
        switch (c) {
            case Command.Place p -> {
                body.put("type", "place");
                body.put("outcomes", List.of(place(p.order())));
            }
            case Command.PlaceStop p -> {
                body.put("type", "placeStop");
                body.put("outcomes", List.of(arm(p.order(), p.trigger())));
            }
            case Command.Cancel x -> {
                body.put("type", "cancel");
                body.put("outcomes", List.of(cancel(x.cancel())));
            }
            case Command.CancelAllAfter x -> {
                body.put("type", "cancelAllAfter");
                body.put("outcomes", List.of(schedule(x)));
            }
            case Command.Amend a when stops.isArmed(a.replaced().orderHash()) -> {
                body.put("type", "amend");
                body.put("outcomes", List.of(stopVerdict(a.replacement().hash(), "STOP_NOT_AMENDED", "an armed stop is not amended: cancel it and"
                        + " arm another, or wait until it fires")));
            }
            case Command.Amend a -> {
                body.put("type", "amend");
                known.vouch(a.replaced().signature(), a.replaced().owner());
                vouch(a.replacement());
                Reject r = exchange.amend(a.replaced(), a.replacement(), now);
                if (r == null) view.amended(a.replaced().orderHash(), a.replacement(), seq);
                body.put("outcomes", List.of(verdict(a.replacement().hash(), r)));
            }
            case Command.BatchCancel bc -> {
                body.put("type", "batchCancel");
                List<Object> outcomes = new ArrayList<>();
                for (VerifiedCancel v : bc.cancels()) outcomes.add(cancel(v));
                body.put("outcomes", outcomes);
            }
            case Command.L1Op op -> {
                body.put("type", "l1op");
                long withdrawalsBefore = nextWithdrawalId();
                Reject r = exchange.apply(op.op(), now);
                body.put("outcomes", List.of(verdict(null, r)));
                if (r == null && op.op() instanceof Transition.MarketConfig m) view.listMarket(m.marketId());
                // a cancel forced through L1 takes an armed stop off too: the rollup refuses its hash from now on
                if (op.op() instanceof Transition.ForcedCancel fc && stops.isArmed(fc.orderHash())
                        && stops.get(fc.orderHash()).order().order().trader().equals(fc.owner())) {
                    disarm(fc.orderHash(), "FORCED");
                }
                Address owner = switch (op.op()) {
                    case Transition.ForcedWithdrawal f -> f.owner();
                    case Transition.Deposit d -> d.owner(); // a deposit the STF could not credit is paid back as a withdrawal
                    default -> null;
                };
                if (owner != null) recordWithdrawals(owner, withdrawalsBefore);
            }
            case Command.Oracle o -> {
                body.put("type", "oracle");
                Reject r = exchange.apply(o.price(), now);
                body.put("outcomes", List.of(verdict(null, r)));
                if (r == null) {
                    view.markMoved(o.price().marketId()); // its mark-pegged orders moved with the mark
                    // insertion order, not Map.of's: its iteration order changes from one JVM run to the next, and
                    // a replayed or replicated reply must be the same bytes
                    Map<String, Object> mark = new LinkedHashMap<>();
                    mark.put("market", MarketIds.json(o.price().marketId()));
                    mark.put("price", o.price().price());
                    body.put("mark", mark);
                    List<Map<String, Object>> liquidated = liquidate(o.price().marketId());
                    if (!liquidated.isEmpty()) body.put("liquidations", liquidated);
                    fireStops(o.price().marketId());
                }
            }
            case Command.Signed r -> {
                body.put("type", "request");
                long withdrawalsBefore = nextWithdrawalId();
                Reject rej = exchange.apply(r.request());
                Map<String, Object> v = verdict(null, rej);
                if (rej == null && r.request() instanceof Transition.Withdraw wd) {
                    // the STF numbered it: the id a claim on L1 names, once its batch is final
                    v.put("withdrawalId", dev.clearline.engine.stf.StateReads.global(exchange.state()).nextWithdrawalId() - 1);
                    v.put("amount", wd.amount());
                    v.put("recipient", wd.recipient().toString());
                    recordWithdrawals(wd.owner(), withdrawalsBefore);
                }
                // margin moved into a position the trader may never have traded: the account view must show where it went
                if (rej == null && r.request() instanceof Transition.Allocate al) view.holds(al.owner(), al.marketId());
                body.put("outcomes", List.of(v));
            }
            case Command.PostingHalted h -> {
                body.put("type", "postingHalted");
                body.put("why", h.why());
                postingHalt = h.why();
            }
            case Command.PostingResumed r -> {
                body.put("type", "postingResumed");
                postingHalt = null;
            }
            case Command.TimeTick t -> {
                body.put("type", "tick");
                now = Math.max(now, t.unixSeconds());
                fireSchedules();
            }
            case Command.BatchPosted p -> {
                body.put("type", "batchPosted");
                body.put("outcomes", List.of(l1Verdict(l1.posted(p.index(), p.postedAt(), p.finalAt(), sealedBatches))));
                body.put("l1", l1.view());
            }
            case Command.BatchesFinal f -> {
                body.put("type", "batchesFinal");
                body.put("outcomes", List.of(l1Verdict(l1.finalized(f.count()))));
                while (firstKept < l1.finalized() && !kept.isEmpty()) {
                    kept.removeFirst();
                    firstKept++;
                }
                view.forgetFinal(l1.finalized());
                body.put("l1", l1.view());
            }
            case Command.Query q -> throw new AssertionError("answered above");
        }
        if (stops.size() != 0 || !stopPositions.isEmpty()) {
            drainTransitions(); // the positions this command moved, for the reduce-only stops that follow them
            tidyStops();
        }
        List<ExchangeEvent> raw = exchange.takeEvents();
        List<Map<String, Object>> events = view.record(raw, seq);
        if (!earlyEvents.isEmpty() || !earlyRaw.isEmpty()) { // the command interleaved events of its own: they and the exchange's before them come first
            List<Map<String, Object>> all = new ArrayList<>(earlyEvents);
            all.addAll(events);
            events = all;
            earlyRaw.addAll(raw);
            raw = List.copyOf(earlyRaw);
            earlyEvents.clear();
            earlyRaw.clear();
        }
        explainBookRejects(body, raw);
        if (!events.isEmpty()) body.put("events", events);
        List<Map<String, Object>> depth = view.depthDeltas(exchange, reads);
        if (!depth.isEmpty()) body.put("depth", depth);
        // one command's transitions go into one batch: an IOC/FOK order fills only in the batch that posted it
        drainTransitions();
        costs.settle(this::lots); // every fill and position change of the command is in: check what the costs followed
        List<Transition> group = List.copyOf(drained);
        drained.clear();
        if (!touched.isEmpty()) {
            List<String> accounts = new ArrayList<>(touched.size());
            for (Address a : touched) accounts.add(a.toString());
            body.put("accounts", accounts);
            touched.clear();
        }
        // the mirror has applied the group already: its first PostOrder took the id after the count before it
        boolean seals = cuts.add(OrderRuns.forBatches(group, genesis.batches().maxTransitions(),
                () -> StateReads.global(exchange.state()).orderCount() + 1 - group.stream().filter(t -> t instanceof Transition.PostOrder).count()), now);
        List<Batch> sealed;
        if (tree != null && !seals) {
            // nothing in this reply needs the tree: the worker applies the group while the reply goes out
            if (!group.isEmpty()) {
                tree.submit(group, now);
                groupsOnWorker++;
                view.landed(sealedBatches);
            }
            sealed = List.of();
        } else {
            syncTree();
            List<Outcome> outcomes = batches.appendAll(group, now);
            checkApplied(group, outcomes);
            sealed = new ArrayList<>(batches.takeSealed());
            if (!group.isEmpty()) {
                // the group went into one batch: the open one, or the one its last transition filled and sealed
                long openIndex = sealedBatches + sealed.size();
                view.landed(batches.openTransitions() > 0 ? openIndex : openIndex - 1);
            }
            batches.tick(now);
            sealed.addAll(batches.takeSealed());
            if (seals == sealed.isEmpty() || batches.openTransitions() != cuts.open()) {
                throw new IllegalStateException("the batch cut predictor disagrees with the batch builder (a bug in BatchCuts): predicted "
                        + (seals ? "a seal" : "no seal") + " and " + cuts.open() + " open, the builder sealed "
                        + sealed.size() + " with " + batches.openTransitions() + " open");
            }
        }
        if (!sealed.isEmpty()) {
            // headers only: every gateway session gets this reply, and traders never need the calldata;
            // the poster reads a batch's calldata with a BATCH query when it posts it
            body.put("batches", sealed.stream().map(b -> headerView(b.header())).toList());
            sealedBatches += sealed.size();
            kept.addAll(sealed);
            lastBatch = sealed.getLast().header();
            long keepFrom = nodes.latestVersion() - KEEP_TREE_VERSIONS;
            if (keepFrom > nodes.oldestVersion()) nodes.prune(keepFrom);
        }
        Reply reply = new Reply(seq, c.clientId(), c.clientSeq(), timestampMillis, false, body);
        w.remember(reply, timestampMillis);
        if (lastWindow != w) { // keeps the table in order of last activity
            clients.putLast(c.clientId(), w);
            lastWindow = w;
            if (w == firstActive) retireNotBefore = Long.MIN_VALUE; // another entry is first now
        }
        retireIdleClients(timestampMillis);
        return reply;
    }

    /** Every transition of a group must be accepted by the tree: the exchange's mirror already accepted it. */
    static void checkApplied(List<Transition> group, List<Outcome> outcomes) {
        for (int i = 0; i < group.size(); i++) {
            if (!outcomes.get(i).applied()) {
                throw new IllegalStateException("the tree refused a transition the exchange's mirror accepted (a determinism bug): "
                        + group.get(i) + " -> " + outcomes.get(i));
            }
        }
    }

    private Map<String, Object> place(VerifiedOrder v) {
        vouch(v);
        Reject r = exchange.submit(v, now);
        if (r == null) view.placed(v, seq);
        return verdict(v.hash(), r);
    }

    private Map<String, Object> cancel(VerifiedCancel v) {
        StopOrders.Armed armed = stops.get(v.orderHash());
        if (armed != null) {
            // an armed stop is the node's alone: nothing of it is in the rollup's state, so its cancel goes nowhere else
            if (!armed.order().order().trader().equals(v.owner())) return verdict(v.orderHash(), Reject.NOT_OWNER);
            disarm(v.orderHash(), "REQUESTED");
            return verdict(v.orderHash(), null);
        }
        known.vouch(v.signature(), v.owner());
        Reject r = exchange.cancel(v, now);
        return verdict(v.orderHash(), r);
    }

    /**
     * Sets, moves or turns off ({@code deadline} 0) a trader's dead man's switch. Refused when its nonce is not above the
     * last one taken from that trader (an old message sent again, or one overtaken by a newer one) or when its deadline is
     * not after the log's clock (the trader meant to cancel now: a batch cancel does). The switch changes no leaf: it is the
     * node's promise, as a stop's trigger is.
     */
    private Map<String, Object> schedule(Command.CancelAllAfter x) {
        long last = schedules.lastNonce(x.owner());
        if (x.nonce() <= last) {
            return scheduleVerdict(x, "STALE_NONCE", "a cancel-all-after carries a nonce above the last one this node took from this trader ("
                    + last + "): sign a new one (the time in milliseconds serves)");
        }
        if (x.deadline() != 0 && x.deadline() <= now) {
            return scheduleVerdict(x, "DEADLINE_PASSED", "the deadline " + x.deadline() + " is not after the node's clock (" + now
                    + ", unix seconds): sign a later one, or cancel every order now (POST /orders/batch-cancel, ./clearline cancel --all)");
        }
        schedules.set(x.owner(), x.deadline(), x.nonce());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trader", x.owner().toString());
        m.put("accepted", true);
        m.put("deadline", x.deadline());
        m.put("nonce", x.nonce());
        return m;
    }

    private static Map<String, Object> scheduleVerdict(Command.CancelAllAfter x, String code, String help) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trader", x.owner().toString());
        m.put("accepted", false);
        m.put("reject", code);
        m.put("help", help);
        return m;
    }

    /**
     * Every switch whose deadline the log's clock reached: a {@code CancelAllFired} event, then each of that trader's open
     * orders leaves, those on the book in the order they were placed ({@code Cancelled}, {@code why} SCHEDULED: no
     * Cancel transition, the trader signed none; a posted order's leaf is pruned as for any order the exchange is done with),
     * then its armed stops in arming order ({@code Disarmed}, SCHEDULED). The switch is then off until set again.
     */
    private void fireSchedules() {
        if (schedules.isEmpty()) return;
        for (CancelSchedules.Due d : schedules.due(now)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("event", "CancelAllFired");
            e.put("trader", d.owner().toString());
            e.put("deadline", d.deadline());
            emit(e);
            List<Hash32> open = view.openOrders(d.owner());
            List<Hash32> booked = new ArrayList<>();
            List<StopOrders.Armed> armed = new ArrayList<>();
            for (Hash32 h : open) {
                StopOrders.Armed a = stops.get(h);
                if (a != null) armed.add(a);
                else if (exchange.orderId(h) > 0) booked.add(h);
            }
            booked.sort(java.util.Comparator.comparingLong(exchange::orderId));
            armed.sort(java.util.Comparator.comparingLong(StopOrders.Armed::armedSeq));
            for (Hash32 h : booked) exchange.takeOff(h, dev.clearline.engine.exchange.ExchangeEvent.Why.SCHEDULED);
            for (StopOrders.Armed a : armed) disarm(a.order().hash(), "SCHEDULED");
            flushEvents();
        }
    }

    /**
     * Arms {@code v} as a stop firing when its market's mark reaches its trigger: the price {@code how} names, or for a
     * trailing stop the mark now less (a sell) or plus (a buy) the distance it names, on the tick away from the mark.
     * Refused, with what to do, when the order could never be placed as signed (its market, fields, expiry), when there is
     * no mark to wait on or the mark is there already (a sell stop must lie under the mark, a buy stop over it: place the
     * order itself), when a trail is off the tick or wider than the mark, when its hash is known, or when its trader holds
     * {@link StopOrders#PER_TRADER} armed. Everything else (margin, reduce-only, the book) is judged when it fires, as for
     * any order arriving then.
     */
    private Map<String, Object> arm(VerifiedOrder v, dev.clearline.sequencer.command.StopTrigger how) {
        var o = v.order();
        var m = dev.clearline.engine.stf.StateReads.market(exchange.state(), o.marketId());
        if (m == null) return verdict(v.hash(), Reject.UNKNOWN_MARKET);
        Reject fields = dev.clearline.engine.stf.Stf.checkOrderFields(o, m);
        if (fields != null) return verdict(v.hash(), fields);
        if (o.expiry() != 0 && m.lastOracleTs() > o.expiry()) return verdict(v.hash(), Reject.EXPIRED);
        if (stops.isArmed(v.hash()) || exchange.orderId(v.hash()) > 0) return verdict(v.hash(), Reject.DUPLICATE_ORDER);
        if (m.markPrice() <= 0) return verdict(v.hash(), Reject.NO_MARK_PRICE);
        boolean trailing = how instanceof dev.clearline.sequencer.command.StopTrigger.Trailing;
        long trail = how instanceof dev.clearline.sequencer.command.StopTrigger.Trailing t ? t.distance() : 0;
        // a trailing stop starts where the mark now puts it, trail away on the tick: as if it had followed from nowhere
        long trigger = switch (how) {
            case dev.clearline.sequencer.command.StopTrigger.At at -> at.price();
            case dev.clearline.sequencer.command.StopTrigger.Trailing t -> trail <= 0 || trail >= m.markPrice() ? 0
                    : new StopOrders.Armed(v, o.isBuy() ? Long.MAX_VALUE : 0, seq, false, trail).followed(m.markPrice(), m.tickSize());
        };
        if (trailing && (trail % m.tickSize() != 0 || trigger <= 0)) {
            return stopVerdict(v.hash(), "BAD_TRAIL", "a trail is a price distance per lot above 0 and under the mark (" + m.markPrice()
                    + "), on the market's tick (" + m.tickSize() + ")");
        }
        if (trigger <= 0 || trigger % m.tickSize() != 0) {
            return stopVerdict(v.hash(), "TRIGGER_OFF_TICK", "a trigger is a price per lot above 0 on the market's tick (" + m.tickSize() + ")");
        }
        if (o.isBuy() ? trigger <= m.markPrice() : trigger >= m.markPrice()) {
            return stopVerdict(v.hash(), "TRIGGER_REACHED", "the mark (" + m.markPrice() + ") is at or " + (o.isBuy() ? "above" : "below")
                    + " the trigger already: a " + (o.isBuy() ? "buy stop fires when the mark rises to its trigger, so it lies above"
                    : "sell stop fires when the mark falls to its trigger, so it lies below") + " the mark; place the order itself to trade now");
        }
        if (stops.armedBy(o.trader()) >= StopOrders.PER_TRADER) {
            return stopVerdict(v.hash(), "TOO_MANY_STOPS", "a trader holds at most " + StopOrders.PER_TRADER + " armed stops: cancel one first");
        }
        var position = reads.position(o.trader(), o.marketId());
        long held = position == null ? 0 : position.size();
        stops.arm(new StopOrders.Armed(v, trigger, seq, o.reduceOnly() && (o.isBuy() ? held < 0 : held > 0), trail));
        view.armed(v, seq);
        emit(stopEvent("Armed", v, trigger, trail));
        Map<String, Object> verdict = verdict(v.hash(), null);
        verdict.put("armed", true);
        verdict.put("triggerPrice", trigger);
        if (trail != 0) verdict.put("trailBy", trail);
        return verdict;
    }

    /**
     * After a command: each armed reduce-only stop of a position it moved follows that position, as a resting take-profit
     * does. While the position is on the side the stop reduces the stop holds on to it; once a stop that held it finds it
     * closed or turned, it leaves ({@code POSITION_CLOSED}: firing it could only be refused, or close a later position it
     * was never meant for). One armed before its position opened waits until it does.
     */
    private void tidyStops() {
        for (PositionKey k : stopPositions) {
            var p = reads.position(k.owner(), k.market());
            long size = p == null ? 0 : p.size();
            for (StopOrders.Armed a : stops.reduceOnly(k.owner(), k.market())) {
                boolean reduces = a.sell() ? size > 0 : size < 0;
                if (reduces) stops.held(a);
                else if (a.held()) disarm(a.order().hash(), "POSITION_CLOSED");
            }
        }
        stopPositions.clear();
    }

    /** Takes an armed stop off without firing it ({@code why}: REQUESTED or FORCED), saying so. */
    private void disarm(Hash32 hash, String why) {
        disarmed(stops.disarm(hash), why, null);
    }

    /** Says that {@code a}, taken off the armed stops, left without a place on the book: {@code why}, and the exchange's refusal. */
    private void disarmed(StopOrders.Armed a, String why, Reject refusal) {
        view.disarmed(a.order().hash(), why.equals("EXPIRED") ? "expired" : "cancelled:" + why.toLowerCase(java.util.Locale.ROOT));
        Map<String, Object> e = stopEvent("Disarmed", a.order(), a.trigger(), a.trail());
        e.put("why", why);
        if (refusal != null) {
            e.put("reject", refusal.name());
            e.put("help", refusal.help());
        }
        emit(e);
    }

    /**
     * After a new mark in {@code market} (and the liquidations it caused): its stops whose expiry the oracle clock passed
     * leave, its trailing stops follow the mark, then each stop the mark reached fires, in the order {@link StopOrders#reached}
     * gives: placed as any order arriving now (its own events follow its {@code Triggered}); one the exchange refuses leaves
     * ({@code cancelled:refused}). A trailing trigger's move is said by no event (each mark could move many): the order's
     * read shows where it stands.
     */
    private void fireStops(int market) {
        if (stops.size() == 0) return;
        var m = dev.clearline.engine.stf.StateReads.market(exchange.state(), market);
        for (StopOrders.Armed a : stops.expired(market, m.lastOracleTs())) disarmed(a, "EXPIRED", null);
        stops.follow(market, m.markPrice(), m.tickSize());
        for (StopOrders.Armed a : stops.reached(market, m.markPrice())) {
            Map<String, Object> e = stopEvent("Triggered", a.order(), a.trigger(), a.trail());
            e.put("markPrice", m.markPrice());
            emit(e);
            vouch(a.order());
            Reject r = exchange.submit(a.order(), now);
            if (r == null) view.placed(a.order(), seq);
            else disarmed(a, "REFUSED", r);
            flushEvents();
        }
    }

    /** A stop's event: its order, trader, market, the trigger where it stands, and a trailing stop's distance from the mark. */
    private Map<String, Object> stopEvent(String name, VerifiedOrder v, long trigger, long trail) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", name);
        e.put("orderHash", view.hashHex(v.hash()));
        e.put("trader", v.order().trader().toString());
        e.put("market", MarketIds.json(v.order().marketId()));
        e.put("triggerPrice", trigger);
        if (trail != 0) e.put("trailBy", trail);
        return e;
    }

    /** A refusal of the node's own stop rules (no rollup code says it): as {@link #verdict}, with the node's code and help. */
    private Map<String, Object> stopVerdict(Hash32 hash, String code, String help) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orderHash", view.hashHex(hash));
        m.put("accepted", false);
        m.put("reject", code);
        m.put("help", help);
        return m;
    }

    /** Adds an event of the node's own after whatever the exchange raised so far in this command. */
    private void emit(Map<String, Object> event) {
        flushEvents();
        earlyEvents.add(event);
    }

    /** Folds the exchange's events so far into the view and the command's event list, in order. */
    private void flushEvents() {
        List<ExchangeEvent> raw = exchange.takeEvents();
        earlyRaw.addAll(raw);
        earlyEvents.addAll(view.record(raw, seq));
    }

    /** The gateway recovered these signers already; the tree's STF need not do it again. */
    private void vouch(VerifiedOrder v) {
        known.vouch(v.signature(), v.order().trader());
        known.digestOf(v.order(), v.hash());
    }

    /**
     * After a new mark (and funding index) in {@code market}: every position there below
     * maintenance goes to the insurance fund ({@code Liquidate}), in address order so replicas
     * agree. Only the mark and funding move a position's margin without its owner trading, so
     * this runs only on oracle prices. It looks only at the positions the {@link LiquidationIndex}
     * says the price may have crossed, judged exactly; a liquidation can deleverage others, so the
     * candidates after the one just liquidated are asked for again (the index follows every
     * position change as its transitions are drained).
     */
    private List<Map<String, Object>> liquidate(int market) {
        drainTransitions(); // the price itself may have deleveraged positions
        List<Map<String, Object>> out = new ArrayList<>();
        String after = null;
        while (true) {
            var m = reads.market(market);
            var candidates = positions.candidates(market, m);
            var next = after == null ? candidates.firstEntry() : candidates.higherEntry(after);
            boolean changed = false;
            for (; next != null && !changed; next = candidates.higherEntry(next.getKey())) {
                after = next.getKey();
                Address a = next.getValue();
                var p = reads.position(a, market);
                if (!LiquidationIndex.liquidatable(p, m)) continue;
                if (exchange.apply(new Transition.Liquidate(a, market)) != null) continue;
                view.holds(Address.INSURANCE_FUND, market); // its account view shows the position it took over
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("trader", a.toString());
                l.put("market", MarketIds.json(market));
                l.put("size", p.size());
                l.put("markPrice", m.markPrice());
                out.add(l);
                drainTransitions(); // re-keys the liquidated position and any the fund deleveraged
                changed = true;
            }
            if (!changed) return out;
        }
    }

    /** Takes the exchange's transitions so far into this command's group, re-keying every position they changed. */
    private void drainTransitions() {
        List<Transition> ts = exchange.takeTransitions();
        if (ts.isEmpty()) return;
        drained.addAll(ts);
        for (Transition t : ts) {
            switch (t) {
                case Transition.Trade x -> { reindexOrderOwner(x.makerId()); reindexOrderOwner(x.takerId()); }
                case Transition.TradeAtPrice x -> { reindexOrderOwner(x.makerId()); reindexOrderOwner(x.takerId()); }
                case Transition.Liquidate x -> { reindex(x.owner(), x.marketId()); touched.add(Address.INSURANCE_FUND); }
                case Transition.Deleverage x -> { reindex(x.counterparty(), x.marketId()); touched.add(Address.INSURANCE_FUND); }
                case Transition.Allocate x -> reindex(x.owner(), x.marketId());
                case Transition.Release x -> reindex(x.owner(), x.marketId());
                // margin leaves the balance for the position when the order is posted
                case Transition.PostOrder x -> touched.add(x.order().trader());
                case Transition.Deposit x -> touched.add(x.owner());
                case Transition.ForcedWithdrawal x -> touched.add(x.owner());
                case Transition.Withdraw x -> touched.add(x.owner());
                case Transition.MarketConfig x -> positions.rekeyMarket(x.marketId(), a -> reads.position(a, x.marketId()), reads.market(x.marketId()));
                default -> { }
            }
        }
    }

    private void reindexOrderOwner(long orderId) {
        var o = reads.order(orderId);
        if (o == null) o = exchange.prunedInLastTake(orderId); // filled or gone in this take: pruned at its end
        if (o != null) reindex(o.trader(), o.marketId());
    }

    private void reindex(Address owner, int market) {
        touched.add(owner);
        costs.touch(owner, market);
        if (stops.hasReduceOnly(owner)) stopPositions.add(new PositionKey(owner, market));
        positions.update(owner, market, reads.position(owner, market), reads.market(market));
    }

    /** The size in lots of {@code owner}'s position in {@code market} as the exchange's state holds it now. */
    private long lots(Address owner, int market) {
        var p = reads.position(owner, market);
        var m = reads.market(market);
        return p == null || m == null ? 0 : p.size() / m.lotSize();
    }

    private long nextWithdrawalId() {
        return dev.clearline.engine.stf.StateReads.global(exchange.state()).nextWithdrawalId();
    }

    /** Every withdrawal numbered since {@code before}, to {@code owner}'s account view. */
    private void recordWithdrawals(Address owner, long before) {
        for (long id = before; id < nextWithdrawalId(); id++) {
            var leaf = dev.clearline.engine.stf.StateReads.withdrawal(exchange.state(), id);
            if (leaf != null) view.withdrawal(owner, id, leaf.recipient(), leaf.amount(), seq);
        }
    }

    private static Map<String, Object> l1Verdict(String refusal) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", refusal == null);
        if (refusal != null) {
            m.put("reject", "L1_REPORT_OUT_OF_ORDER");
            m.put("help", refusal + "; the L1 loop re-reads the rollup and reports again");
        }
        return m;
    }

    /**
     * An order the book refused gets the STF's catch-all BOOK_REJECTED; its verdict says which of the
     * book's rules refused it (FOK not fillable, too many fills, post-only would cross, ...) and what
     * to do, from the book's own reason.
     */
    @SuppressWarnings("unchecked")
    private void explainBookRejects(Map<String, Object> body, List<ExchangeEvent> events) {
        if (!(body.get("outcomes") instanceof List<?> outcomes)) return;
        for (ExchangeEvent e : events) {
            if (!(e instanceof ExchangeEvent.Rejected r) || r.bookReason() == null || r.orderHash() == null) continue;
            String hash = view.hashHex(r.orderHash());
            for (Object o : outcomes) {
                if (o instanceof Map<?, ?> m && hash.equals(m.get("orderHash")) && Boolean.FALSE.equals(m.get("accepted"))) {
                    Map<String, Object> v = (Map<String, Object>) m;
                    v.put("bookReason", r.bookReason().name());
                    v.put("help", r.bookReason() == RejectReason.PRICE_OUT_OF_RANGE
                            ? "this venue's books take prices of 1 to " + genesis.books().maxPriceTicks()
                                    + " ticks (a market's maxPrice in GET /state's marketInfo, in quote units per lot); sign a price within them"
                            : r.bookReason().message());
                }
            }
        }
    }

    /** The highest price per lot this venue's books take in a market with this tick, saturated at the largest long. */
    private long maxPrice(long tickSize) {
        long ticks = genesis.books().maxPriceTicks();
        return tickSize > 0 && ticks > Long.MAX_VALUE / tickSize ? Long.MAX_VALUE : tickSize * ticks;
    }

    private Map<String, Object> verdict(Hash32 hash, Reject r) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (hash != null) m.put("orderHash", view.hashHex(hash));
        m.put("accepted", r == null);
        if (r != null) {
            m.put("reject", r.name());
            m.put("help", r.help());
        }
        return m;
    }

    private Reply answer(Command.Query q, long timestampMillis) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "query");
        body.put("kind", q.kind().name());
        switch (q.kind()) {
            case STATE -> {
                body.put("stateRoot", stateRoot().toString());
                body.put("seq", seq);
                body.put("chainId", genesis.chainId());
                body.put("verifyingContract", genesis.verifyingContract().toString());
                body.put("time", now);
                body.put("sealedBatches", sealedBatches);
                body.put("openTransitions", cuts.open());
                body.put("priorityOpsConsumed", dev.clearline.engine.stf.StateReads.global(exchange.state()).priorityOpsConsumed());
                if (postingHalt != null) body.put("postingHalted", postingHalt);
                body.put("l1", l1.stateView());
                body.put("batchesInMemory", kept.size());
                if (lastBatch != null) body.put("lastBatch", headerView(lastBatch));
                body.put("markets", view.markets().stream().map(MarketIds::json).toList());
                List<Map<String, Object>> info = new ArrayList<>();
                for (int id : view.markets()) {
                    var m = dev.clearline.engine.stf.StateReads.market(exchange.state(), id);
                    if (m == null) continue;
                    Map<String, Object> mi = new LinkedHashMap<>();
                    mi.put("market", MarketIds.json(id));
                    mi.put("tickSize", m.tickSize());
                    mi.put("maxPrice", maxPrice(m.tickSize()));
                    mi.put("lotSize", m.lotSize());
                    mi.put("imfPpm", m.imfPpm());
                    mi.put("mmfPpm", m.mmfPpm());
                    mi.put("makerFeePpm", m.makerFeePpm());
                    mi.put("takerFeePpm", m.takerFeePpm());
                    mi.put("liquidationFeePpm", m.liquidationFeePpm());
                    mi.put("markPrice", m.markPrice());
                    mi.put("fundingIndex", m.fundingIndex());
                    mi.put("lastOracleTs", m.lastOracleTs());
                    mi.put("oracle", m.oracle().toString());
                    mi.put("bestBid", view.bestPrice(id, true));
                    mi.put("bestAsk", view.bestPrice(id, false));
                    info.add(mi);
                }
                body.put("marketInfo", info);
            }
            case ORDER -> body.put("order", view.order(q.orderHash()));
            case ACCOUNT -> body.put("account", account(q.trader(), q.index(), OrderBookView.OPEN_ORDERS_PAGE));
            case BALANCES -> body.put("account", view.balances(q.trader(), exchange.state()));
            // index: 0 for the API's top levels; a notional for an impact price (the oracle feed), as deep as that takes
            case DEPTH -> {
                if (q.market() == 0) {
                    // no market has id 0: every market's book as deep as a depth read goes, the WebSocket market channel's
                    // snapshot, whose deltas are the replies after this seq
                    List<Map<String, Object>> all = new ArrayList<>();
                    for (int id : view.markets()) all.add(view.depth(id, exchange, OrderBookView.NOTIONAL_LEVELS));
                    body.put("depths", all);
                } else {
                    body.put("depth", q.index() > 0 ? view.depth(q.market(), exchange, OrderBookView.NOTIONAL_LEVELS, q.index())
                            : view.depth(q.market(), exchange, OrderBookView.DEPTH_LEVELS));
                }
            }
            case BATCH -> {
                body.put("sealedBatches", sealedBatches);
                if (q.index() >= firstKept && q.index() < sealedBatches) body.put("batch", batchView(keptBatch(q.index())));
                else if (q.index() >= 0 && q.index() < firstKept) body.put("final", true); // dropped from memory: read it from L1
            }
            case HISTORY -> {
                // one page from byte q.index() on: the whole history in one reply grew past the largest reply
                // the egress sends, and cost every member time and heap in proportion to it (HistoryPages)
                body.put("stateRoot", stateRoot().toString());
                body.put("seq", seq);
                body.put("history", HistoryPages.page(history, q.index(), HistoryPages.PAGE_BYTES));
            }
        }
        return new Reply(seq, q.clientId(), q.clientSeq(), timestampMillis, false, body);
    }

    /** Base units resting on one market's book, both sides, hidden iceberg parts included (tests' cross-check). */
    /** Market {@code marketId}'s book as the exchange holds it (tests: the truth the views are checked against). */
    dev.clearline.engine.book.OrderBook book(int marketId) {
        return exchange.book(marketId);
    }

    long restingSize(int marketId) {
        var book = exchange.book(marketId);
        long lot = dev.clearline.engine.stf.StateReads.market(exchange.state(), marketId).lotSize();
        long[] sum = {0};
        for (var side : dev.clearline.engine.book.Side.values()) {
            book.forEachResting(side, (id, owner, ticks, visible, hidden, expires) -> sum[0] += (visible + hidden) * lot);
        }
        return sum[0];
    }

    private Batch keptBatch(long index) {
        long i = firstKept;
        // the poster asks for the oldest unposted batch, near the front; walk from whichever end is closer
        if (index - firstKept <= kept.size() / 2) {
            for (Batch b : kept) if (i++ == index) return b;
        } else {
            i = firstKept + kept.size() - 1;
            for (var it = kept.descendingIterator(); it.hasNext(); i--) {
                Batch b = it.next();
                if (i == index) return b;
            }
        }
        throw new IllegalStateException("batch " + index + " not kept");
    }

    /** Sealed batches still held in memory (not final on L1). */
    int batchesInMemory() {
        return kept.size();
    }

    private static Map<String, Object> batchView(Batch b) {
        Map<String, Object> m = headerView(b.header());
        m.put("calldata", HexFormat.of().formatHex(b.calldata()));
        return m;
    }

    private static Map<String, Object> headerView(BatchHeader h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", h.batchIndex());
        m.put("preStateRoot", h.prevStateRoot().toString());
        m.put("postStateRoot", h.postStateRoot().toString());
        m.put("transitions", h.transitionCount());
        m.put("transitionsRoot", h.transitionsRoot().toString());
        m.put("priorityOpsConsumed", h.priorityOpsConsumed());
        return m;
    }

    /** Moves clients silent for {@link #IDLE_MILLIS} to the dormant table (dropping their replies) and forgets those silent for {@link #FORGET_MILLIS}. */
    private void retireIdleClients(long nowMillis) {
        if (nowMillis >= retireNotBefore) {
            retireNotBefore = Long.MAX_VALUE;
            firstActive = null;
            for (var it = clients.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (nowMillis - e.getValue().lastActive < IDLE_MILLIS) { // least recently active first
                    retireNotBefore = e.getValue().lastActive + IDLE_MILLIS;
                    firstActive = e.getValue();
                    break;
                }
                it.remove();
                e.getValue().replies.clear();
                dormant.put(e.getKey(), e.getValue());
                forgetNotBefore = Long.MIN_VALUE; // walk the dormant table again
            }
        }
        if (nowMillis >= forgetNotBefore) {
            forgetNotBefore = Long.MAX_VALUE;
            for (var it = dormant.values().iterator(); it.hasNext(); ) {
                long active = it.next().lastActive;
                if (nowMillis - active < FORGET_MILLIS) {
                    forgetNotBefore = active + FORGET_MILLIS;
                    break;
                }
                it.remove();
            }
        }
    }

    /** Command groups the tree worker applied without the state machine waiting (tests). */
    long groupsOnWorker() {
        return groupsOnWorker;
    }

    /** Batches sealed so far (for a state just taken up from L1: the batches L1 held then). */
    public long sealedBatches() {
        return sealedBatches;
    }

    /** What an operator watches of this state ({@link StateVitals}); call between commands. */
    public StateVitals vitals() {
        return new StateVitals(seq, now, sealedBatches, l1.posted(), l1.finalized(), cuts.open(),
                dev.clearline.engine.stf.StateReads.global(exchange.state()).priorityOpsConsumed(), leafCount(), postingHalt != null);
    }

    /** Orders a state taken up from L1 found resting partly filled and drops (their ORDER leaves still to prune; {@link #takeUp}). */
    public int droppedRestingOrders() {
        return exchange.orderLeavesToPrune();
    }

    /** Finished orders' hash leaves waiting for their expiry to be pruned (a state taken up: the expiring ones L1 posted). */
    public int hashesAwaitingExpiry() {
        return exchange.hashesWaitingForPrune();
    }

    /** Leaves in the state (what an image's load rebuilds the tree from). */
    public int leafCount() {
        return exchange.state().size();
    }

    /** The exchange's leaves (tests judge positions against them). */
    dev.clearline.engine.stf.MemoryLeafStore leaves() {
        return exchange.state();
    }

    /**
     * What L1 would give {@link #takeUp} if it held exactly this state's sealed batches, the last {@code postedAt.length}
     * of them not final (tests). Only between batches: refused while the open batch holds transitions. The withdrawal
     * counts come from the account views' records (exact while no view has dropped one: tests stay well under 200 each).
     */
    L1Start asOnL1(long[] postedAt, long challengePeriod) {
        syncTree();
        if (batches.openTransitions() != 0) throw new IllegalStateException(batches.openTransitions() + " transitions in the open batch");
        List<dev.clearline.engine.stf.LeafStore.Write> leaves = new ArrayList<>();
        batches.forEachLeaf((k, v) -> leaves.add(new dev.clearline.engine.stf.LeafStore.Write(k.clone(), v.clone())));
        long finalized = sealedBatches - postedAt.length;
        long[] withdrawalCounts = new long[postedAt.length + 1];
        for (int i = 0; i < withdrawalCounts.length; i++) withdrawalCounts[i] = nextWithdrawalId() - view.withdrawalsInBatchesFrom(finalized + i);
        List<Hash32> posted = new ArrayList<>();
        for (Batch b : kept) {
            for (Transition t : b.transitions()) {
                if (t instanceof Transition.PostOrder p && p.order().expiry() != 0) posted.add(genesis.domain().orderDigest(p.order()));
            }
        }
        return new L1Start(leaves, exchange.traders(), exchange.markets(), sealedBatches, finalized,
                batches.state().root(), lastBatch, postedAt, withdrawalCounts, challengePeriod, fillsOnL1(finalized), posted);
    }

    /**
     * The fills of sealed batches from {@code from} on as a reader of L1 rebuilds them: every sealed batch replayed from
     * genesis with the STF ({@link FillsOnL1}). Only while every batch is kept (tests: a state L1 finalized nothing of).
     */
    private List<FillsOnL1.Fill> fillsOnL1(long from) {
        if (from >= sealedBatches) return List.of();
        if (firstKept != 0) throw new IllegalStateException("batches before " + firstKept + " are no longer kept: nothing to replay from genesis");
        FillsOnL1 fills = new FillsOnL1(genesis.domain()::orderDigest);
        dev.clearline.engine.stf.MemoryLeafStore replay = new dev.clearline.engine.stf.MemoryLeafStore();
        Stf stf = new Stf(genesis.domain(), known, known::digest);
        long i = 0;
        for (Batch b : kept) {
            for (Transition t : b.transitions()) {
                if (!(stf.apply(replay, t, i) instanceof dev.clearline.engine.stf.Outcome.Applied)) {
                    throw new IllegalStateException("batch " + i + " does not replay: " + t);
                }
                fills.applied(i, t, replay);
            }
            i++;
        }
        return fills.fillsFrom(from);
    }

    /** Sealed batch {@code index} while kept (not final), else null (tests). */
    Batch sealedBatch(long index) {
        return index >= firstKept && index < sealedBatches ? keptBatch(index) : null;
    }

    /** Counts of what the state holds in memory beside the engine, by structure: each follows live state, not history (tests). */
    Map<String, Integer> retained() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("orderRecords", view.ordersKept());
        m.put("bookIds", view.bookIdsKept());
        m.put("traders", view.tradersKept());
        m.put("depthLevels", view.levelsKept());
        m.put("activeClients", clients.size());
        m.put("dormantClients", dormant.size());
        int replies = 0;
        for (ClientWindow w : clients.values()) replies += w.replies.size();
        m.put("repliesKept", replies);
        m.put("batchesInMemory", kept.size());
        m.put("indexedPositions", positions.size());
        m.put("pegsHeld", view.pegsKept());
        return m;
    }

    /** One client's last applied request number and its most recent replies (consecutive numbers), oldest dropped first. */
    private static final class ClientWindow {
        long lastSeq;
        long lastActive;
        final ArrayDeque<Reply> replies = new ArrayDeque<>();

        void remember(Reply r, long atMillis) {
            lastSeq = r.clientSeq();
            lastActive = atMillis;
            replies.addLast(r);
            if (replies.size() > RESEND_WINDOW) replies.removeFirst();
        }

        Reply find(long clientSeq) {
            for (var it = replies.descendingIterator(); it.hasNext(); ) { // a resend asks for a recent one
                Reply r = it.next();
                if (r.clientSeq() == clientSeq) return r;
                if (r.clientSeq() < clientSeq) return null;
            }
            return null;
        }
    }
}
