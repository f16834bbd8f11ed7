package dev.clearline.conformance.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.WitnessBuilder;
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
final class Differential {
    static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x00000000000000000000000000000000c1ea4111"));

    private final WitnessBuilder builder = new WitnessBuilder(new Stf(DOMAIN, new BouncyCastleVerifier()));
    private final StepRunner solidity;

    /** Anything that runs {@code IStepVerifier.step}: the embedded EVM, or a JSON-RPC node. */
    interface StepRunner {
        StepHarness.Outcome step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator);
    }

    Differential(StepRunner solidity) {
        this.solidity = solidity;
    }

    /** Both sides' verdicts on one case. */
    record Comparison(StepCase c, int javaCode, byte[] javaRoot, StepHarness.Outcome solidity, byte[] witness) {
        boolean agree() {
            if (solidity.reverted()) return false;
            return solidity.result().reject() == javaCode && Arrays.equals(solidity.result().postRoot(), javaRoot);
        }

        String describe() {
            HexFormat hex = HexFormat.of();
            return "seed=" + c.seed() + " type=" + c.type() + " java=" + javaCode + " root=0x" + hex.formatHex(javaRoot)
                    + " solidity=" + (solidity.reverted() ? solidity.revert()
                    : solidity.result().reject() + " root=0x" + hex.formatHex(solidity.result().postRoot()))
                    + " transition=0x" + hex.formatHex(c.transition());
        }
    }

    Comparison run(StepCase c) {
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore(), 1 << 10);
        WriteSet initial = new WriteSet();
        for (Map.Entry<Bytes32, byte[]> e : c.preState().entrySet()) initial.put(e.getKey(), e.getValue());
        long v = c.preState().isEmpty() ? tree.latestVersion() : tree.commit(initial);
        byte[] preRoot = tree.root(v).toArray();
        StepWitness w = builder.build(tree, v, c.transition());
        byte[] javaRoot = preRoot;
        if (w.verdict() instanceof StepWitness.Verdict.Applied a && !a.writes().isEmpty()) {
            WriteSet ws = new WriteSet();
            for (LeafStore.Write write : a.writes()) ws.put(Bytes32.of(write.key()), write.value());
            javaRoot = tree.root(tree.commit(ws)).toArray();
        }
        byte[] witness = w.witness().encode();
        StepHarness.Outcome sol = solidity.step(preRoot, c.transition(), witness, c.batchIndex(), DOMAIN.domainSeparator().bytes());
        return new Comparison(c, w.verdict().code(), javaRoot, sol, witness);
    }
}
