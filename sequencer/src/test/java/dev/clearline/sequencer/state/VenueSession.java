package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A day of a venue in a few hundred commands, for pins of what the rules give ({@link RulesVersionPinTest}): every
 * kind of command a log holds, and the paths a quiet session never takes. Orders of every time in force, post-only,
 * reduce-only, iceberg, pegged and expiring ones, stops (fixed and trailing) armed, fired, cancelled and refused, amends and batch cancels;
 * dead man's switches set, moved, turned off, refused and fired; marks that move funding, two crashes (the
 * first liquidates into the insurance fund, the second is deep enough that the fund deleverages the other side), a
 * take-profit that meets a position smaller than itself; margin
 * moves and withdrawals, deposits, forced withdrawals and forced cancels from L1; batches sealed, posted and finalized;
 * a posting halt and its end; resends; every query. The session is generated against a state that answers as it goes
 * (the balance nonces a signed request needs, the batches that are sealed), from a seed, so it is the same list on
 * every run of the same rules.
 */
final class VenueSession {
    static final Market M = new Market(6);
    private static final long CLIENT = 5, L1 = 6, QUERIES = 7;
    private static final int STEPS = 700;
    private static final int CRASH_MARKET = 2;

    private final Random r;
    /** The dead man's switches' own draws, so the rest of the day draws what it drew before they joined it. */
    private final Random switches;
    /** Each trader's next switch nonce. */
    private final java.util.Map<Address, Long> switchNonces = new java.util.HashMap<>();
    /** The last time tick's seconds: with the log's own time, the state's clock. */
    private long lastTick = Market.START;
    private final SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
    private final List<Command> out = new ArrayList<>();
    private final List<VerifiedOrder> placed = new ArrayList<>();
    private long clientSeq, l1Seq, priority, nonce = 1, posted, finalized;
    /** The market's clock (oracle seconds) and its mark and funding index, as the session moved them. */
    private long ts = Market.START, mark = 10_000, funding, crashMark = 10_000;
    private int at;

    private VenueSession(long seed) {
        this.r = new Random(seed);
        this.switches = new Random(seed ^ 0x5eed_5717_c4e5L);
    }

    static List<Command> of(long seed) {
        return new VenueSession(seed).run();
    }

    private List<Command> run() {
        long p = 0;
        apply(new Command.L1Op(L1, ++l1Seq, new Transition.MarketConfig(p++, 0, Market.MARKET, Market.TICK, Market.LOT, 100_000, 50_000, 200, 500,
                10_000, M.oracle.address())));
        // the crashes' own market: its book holds only their orders, so each thin long is opened exactly as planned
        apply(new Command.L1Op(L1, ++l1Seq, new Transition.MarketConfig(p++, 0, CRASH_MARKET, Market.TICK, Market.LOT, 100_000, 50_000, 200, 500,
                10_000, M.oracle.address())));
        for (Signer t : M.traders) apply(new Command.L1Op(L1, ++l1Seq, new Transition.Deposit(p++, 0, t.address(), 1_000_000_000L)));
        priority = p;
        oracle(0);
        crashMark(crashMark);
        for (int step = 0; step < STEPS; step++) {
            if (step == STEPS / 3) crash(9, 10); // 10 % down: the thin long goes to the fund, which can carry it
            if (step == 2 * STEPS / 3) crash(7, 10); // 30 % down at once: past the thin long's bankruptcy price, the fund deleverages
            if (step == STEPS / 2) apply(new Command.PostingHalted(L1, ++l1Seq, "the poster's key ran out of gas"));
            if (step == STEPS / 2 + 20) apply(new Command.PostingResumed(L1, ++l1Seq));
            if (step == 2 * STEPS / 3 + 40) takeProfit();
            if (step % 23 == 7) cancelAllAfter();
            int pick = r.nextInt(100);
            if (pick < 41 || placed.isEmpty()) place(randomOrder());
            else if (pick < 45) stop();
            else if (pick < 52) cancel();
            else if (pick < 57) amend();
            else if (pick < 60) batchCancel();
            else if (pick < 67) oracle(-3 + r.nextInt(7));
            else if (pick < 72) marginMove();
            else if (pick < 74) withdraw();
            else if (pick < 76) l1Op();
            else if (pick < 83) tick();
            else if (pick < 93) query();
            else resend();
            report();
        }
        return out;
    }

