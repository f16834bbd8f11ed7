package dev.clearline.cli;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.protocol.Web3j;

/**
 * The L2 state after the last finalized batch, rebuilt from L1 alone: every finalized batch's
 * calldata (from the transactions that posted it) replayed with the Java STF, each post-root
 * checked against the one the rollup holds. What a user needs without the operator: their
 * withdrawal leaves and Merkle proofs of them under a finalized root.
 */
final class L1State {
    record Withdrawal(long id, Address recipient, long amount) {}

    private final SparseMerkleTree tree;
    private final TreeLeafStore store;
    private final long version;
    private final long finalizedBatch;

    private L1State(SparseMerkleTree tree, TreeLeafStore store, long version, long finalizedBatch) {
        this.tree = tree;
        this.store = store;
        this.version = version;
        this.finalizedBatch = finalizedBatch;
    }

    static L1State rebuild(Web3j web3j, Rollup rollup, long chainId) throws Exception {
        long finalized = rollup.finalizedCount().send().longValueExact();
        RollupLog log = new RollupLog(web3j, rollup.getContractAddress());
        Map<Long, RollupLog.Posted> byIndex = new HashMap<>();
        if (finalized > 0) {
            // a batch index posted again after a rejection: the later posting is the one that stood
            for (RollupLog.Posted p : log.batches(0, log.latestBlock())) byIndex.put(p.batch().header().batchIndex(), p);
        }
        Stf stf = new Stf(new Eip712(chainId, Address.fromHex(rollup.getContractAddress())), new BouncyCastleVerifier());
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        TreeLeafStore store = new TreeLeafStore(tree);
        long version = store.commit();
        for (long i = 0; i < finalized; i++) {
            RollupLog.Posted p = byIndex.get(i);
            if (p == null) throw new IOException("finalized batch " + i + " is not among the rollup's BatchSubmitted events; is --rpc-url an archive of this chain?");
            byte[] calldata = p.batch().calldata();
            int at = 0;
            while (at < calldata.length) {
                int len = TransitionCodec.lengthOf(calldata[at] & 0xff);
                stf.applyEncoded(store, Arrays.copyOfRange(calldata, at, at + len), i);
                at += len;
            }
            version = store.commit();
            if (!store.root().equals(p.batch().header().postStateRoot())) {
                throw new IOException("finalized batch " + i + " replays to root " + store.root() + " but L1 holds "
                        + p.batch().header().postStateRoot() + ": the chain finalized a wrong batch; see ./clearline verify-batches");
            }
        }
        return new L1State(tree, store, version, finalized - 1);
    }

    /** The last finalized batch (-1 when none is). */
    long finalizedBatch() {
        return finalizedBatch;
    }

    /** Every withdrawal leaf paying {@code recipient} in the finalized state, claimed or not. */
    List<Withdrawal> withdrawalsTo(Address recipient) {
        List<Withdrawal> out = new ArrayList<>();
        if (finalizedBatch < 0) return out;
        GlobalLeaf g = StateReads.global(store);
        for (long id = 0; id < g.nextWithdrawalId(); id++) {
            WithdrawalLeaf w = StateReads.withdrawal(store, id);
            if (w != null && w.recipient().equals(recipient)) out.add(new Withdrawal(id, w.recipient(), w.amount()));
        }
        return out;
    }

    /** The root of the rebuilt state (the last finalized batch's post-root). */
    dev.clearline.engine.order.Hash32 root() {
        return store.root();
    }

    /** {@code owner}'s BALANCE leaf in the finalized state as {free, nonce} (zeros when absent). */
    long[] balance(Address owner) {
        var b = StateReads.balance(store, owner);
        return b == null ? new long[2] : new long[] {b.free(), b.nonce()};
    }

    /** The encoded Merkle proof of {@code owner}'s BALANCE leaf under the finalized root. */
    byte[] balanceProof(Address owner) {
        return tree.prove(version, List.of(StateKeys.balance(owner))).encode();
    }

    /** The encoded Merkle proof of withdrawal {@code id}'s leaf under the finalized root (what claimWithdrawal checks). */
    byte[] proof(long id) {
        return tree.prove(version, List.of(StateKeys.withdrawal(id))).encode();
    }
}
