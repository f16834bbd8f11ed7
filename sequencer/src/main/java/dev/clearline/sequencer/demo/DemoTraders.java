package dev.clearline.sequencer.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.l1.SequencerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Demo flow for the local stack: on every listed market, each market maker re-quotes {@value #LEVELS}
 * bids and {@value #LEVELS} asks around the mark, each level a few ticks further out and larger than
 * the one before (cancelling its previous quotes), so a book has depth to read and to trade into; and
 * each taker sends an
 * immediate-or-cancel order that crosses the best quote now and then. Signed with the traders'
 * keys and sent to a {@link DemoVenue}: on the local stack the trader API, like any client's orders,
 * so they meet its checks and limits and show in its figures; seeded, so two runs send the same flow.
 * A round the venue refuses (the API halted, a limit) is logged once per distinct reason, not every
 * round. Every order carries margin for 20 % of its notional, and expires {@value #QUOTE_LIFE_SECONDS} s
 * of oracle time after the market's last price, as a market maker's quotes do: once that time has
 * passed, the state forgets the order's hash too (PruneOrderHash), so the demo's orders do not stay
 * in the state for good.
 */
public final class DemoTraders implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoTraders.class);
    /** Price levels each maker quotes on each side. */
    static final int LEVELS = 3;
    /** How long an order is good for, in the market's oracle time. */
    static final long QUOTE_LIFE_SECONDS = 60;

    private final DemoVenue venue;
    private final Eip712 domain;
    private final SequencerLink sequencer;
    private final List<Signer> makers;
    private final List<Signer> takers;
    private final SplittableRandom random;
    private final long intervalMillis;
    private final Map<String, List<Hash32>> quotes = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long nonce = 1;
    private volatile long ordersSent;
    private volatile long fills;

    public DemoTraders(DemoVenue venue, Eip712 domain, SequencerLink sequencer, List<Signer> makers, List<Signer> takers, long seed,
                       long intervalMillis) {
        this.venue = venue;
        this.domain = domain;
        this.sequencer = sequencer;
        this.makers = List.copyOf(makers);
        this.takers = List.copyOf(takers);
        this.random = new SplittableRandom(seed);
        this.intervalMillis = intervalMillis;
        this.thread = new Thread(this::run, "demo-traders");
        thread.setDaemon(true);
    }

    public DemoTraders start() {
        thread.start();
        return this;
    }

    public long ordersSent() {
        return ordersSent;
    }

    /** Fills the demo's own orders took part in (each counted once per reply that reported it). */
    public long fills() {
        return fills;
    }

    private void run() {
        String lastFailure = null;
        while (running) {
            try {
                round();
                if (lastFailure != null) log.info("event=demo_rounds_resumed");
                lastFailure = null;
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                // a halted API refuses every round for as long as it lasts: one line for it, not one a second
                if (!why.equals(lastFailure)) log.warn("event=demo_round_failed error=\"{}\" action=retry", why);
                lastFailure = why;
                try {
                    Thread.sleep(Math.max(intervalMillis, 1_000));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** One round on every market with a mark price. */
    public void round() throws Exception {
        for (SequencerLink.MarketInfo m : sequencer.markets()) {
            if (m.markPrice() <= 0) continue;
            long mid = m.markPrice() / m.tickSize() * m.tickSize();
            for (Signer mk : makers) requote(mk, m, mid);
            for (Signer tk : takers) {
                if (random.nextInt(3) != 0) continue;
                boolean buy = random.nextBoolean();
                long price = buy ? mid + 3 * m.tickSize() : Math.max(m.tickSize(), mid - 3 * m.tickSize());
                send(tk, m, buy ? Side.BUY : Side.SELL, price, 1 + random.nextInt(3), TimeInForce.IOC);
            }
        }
    }

    private void requote(Signer maker, SequencerLink.MarketInfo m, long mid) throws Exception {
        String key = maker.address() + "/" + m.market();
        List<Hash32> old = quotes.getOrDefault(key, List.of());
        if (!old.isEmpty()) {
            List<CancelRequest> cancels = new ArrayList<>();
            for (Hash32 h : old) cancels.add(new CancelRequest(maker.address(), h, maker.sign(domain.cancelDigest(maker.address(), h))));
            venue.batchCancel(cancels);
        }
        long spread = (1 + random.nextInt(3)) * m.tickSize();
        long step = (1 + random.nextInt(2)) * m.tickSize();
        List<Hash32> fresh = new ArrayList<>();
        for (int level = 0; level < LEVELS; level++) {
            long away = spread + level * step;
            long lots = (2 + random.nextInt(4)) * (level + 1);
            if (mid - away >= m.tickSize()) {
                Hash32 bid = send(maker, m, Side.BUY, mid - away, lots, TimeInForce.GTC);
                if (bid != null) fresh.add(bid);
            }
            Hash32 ask = send(maker, m, Side.SELL, mid + away, lots, TimeInForce.GTC);
            if (ask != null) fresh.add(ask);
        }
        quotes.put(key, fresh);
    }

    private Hash32 send(Signer s, SequencerLink.MarketInfo m, Side side, long price, long lots, TimeInForce tif) throws Exception {
        long size = lots * m.lotSize();
        long margin = lots * price / 5 + 1;
        long expiry = m.lastOracleTs() == 0 ? 0 : m.lastOracleTs() + QUOTE_LIFE_SECONDS;
        Order o = new Order(s.address(), m.market(), side, price, size, 0, tif, 0, expiry, nonce++, margin);
        ObjectNode r = venue.place(new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o))));
        ordersSent++;
        for (var e : r.path("events")) if ("Filled".equals(e.path("event").asText())) fills++;
        var outcome = r.path("outcomes").path(0);
        if (!outcome.path("accepted").asBoolean()) {
            log.debug("event=demo_order_refused market={} reject={}", m.market(), outcome.path("reject").asText());
            return null;
        }
        return Hash32.fromHex(outcome.path("orderHash").asText());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