    private Reply apply(Command c) {
        out.add(c);
        return s.apply(c, Market.START * 1000 + at++);
    }

    /** A trader of the random flow: traders 0 and 1 are kept for the crashes, whose long must start flat and thin. */
    private Signer trader() {
        return M.traders.get(2 + r.nextInt(M.traders.size() - 2));
    }

    private Order randomOrder() {
        Signer t = trader();
        Side side = r.nextBoolean() ? Side.BUY : Side.SELL;
        long price = (mark / Market.TICK - 4 + r.nextInt(9)) * Market.TICK;
        long lots = 1 + r.nextInt(4);
        int kind = r.nextInt(20);
        TimeInForce tif = kind < 3 ? TimeInForce.IOC : kind < 5 ? TimeInForce.FOK : TimeInForce.GTC;
        int flags = kind == 5 || kind == 6 ? Order.POST_ONLY : kind == 7 ? Order.REDUCE_ONLY : 0;
        long display = kind == 8 && lots > 1 ? Market.LOT : 0;
        Peg peg = kind == 9 || kind == 10 ? Peg.MARK : Peg.NONE;
        int offset = peg == Peg.NONE ? 0 : -3 + r.nextInt(7);
        long expiry = r.nextInt(4) == 0 ? ts + 1 + r.nextInt(3) : 0;
        long limit = peg == Peg.NONE ? price : (side == Side.BUY ? mark + 20 * Market.TICK : mark - 20 * Market.TICK);
        return new Order(t.address(), Market.MARKET, side, limit, lots * Market.LOT, display, tif, flags, peg, offset, expiry, nonce++, 200_000);
    }

    private Reply place(Order o) {
        VerifiedOrder v = M.order(M.owner(o.trader()), o);
        placed.add(v);
        return apply(new Command.Place(CLIENT, ++clientSeq, v));
    }

    /** An order placed before: mostly a recent one, which may still be open. */
    private VerifiedOrder earlier() {
        int recent = Math.min(placed.size(), 12);
        return r.nextInt(10) < 7 ? placed.get(placed.size() - 1 - r.nextInt(recent)) : placed.get(r.nextInt(placed.size()));
    }

    private VerifiedCancel cancelOf(VerifiedOrder o) {
        return M.cancel(M.owner(o.order().trader()), o.hash());
    }

    /**
     * A stop: a sell under the mark or a buy over it, one to four ticks away (the marks' walk reaches them), sometimes one
     * the mark has reached already (refused), a third of them trailing the mark by one to three ticks; later cancels,
     * amends and expiries meet armed ones too.
     */
    private void stop() {
        Order o = randomOrder();
        VerifiedOrder v = M.order(M.owner(o.trader()), o);
        placed.add(v);
        if (r.nextInt(3) == 0) {
            apply(new Command.PlaceStop(CLIENT, ++clientSeq, v, new dev.clearline.sequencer.command.StopTrigger.Trailing((r.nextInt(3) + 1) * Market.TICK)));
            return;
        }
        long away = (r.nextInt(6) - 1) * Market.TICK; // -1 tick: reached already
        long trigger = o.isBuy() ? mark + away : mark - away;
        apply(new Command.PlaceStop(CLIENT, ++clientSeq, v, trigger));
    }

    private void cancel() {
        apply(new Command.Cancel(CLIENT, ++clientSeq, cancelOf(earlier())));
    }

    private void amend() {
        VerifiedOrder old = earlier();
        Order o = old.order();
        long price = o.peg() == Peg.NONE ? o.price() + (r.nextInt(3) - 1) * Market.TICK : o.price();
        Order replacement = new Order(o.trader(), o.marketId(), o.side(), price, (1 + r.nextInt(4)) * Market.LOT, 0, o.timeInForce(), o.flags(),
                o.peg(), o.pegOffset(), o.expiry(), nonce++, o.margin());
        VerifiedOrder v = M.order(M.owner(o.trader()), replacement);
        placed.add(v);
        apply(new Command.Amend(CLIENT, ++clientSeq, cancelOf(old), v));
    }

    private void batchCancel() {
        List<VerifiedCancel> cancels = new ArrayList<>();
        for (int i = 1 + r.nextInt(3); i > 0; i--) cancels.add(cancelOf(earlier()));
        apply(new Command.BatchCancel(CLIENT, ++clientSeq, cancels));
    }

