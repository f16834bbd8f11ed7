package dev.clearline.conformance.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.trace.StepCallAbi;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * Runs one case through the Java STF (building the witness as it goes) and through the Solidity
 * step, and says whether they agree: the same reject code, and when applied the same post-root
 * (and for a consumed priority op the same rolling queue hash).
 */
public final class Differential {
    public static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x00000000000000000000000000000000c1ea4111"));

    private static final byte[] GLOBAL_KEY = StateKeys.global().toArray();

    private final WitnessBuilder builder = new WitnessBuilder(new Stf(DOMAIN, new BouncyCastleVerifier()));
    private final StepRunner solidity;

    /** Anything that runs {@code IStepVerifier.step}: the embedded EVM, or a JSON-RPC node. */
    public interface StepRunner {
        StepHarness.Outcome step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator);
    }

    public Differential(StepRunner solidity) {
        this.solidity = solidity;
    }

    /** Both sides' verdicts on one case. */
    public record Comparison(StepCase c, int javaCode, byte[] preRoot, byte[] javaRoot, byte[] javaPriorityHash, long javaPriorityIndex,
                             StepHarness.Outcome solidity, byte[] witness) {
        /**
         * Same code, same post-root, and for a consumed priority op the same index and rolling queue hash
         * (the rollup checks a batch's priority ops in order by them).
         */
        public boolean agree() {
            if (solidity.reverted()) return false;
            StepCallAbi.Result r = solidity.result();
            boolean priority = javaPriorityHash == null
                    ? !r.priorityConsumed()
                    : r.priorityConsumed() && r.priorityIndex() == javaPriorityIndex && Arrays.equals(r.priorityHash(), javaPriorityHash);
            return r.reject() == javaCode && Arrays.equals(r.postRoot(), javaRoot) && priority;
        }

        public String describe() {
            HexFormat hex = HexFormat.of();
            return "seed=" + c.seed() + " type=" + c.type() + " java=" + javaCode + " root=0x" + hex.formatHex(javaRoot)
                    + " solidity=" + (solidity.reverted() ? solidity.revert()
                    : solidity.result().reject() + " root=0x" + hex.formatHex(solidity.result().postRoot()))
                    + " transition=0x" + hex.formatHex(c.transition());
        }
    }

    public Comparison run(StepCase c) {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore(), 1 << 10);
        WriteSet initial = new WriteSet();
        for (Map.Entry<Bytes32, byte[]> e : c.preState().entrySet()) initial.put(e.getKey(), e.getValue());
        long v = c.preState().isEmpty() ? tree.latestVersion() : tree.commit(initial);
        byte[] preRoot = tree.root(v).toArray();
        StepWitness w = builder.build(tree, v, c.transition(), c.batchIndex());
        byte[] javaRoot = preRoot;
        byte[] javaPriorityHash = null;
        long javaPriorityIndex = -1;
        if (w.verdict() instanceof StepWitness.Verdict.Applied a && !a.writes().isEmpty()) {
            WriteSet ws = new WriteSet();
            for (LeafStore.Write write : a.writes()) {
                if (write.deletes()) ws.delete(Bytes32.of(write.key()));
                else ws.put(Bytes32.of(write.key()), write.value());
                if (c.type() <= 4 && Arrays.equals(write.key(), GLOBAL_KEY)) {
                    GlobalLeaf after = GlobalLeaf.decode(write.value());
                    javaPriorityHash = after.priorityHash().bytes();
                    javaPriorityIndex = after.priorityOpsConsumed() - 1; // the op just consumed
                }
            }
            javaRoot = tree.root(tree.commit(ws)).toArray();
        }
        byte[] witness = w.witness().encode();
        StepHarness.Outcome sol = solidity.step(preRoot, c.transition(), witness, c.batchIndex(), DOMAIN.domainSeparator().bytes());
        return new Comparison(c, w.verdict().code(), preRoot, javaRoot, javaPriorityHash, javaPriorityIndex, sol, witness);
    }
}
