package dev.clearline.engine.bench.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * STF throughput: Trade transitions (fills of already posted orders) applied through {@link Stf}
 * to a tree holding 1M positions (250k owners x 4 markets, in-memory node store), with the state
 * root committed every 1,000 transitions, as a batch would; versions older than the latest are
 * pruned as they are committed (a sequencer prunes finalized batches).
 */
public final class StfBenchmark {
    static final int MARKETS = 4;

    private StfBenchmark() {}

    public static List<Report.Row> run(boolean full) {
        int positions = 1_000_000;
        int owners = positions / MARKETS;
        int fills = full ? 200_000 : 60_000;
        int warmup = 20_000;
        SplittableRandom rng = new SplittableRandom(7);
        Eip712 domain = new Eip712(1, Address.fromHex("0x00000000000000000000000000000000000000aa"));
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        long t0 = System.nanoTime();
        Address[] addr = new Address[owners];
        WriteSet ws = new WriteSet();
        for (int m = 1; m <= MARKETS; m++) {
            ws.put(StateKeys.market(m), new MarketLeaf(1, 1, 100_000, 50_000, 100, 200, 0, Address.fromHex("0x00000000000000000000000000000000000000bb"),
                    10_000, 0, 1, 0).encode());
        }
        byte[] positionValue = new PositionLeaf(0, 1_000_000_000L, 0).encode();
        for (int i = 0; i < owners; i++) {
            byte[] a = new byte[20];
            a[0] = 2;
            a[17] = (byte) (i >>> 16);
            a[18] = (byte) (i >>> 8);
            a[19] = (byte) i;
            addr[i] = new Address(a);
            for (int m = 1; m <= MARKETS; m++) ws.put(StateKeys.position(addr[i], m), positionValue);
        }
        // the orders every fill references, posted up front (a PostOrder costs a signature recovery, measured apart)
        int total = fills + warmup;
        long[] makers = new long[total];
        long[] takers = new long[total];
        for (int i = 0; i < total; i++) {
            int m = 1 + rng.nextInt(MARKETS);
            int a = rng.nextInt(owners);
            int b = (a + 1 + rng.nextInt(owners - 1)) % owners;
            makers[i] = 2L * i + 1;
            takers[i] = 2L * i + 2;
            long price = 10_000 + rng.nextInt(-50, 51);
            ws.put(StateKeys.orderState(makers[i]), order(addr[a], m, i % 2 == 0, price).encode());
            ws.put(StateKeys.orderState(takers[i]), order(addr[b], m, i % 2 != 0, price).encode());
        }
        tree.commit(ws);
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("stf: built a tree of %,d positions + %,d orders in %.1f s%n", positions, 2 * total, buildSeconds);

        TreeLeafStore store = new TreeLeafStore(tree);
        Stf stf = new Stf(domain, new BouncyCastleVerifier());
        for (int i = 0; i < warmup; i++) apply(stf, store, makers[i], takers[i], i);
        store.root();
        long start = System.nanoTime();
        for (int i = warmup; i < total; i++) apply(stf, store, makers[i], takers[i], i);
        // a sequencer keeps only unfinalized versions; here: the latest, so old nodes can be collected
        store.root();
        double rate = fills / ((System.nanoTime() - start) / 1e9);
        System.out.printf("stf: %,.0f fills/s%n", rate);
        List<Report.Row> rows = new ArrayList<>();
        rows.add(new Report.Row("STF", "fills applied", rate, "fills/s", ">= 50,000",
                String.format("%,d Trade transitions on a %,d-position tree (in-memory store), root committed every 1,000; tree built in %.0f s",
                        fills, positions, buildSeconds)));
        return rows;
    }

    private static OrderLeaf order(Address trader, int market, boolean isBuy, long price) {
        return new OrderLeaf(trader, market, isBuy, price, 10, 0, dev.clearline.engine.order.Peg.NONE, 0,
                dev.clearline.engine.order.TimeInForce.GTC, 0, 0, 0, false);
    }

    private static void apply(Stf stf, TreeLeafStore store, long maker, long taker, int i) {
        if (!stf.apply(store, new Transition.Trade(maker, taker, 5)).applied()) throw new AssertionError("fill " + i + " was rejected");
        if (i % 1_000 == 999) {
            store.root();
            store.tree().prune(store.tree().latestVersion());
        }
    }
}
