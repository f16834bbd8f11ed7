package dev.clearline.conformance.stf;

import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.evm.Address;
import dev.clearline.prover.trace.StepCallAbi;
import dev.clearline.prover.trace.StepVm;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Solidity STF deployed in an embedded EVM: the prover's {@link StepVm} (the one-step verifier
 * a watcher runs before sending a proof), so the conformance tests check exactly what the prover
 * relies on. This class only shapes its answers for the differential tests.
 */
public final class StepHarness implements AutoCloseable {
    static final String[] CONTRACTS = {"PriorityStep", "AccountStep", "TradingStep", "StepVerifier"};
    static final long GAS = 30_000_000L;
    private static final long CHAIN_ID = 31337;

    private final StepVm vm = new StepVm(CHAIN_ID, MutantArtifacts.current()); // the built contracts, or a Solidity mutant in front of them

    /** Contract addresses by name, in {@link #CONTRACTS} order. */
    public Map<String, Address> deployed() {
        Map<String, Address> byName = new LinkedHashMap<>();
        Map<Address, String> names = vm.contracts();
        for (String name : CONTRACTS) {
            names.forEach((a, n) -> {
                if (n.equals(name)) byName.put(name, a);
            });
        }
        return byName;
    }

    Address verifier() {
        return vm.verifier();
    }

    public byte[] code(Address a) {
        return vm.code(a);
    }

    /** What one step did in the EVM: a result, or a revert (with its decoded custom error), and the gas. */
    public record Outcome(StepCallAbi.Result result, String revert, long gas) {
        public boolean reverted() {
            return result == null;
        }
    }

    public Outcome step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        StepVm.Outcome o = vm.step(preRoot, transition, witness, batchIndex, domainSeparator);
        return new Outcome(o.result().orElse(null), o.revert().orElse(null), o.gasUsed());
    }

    /** Revert data as {@code Name(args)} when it is one of the step contracts' custom errors. */
    String decodeRevert(byte[] data) {
        return vm.describeRevert(data).orElseGet(() -> "revert 0x" + HexFormat.of().formatHex(data));
    }

    @Override
    public void close() {
        vm.close();
    }
}
