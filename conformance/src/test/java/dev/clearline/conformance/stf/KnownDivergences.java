package dev.clearline.conformance.stf;

import java.util.Optional;

/**
 * Divergences traced to a bug on one side that this module does not own, each with the reason.
 * The differential run counts them apart (they stay visible in its table and in the kept vectors)
 * instead of failing the build; when the bug is fixed the case agrees again and the entry goes.
 */
public final class KnownDivergences {
    private KnownDivergences() {}

    public static Optional<String> explain(Differential.Comparison c) {
        byte[] t = c.c().transition();
        if (c.javaCode() == 0 && c.solidity().reverted() && c.solidity().revert().equals("WitnessProofInvalid(7)")) {
            return Optional.of("SparseMerkleProof.update refuses (UNSUPPORTED_UPDATE) a terminal that would hold three or"
                    + " more leaves after the step (two new keys landing beside one existing leaf), so a valid step that"
                    + " inserts two leaves into one small subtree cannot be proven with one multi-proof; rare at scale"
                    + " (about 1e-6 per step at 1M leaves), common in tiny trees; needs a generalised update (issue 10 part 4)");
        }
        return Optional.empty();
    }
}
