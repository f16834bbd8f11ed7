package dev.clearline.sequencer;

import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignatureStage;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small deterministic trading world for the sequencer's tests: one market, a few funded traders
 * with fixed keys, an oracle, and generators of signed, verified commands.
 */
public final class Market {
    public static final Address ROLLUP = Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    public static final Genesis GENESIS = new Genesis(31337, ROLLUP,
            new dev.clearline.engine.exchange.MarketBooks(1 << 12, 1 << 20, 1 << 12), new dev.clearline.engine.batch.BatchPolicy(64, 2));
    public static final int MARKET = 1;
    public static final long TICK = 100, LOT = 1_000;
    public static final long START = 1_700_000_000L;

    public final Eip712 domain = GENESIS.domain();
    public final SignatureStage stage = new SignatureStage(domain, new NativeSecp256k1Verifier());
    public final Signer oracle = signer(999);
    public final List<Signer> traders = new ArrayList<>();
    private long nonce;

    public Market(int traderCount) {
        for (int i = 0; i < traderCount; i++) traders.add(signer(i));
    }

    public static Signer signer(int i) {
        return new Signer(BigInteger.valueOf(1_000_003L * (i + 1)));
    }

    /** Market listing, deposits for every trader, and a first oracle price: what any session starts with. */
    public List<Command> opening(long clientId) {
        List<Command> out = new ArrayList<>();
        long p = 0;
        out.add(new Command.L1Op(clientId, out.size() + 1, new Transition.MarketConfig(p++, 0, MARKET, TICK, LOT, 100_000, 50_000, 200, 500, oracle.address())));
        for (Signer s : traders) out.add(new Command.L1Op(clientId, out.size() + 1, new Transition.Deposit(p++, 0, s.address(), 1_000_000_000_000L)));
        out.add(new Command.Oracle(clientId, out.size() + 1, price(10_000, START)));
        return out;
    }

    /** A signed Allocate ({@code allocate}) or Release of {@code amount} in the market. */
    public Transition marginMove(Signer s, boolean allocate, long amount, long balanceNonce) {
        return allocate
                ? new Transition.Allocate(s.address(), MARKET, amount, balanceNonce, s.sign(domain.allocateDigest(s.address(), MARKET, amount, balanceNonce)))
                : new Transition.Release(s.address(), MARKET, amount, balanceNonce, s.sign(domain.releaseDigest(s.address(), MARKET, amount, balanceNonce)));
    }

    public Transition.OraclePrice price(long price, long ts) {
        return new Transition.OraclePrice(MARKET, price, 0, ts, oracle.sign(domain.oraclePriceDigest(MARKET, price, 0, ts)));
    }

    /** A random limit order near 10_000 (about half of them cross), signed and verified. */
    public VerifiedOrder randomOrder(Random r) {
        Signer s = traders.get(r.nextInt(traders.size()));
        Side side = r.nextBoolean() ? Side.BUY : Side.SELL;
        long price = (95 + r.nextInt(11)) * TICK;
        long size = (1 + r.nextInt(5)) * LOT;
        TimeInForce tif = r.nextInt(5) == 0 ? TimeInForce.IOC : TimeInForce.GTC;
        return order(s, new Order(s.address(), MARKET, side, price, size, 0, tif, 0, 0, nonce++, 1_000_000));
    }

    public SignedOrder signed(Signer s, Order o) {
        return new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o)));
    }

    public VerifiedOrder order(Signer s, Order o) {
        return (VerifiedOrder) stage.verify(signed(s, o));
    }

    public VerifiedCancel cancel(Signer s, Hash32 orderHash) {
        return (VerifiedCancel) stage.verify(new CancelRequest(s.address(), orderHash, s.sign(domain.cancelDigest(s.address(), orderHash))));
    }

    public Signer owner(Address a) {
        for (Signer s : traders) if (s.address().equals(a)) return s;
        throw new IllegalArgumentException("no trader " + a);
    }

    /** A random flow: mostly orders, some cancels of earlier orders, an oracle move, time ticks and margin moves. */
    public List<Command> flow(long clientId, long firstSeq, int count, Random r) {
        List<Command> out = new ArrayList<>();
        List<VerifiedOrder> placed = new ArrayList<>();
        java.util.Map<Address, Long> balanceNonces = new java.util.HashMap<>();
        long seq = firstSeq;
        long ts = START;
        for (int i = 0; i < count; i++) {
            int pick = r.nextInt(20);
            if (pick < 14 || placed.isEmpty()) {
                VerifiedOrder o = randomOrder(r);
                placed.add(o);
                out.add(new Command.Place(clientId, seq++, o));
            } else if (pick < 17) {
                VerifiedOrder o = placed.get(r.nextInt(placed.size()));
                out.add(new Command.Cancel(clientId, seq++, cancel(owner(o.order().trader()), o.hash())));
            } else if (pick < 18) {
                out.add(new Command.Oracle(clientId, seq++, price((97 + r.nextInt(7)) * TICK, ++ts)));
            } else if (pick < 19) {
                // one move in four is more than any balance or position here holds and is refused, keeping the nonce; the
                // others are small and counted as accepted (a refused one would leave that trader's later moves refused
                // as BAD_NONCE, which the log must replay alike too)
                Signer s = traders.get(r.nextInt(traders.size()));
                boolean tooMuch = r.nextInt(4) == 0;
                long n = tooMuch ? balanceNonces.getOrDefault(s.address(), 0L) : balanceNonces.merge(s.address(), 1L, Long::sum) - 1;
                out.add(new Command.Signed(clientId, seq++, marginMove(s, r.nextInt(3) > 0, tooMuch ? 10_000_000_000_000L : 1 + r.nextInt(50_000), n)));
            } else {
                out.add(new Command.TimeTick(clientId, seq++, START + i));
            }
        }
        return out;
    }
}