    /** A new mark {@code ticks} away and a funding index moved either way: the market's clock advances a second. */
    private void oracle(int ticks) {
        mark = Math.max(Market.TICK, mark + ticks * Market.TICK);
        funding += -40 + r.nextInt(81);
        long at = ++ts;
        apply(new Command.Oracle(L1, ++l1Seq, new Transition.OraclePrice(Market.MARKET, mark, funding, at,
                M.oracle.sign(M.domain.oraclePriceDigest(Market.MARKET, mark, funding, at)))));
    }

    /** A mark on the crashes' market, its clock advanced a second. */
    private void crashMark(long price) {
        crashMark = price;
        long at = ++ts;
        apply(new Command.Oracle(L1, ++l1Seq, new Transition.OraclePrice(CRASH_MARKET, price, 0, at,
                M.oracle.sign(M.domain.oraclePriceDigest(CRASH_MARKET, price, 0, at)))));
    }

    /**
     * On the crashes' market, a thin long (12 % margin against a 10 % initial requirement) opened against a
     * well-margined short at the mark, then the mark falls to {@code num/den} of itself; then back, in steps.
     */
    private void crash(long num, long den) {
        Signer longTrader = M.traders.get(0), shortTrader = M.traders.get(1);
        long before = crashMark;
        place(new Order(shortTrader.address(), CRASH_MARKET, Side.SELL, before, 10 * Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 500_000));
        place(new Order(longTrader.address(), CRASH_MARKET, Side.BUY, before, 10 * Market.LOT, 0, TimeInForce.IOC, 0, 0, nonce++,
                before * 10 * 12 / 100));
        crashMark(before * num / den / Market.TICK * Market.TICK);
        while (crashMark < before) crashMark(Math.min(before, crashMark + 5 * Market.TICK));
    }

    /**
     * On the crashes' market after them: a long of 3 lots with two resting reduce-only sells (take-profits) of 3 and of 2,
     * the long cut to 2 by another sell (the first is trimmed to 2: Trimmed), then a buyer of 3 at the first's price: it
     * fills 2, which closes the long, and the second leaves in that command (POSITION_CLOSED).
     */
    private void takeProfit() {
        Signer longTrader = M.traders.get(0), shortTrader = M.traders.get(1);
        long at = crashMark;
        place(new Order(shortTrader.address(), CRASH_MARKET, Side.SELL, at, 3 * Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 500_000));
        place(new Order(longTrader.address(), CRASH_MARKET, Side.BUY, at, 3 * Market.LOT, 0, TimeInForce.IOC, 0, 0, nonce++, at * 3 * 15 / 100));
        place(new Order(longTrader.address(), CRASH_MARKET, Side.SELL, at + 5 * Market.TICK, 3 * Market.LOT, 0, TimeInForce.GTC,
                Order.REDUCE_ONLY, 0, nonce++, 0));
        place(new Order(longTrader.address(), CRASH_MARKET, Side.SELL, at + 8 * Market.TICK, 2 * Market.LOT, 0, TimeInForce.GTC,
                Order.REDUCE_ONLY, 0, nonce++, 0));
        place(new Order(shortTrader.address(), CRASH_MARKET, Side.BUY, at - 5 * Market.TICK, Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 100_000));
        place(new Order(longTrader.address(), CRASH_MARKET, Side.SELL, at - 5 * Market.TICK, Market.LOT, 0, TimeInForce.IOC, Order.REDUCE_ONLY, 0,
                nonce++, 0));
        place(new Order(shortTrader.address(), CRASH_MARKET, Side.BUY, at + 5 * Market.TICK, 3 * Market.LOT, 0, TimeInForce.IOC, 0, 0, nonce++,
                200_000));
    }

    private long balanceNonce(Signer t) {
        JsonNode account = FinalityTest.json(s.apply(new Command.Query(QUERIES, 0, Command.QueryKind.ACCOUNT, 0, t.address(), null), 0))
                .path("account");
        return account.path("nonce").asLong();
    }

    private void marginMove() {
        Signer t = trader();
        boolean tooMuch = r.nextInt(5) == 0; // refused: more than the balance or the margin holds, the nonce unspent
        long amount = tooMuch ? 10_000_000_000_000L : 1 + r.nextInt(100_000);
        apply(new Command.Signed(CLIENT, ++clientSeq, M.marginMove(t, r.nextBoolean(), amount, balanceNonce(t))));
    }

