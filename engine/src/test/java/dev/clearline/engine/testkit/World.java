package dev.clearline.engine.testkit;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.*;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A small deterministic world for tests: a domain, real secp256k1 keys, a real state tree, and
 * helpers that build signed transitions. Keys are fixed so failures reproduce.
 */
public final class World {
    public static final long CHAIN_ID = 31337;
    public static final Address ROLLUP = Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    public static final long TICK = 100;        // quote units per lot
    public static final long LOT = 1_000;       // base units per lot
    public static final int IMF = 100_000;      // 10 %
    public static final int MMF = 50_000;       // 5 %
    public static final int MAKER_FEE = 200;    // 2 bp
    public static final int TAKER_FEE = 500;    // 5 bp

    public final Eip712 domain = new Eip712(CHAIN_ID, ROLLUP);
    public final Stf stf = new Stf(domain, new BouncyCastleVerifier());
    public final MemoryNodeStore nodes = new MemoryNodeStore();
    public final TreeLeafStore state = new TreeLeafStore(new SparseMerkleTree(nodes));
    public final Signer oracle = signer(999);
    public final List<Transition> applied = new ArrayList<>();
    private long priorityIndex;
    private long nonceSeq;

    public static Signer signer(int i) {
        return new Signer(BigInteger.valueOf(1_000_003L * (i + 1)));
    }

    /** A fresh order nonce (orders built by hand). */
    public long nonceSeq() {
        return nonceSeq++;
    }

    public Outcome apply(Transition t) {
        Outcome o = stf.apply(state, t);
        if (o.applied()) applied.add(t);
        return o;
    }

    /** Applies and fails the test if the STF refuses. */
    public void ok(Transition t) {
        Outcome o = apply(t);
        if (!o.applied()) throw new AssertionError(t + " was rejected: " + o);
    }

    public MarketConfig market(int id) {
        return new MarketConfig(priorityIndex++, 0, id, TICK, LOT, IMF, MMF, MAKER_FEE, TAKER_FEE, oracle.address());
    }

    public Deposit deposit(Address owner, long amount) {
        return new Deposit(priorityIndex++, 0, owner, amount);
    }

    public ForcedCancel forcedCancel(Address owner, Hash32 orderHash) {
        return new ForcedCancel(priorityIndex++, 0, owner, orderHash);
    }

    public OraclePrice price(int market, long price, long fundingIndex, long ts) {
        return new OraclePrice(market, price, fundingIndex, ts, oracle.sign(domain.oraclePriceDigest(market, price, fundingIndex, ts)));
    }

    public Order order(Signer s, int market, Side side, long price, long size, long margin) {
        return new Order(s.address(), market, side, price, size, 0, TimeInForce.GTC, 0, 0, nonceSeq++, margin);
    }

    public PostOrder post(Signer s, Order o) {
        return new PostOrder(o, s.sign(domain.orderDigest(o)));
    }

    public Hash32 hash(Order o) {
        return domain.orderDigest(o);
    }

    /** The short id the order's PostOrder gave it; 0 (names no order) when it was never posted. */
    public long id(Order o) {
        OrderHashLeaf h = StateReads.orderHash(state, hash(o));
        return h == null ? 0 : h.orderId();
    }

    /** A fill of {@code maker} by {@code taker}, named by their short ids. */
    public Trade trade(Order maker, Order taker, long size) {
        return new Trade(id(maker), id(taker), size);
    }

    /** A fill of a book-pegged {@code maker} by {@code taker} at an explicit price. */
    public TradeAtPrice tradeAt(Order maker, Order taker, long size, long price) {
        return new TradeAtPrice(id(maker), id(taker), size, price);
    }

    public Allocate allocate(Signer s, int market, long amount, long nonce) {
        return new Allocate(s.address(), market, amount, nonce, s.sign(domain.allocateDigest(s.address(), market, amount, nonce)));
    }

    public Release release(Signer s, int market, long amount, long nonce) {
        return new Release(s.address(), market, amount, nonce, s.sign(domain.releaseDigest(s.address(), market, amount, nonce)));
    }

    public Withdraw withdraw(Signer s, long amount, long nonce) {
        return new Withdraw(s.address(), s.address(), amount, nonce, s.sign(domain.withdrawDigest(s.address(), s.address(), amount, nonce)));
    }

    public Cancel cancel(Signer s, Hash32 orderHash) {
        return new Cancel(s.address(), orderHash, s.sign(domain.cancelDigest(s.address(), orderHash)));
    }
}
