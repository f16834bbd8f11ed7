package dev.clearline.devnet.deploy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.utils.Numeric;

/**
 * The contracts a deployment creates, in order. A contract joins by one line: its artifact name
 * and how its constructor arguments follow from the deployment parameters and the addresses of
 * the set's contracts. The addresses are those of the whole set, predicted from the deployer's
 * nonce before anything is sent (contracts that refer to each other, like the rollup and its
 * dispute game, need that); the deployer checks each prediction after its deployment.
 */
public record ContractSet(List<Spec> contracts) {

    /** Constructor arguments from the parameters and the set's addresses (by contract name). */
    @FunctionalInterface
    public interface ConstructorArgs {
        List<Type<?>> of(DeploymentParameters parameters, Map<String, String> deployed);
    }

    public record Spec(String name, ConstructorArgs args) {}

    public ContractSet {
        contracts = List.copyOf(contracts);
    }

    /**
     * Clearline's contracts: the devnet collateral token, the one-step verifier (three step
     * families behind one entry), the rollup, its dispute game and its escape hatch. Parameters
     * (with their defaults in {@link DeploymentParameters#defaults}) are documented in
     * docs/protocol.md, "Deployment parameters".
     */
    public static ContractSet standard() {
        return new ContractSet(List.of(
                new Spec("TestCollateral", (p, a) -> List.of(new Address(p.get("collateral.minter")))),
                new Spec("PriorityStep", (p, a) -> List.of()),
                new Spec("AccountStep", (p, a) -> List.of()),
                new Spec("TradingStep", (p, a) -> List.of()),
                new Spec("StepVerifier", (p, a) -> List.of(new Address(a.get("PriorityStep")), new Address(a.get("AccountStep")),
                        new Address(a.get("TradingStep")))),
                new Spec("Rollup", (p, a) -> List.of(
                        new Address(p.collateralToken().orElseGet(() -> a.get("TestCollateral"))),
                        new Address(p.get("rollup.governance")),
                        new Address(a.get("DisputeGame")),
                        new Address(a.get("EscapeHatch")),
                        new Uint64(number(p, "rollup.challengePeriod")),
                        new Uint64(number(p, "rollup.forceDelay")),
                        new Uint256(number(p, "rollup.proposerBond")),
                        new Uint256(number(p, "rollup.slashBurnPercent")),
                        new Uint256(number(p, "rollup.maxTransitions")),
                        new Bytes32(Numeric.toBytesPadded(Numeric.toBigInt(p.get("rollup.genesisRoot")), 32)),
                        new Address(p.get("rollup.sequencer")))),
                new Spec("DisputeGame", (p, a) -> List.of(
                        new Address(a.get("Rollup")),
                        new Address(a.get("StepVerifier")),
                        new Uint256(number(p, "dispute.arity")),
                        new Uint64(number(p, "dispute.clockBudget")),
                        new Uint256(number(p, "dispute.challengeBond")))),
                new Spec("EscapeHatch", (p, a) -> List.of(
                        new Address(a.get("Rollup")),
                        new Uint64(number(p, "escape.claimWindow"))))));
    }

    /**
     * The set these parameters deploy: {@link #standard()}, without its {@code TestCollateral}
     * when they name an existing collateral token ({@code collateral.token}).
     */
    public static ContractSet of(DeploymentParameters parameters) {
        ContractSet all = standard();
        if (parameters.collateralToken().isEmpty()) return all;
        return new ContractSet(all.contracts().stream().filter(s -> !s.name().equals("TestCollateral")).toList());
    }

    private static BigInteger number(DeploymentParameters p, String name) {
        String v = p.get(name);
        try {
            BigInteger n = v.startsWith("0x") ? Numeric.toBigInt(v) : new BigInteger(v);
            if (n.signum() < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("deployment parameter " + name + " = " + v
                    + " is not a non-negative integer; pass it with --param " + name + "=<number>");
        }
    }

    public List<String> names() {
        return contracts.stream().map(Spec::name).toList();
    }
}