    private void withdraw() {
        Signer t = trader();
        long n = balanceNonce(t);
        long amount = r.nextInt(4) == 0 ? 10_000_000_000_000L : 1 + r.nextInt(200_000);
        Address to = M.traders.get(r.nextInt(M.traders.size())).address();
        apply(new Command.Signed(CLIENT, ++clientSeq, new Transition.Withdraw(t.address(), to, amount, n,
                t.sign(M.domain.withdrawDigest(t.address(), to, amount, n)))));
    }

    private void l1Op() {
        Signer t = trader();
        Transition.PriorityOp op = switch (r.nextInt(3)) {
            case 0 -> new Transition.Deposit(priority, 0, t.address(), 1 + r.nextInt(5_000_000));
            case 1 -> new Transition.ForcedWithdrawal(priority, 0, t.address(), r.nextInt(4) == 0 ? 10_000_000_000_000L : 1 + r.nextInt(300_000));
            default -> {
                VerifiedOrder o = earlier();
                // by its owner, or (refused) by another trader
                Address by = r.nextInt(4) == 0 ? t.address() : o.order().trader();
                yield new Transition.ForcedCancel(priority, 0, by, o.hash());
            }
        };
        priority++;
        apply(new Command.L1Op(L1, ++l1Seq, op));
    }

    private void tick() {
        lastTick = Math.max(lastTick, Market.START + at / 4);
        apply(new Command.TimeTick(L1, ++l1Seq, Market.START + at / 4));
    }

    /**
     * A trader's dead man's switch: mostly one due one to three seconds on (a later tick fires it, taking that trader's
     * resting orders and armed stops), sometimes one moved an hour on, turned off, sent twice (the second refused: its
     * nonce is used), or with a deadline at the clock (refused).
     */
    private void cancelAllAfter() {
        Signer t = M.traders.get(2 + switches.nextInt(M.traders.size() - 2));
        long now = Math.max(Market.START + at / 1000, lastTick);
        long n = switchNonces.merge(t.address(), 1L, Long::sum);
        int kind = switches.nextInt(10);
        long deadline = kind < 6 ? now + 1 + switches.nextInt(3) : kind == 6 ? now + 3_600 : kind == 7 ? 0 : kind == 8 ? now : now + 2;
        Command.CancelAllAfter c = CancelAllAfterTest.switchOf(CLIENT, ++clientSeq, t, deadline, n);
        apply(c);
        if (kind == 9) apply(CancelAllAfterTest.switchOf(CLIENT, ++clientSeq, t, deadline + 5, n));
    }

    private void query() {
        Command.Query q = switch (r.nextInt(6)) {
            case 0 -> new Command.Query(QUERIES, 0, Command.QueryKind.STATE, 0, null, null);
            case 1 -> new Command.Query(QUERIES, 0, Command.QueryKind.DEPTH, Market.MARKET, null, null);
            case 2 -> new Command.Query(QUERIES, 0, Command.QueryKind.ACCOUNT, 0, trader().address(), null);
            case 3 -> new Command.Query(QUERIES, 0, Command.QueryKind.ORDER, 0, null, earlier().hash());
            case 4 -> new Command.Query(QUERIES, 0, Command.QueryKind.HISTORY, 0, null, null);
            default -> new Command.Query(QUERIES, 0, Command.QueryKind.BATCH, 0, null, null, r.nextInt((int) posted + 2));
        };
        apply(q);
    }

    /** A client's request sent again (its answer lost): answered from the client's window, not applied twice. */
    private void resend() {
        for (int i = out.size() - 1; i >= Math.max(0, out.size() - 30); i--) {
            Command c = out.get(i);
            if (c instanceof Command.Place || c instanceof Command.Cancel || c instanceof Command.Signed) {
                apply(c);
                return;
            }
        }
    }

    /** L1 takes sealed batches now and then, and finalizes some of those it took. */
    private void report() {
        long sealed = FinalityTest.sealed(s);
        if (posted < sealed && r.nextInt(3) == 0) {
            apply(new Command.BatchPosted(L1, ++l1Seq, posted, Market.START + posted, Market.START + posted + 600));
            posted++;
        }
        if (finalized < posted && r.nextInt(5) == 0) {
            finalized += 1 + r.nextInt((int) (posted - finalized));
            apply(new Command.BatchesFinal(L1, ++l1Seq, finalized));
        }
    }
}
