package dev.clearline.prover.dispute;

import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.NodeStore;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A sequencer whose STF is crooked at one step: every transition of its batch is one the honest
 * STF applies, but at {@code badStep} it computes the state its own way (a wrong fee, wrong
 * funding, a priority op it skips) and builds on that state from then on. Its roots are its own
 * replay's, so it stands by honest roots before the bad step and by its own after it: the liar a
 * watcher meets when the fraud is in the state, not in the calldata.
 */
final class CrookedSequencer {
    /** The crooked way one step is applied: mutate {@code state} as this sequencer does. */
    @FunctionalInterface
    interface Crook {
        void apply(Stf honest, LeafStore state, Transition t, long batchIndex);
    }

    /** A crooked batch: its header (post-root the crook's), calldata, and the crook's root after each prefix. */
    record Run(BatchHeader header, byte[] calldata, List<Hash32> roots) {
        Claims claims() {
            return prefix -> roots.get(prefix).bytes();
        }
    }

    private CrookedSequencer() {}

    /**
     * Seals {@code transitions} as batch {@code batchIndex} over the state at {@code preVersion} of
     * {@code nodes} (read only: the replay runs on a fork), crooked at {@code badStep}.
     */
    static Run seal(Stf stf, NodeStore nodes, long preVersion, long batchIndex, long priorityOpsConsumed, List<Transition> transitions,
                    int badStep, Crook crook) {
        SparseMerkleTree fork = new SparseMerkleTree(new ForkedNodeStore(nodes, preVersion));
        fork.commit(new WriteSet());
        TreeLeafStore state = new TreeLeafStore(fork);
        List<Hash32> roots = new ArrayList<>();
        roots.add(new Hash32(fork.root().toArray()));
        List<byte[]> pieces = new ArrayList<>();
        ByteArrayOutputStream calldata = new ByteArrayOutputStream();
        for (int step = 0; step < transitions.size(); step++) {
            Transition t = transitions.get(step);
            byte[] encoded = TransitionCodec.encode(t);
            pieces.add(encoded);
            calldata.writeBytes(encoded);
            if (step == badStep) {
                crook.apply(stf, state, t, batchIndex);
            } else {
                Outcome o = stf.apply(state, t, batchIndex);
                if (!o.applied()) throw new IllegalArgumentException("step " + step + " (" + t + ") is refused by the STF: " + o);
            }
            roots.add(state.root());
        }
        BatchHeader header = new BatchHeader(batchIndex, roots.getFirst(), roots.getLast(), pieces.size(), TransitionsRoot.of(pieces),
                priorityOpsConsumed);
        return new Run(header, calldata.toByteArray(), List.copyOf(roots));
    }

    /** Applies the step honestly, then charges the taker every fee of the fill once more, into the market's fees. */
    static final Crook DOUBLE_FEE = (stf, state, t, batchIndex) -> {
        Transition.Trade trade = (Transition.Trade) t;
        OrderLeaf maker = StateReads.order(state, trade.makerId());
        OrderLeaf taker = StateReads.order(state, trade.takerId());
        long feesBefore = StateReads.market(state, maker.marketId()).feesAccrued();
        applied(stf, state, t, batchIndex);
        MarketLeaf market = StateReads.market(state, maker.marketId());
        long fees = market.feesAccrued() - feesBefore;
        PositionLeaf p = StateReads.position(state, taker.trader(), maker.marketId());
        state.putAll(List.of(
                write(StateKeys.position(taker.trader(), maker.marketId()).toArray(), new PositionLeaf(p.size(), p.quote() - fees, p.fundingIndex()).encode()),
                write(StateKeys.market(maker.marketId()).toArray(), market.withFees(market.feesAccrued() + fees).encode())));
    };

    /** Applies the step honestly, but settles both positions' funding with the wrong sign (payers receive, receivers pay). */
    static final Crook FUNDING_SIGN_FLIPPED = (stf, state, t, batchIndex) -> {
        Transition.Trade trade = (Transition.Trade) t;
        OrderLeaf maker = StateReads.order(state, trade.makerId());
        OrderLeaf taker = StateReads.order(state, trade.takerId());
        int market = maker.marketId();
        MarketLeaf m = StateReads.market(state, market);
        List<Address> traders = List.of(maker.trader(), taker.trader());
        List<Long> funding = new ArrayList<>();
        for (Address a : traders) {
            PositionLeaf p = StateReads.position(state, a, market);
            funding.add(Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize()) - p.quote());
        }
        applied(stf, state, t, batchIndex);
        List<LeafStore.Write> writes = new ArrayList<>();
        for (int i = 0; i < traders.size(); i++) {
            PositionLeaf p = StateReads.position(state, traders.get(i), market);
            writes.add(write(StateKeys.position(traders.get(i), market).toArray(),
                    new PositionLeaf(p.size(), p.quote() - 2 * funding.get(i), p.fundingIndex()).encode()));
        }
        state.putAll(writes);
    };

    /** Leaves the state as it was: the priority op is in the calldata (L1 made sure) but its effect is skipped. */
    static final Crook SKIP = (stf, state, t, batchIndex) -> { };

    private static void applied(Stf stf, LeafStore state, Transition t, long batchIndex) {
        Outcome o = stf.apply(state, t, batchIndex);
        if (!o.applied()) throw new IllegalArgumentException(t + " is refused by the STF: " + o);
    }

    private static LeafStore.Write write(byte[] key, byte[] value) {
        return new LeafStore.Write(key, value);
    }
}
