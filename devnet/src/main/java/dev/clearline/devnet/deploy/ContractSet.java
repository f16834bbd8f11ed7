package dev.clearline.devnet.deploy;

import java.util.List;
import java.util.Map;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Type;

/**
 * The contracts a deployment creates, in order. A contract joins by one line: its artifact name
 * and how its constructor arguments follow from the deployment parameters and the addresses of
 * contracts deployed before it.
 */
public record ContractSet(List<Spec> contracts) {

    /** Constructor arguments from the parameters and the addresses deployed so far (by contract name). */
    @FunctionalInterface
    public interface ConstructorArgs {
        List<Type<?>> of(DeploymentParameters parameters, Map<String, String> deployed);
    }

    public record Spec(String name, ConstructorArgs args) {}

    public ContractSet {
        contracts = List.copyOf(contracts);
    }

    /** Clearline's contracts as they exist today. */
    public static ContractSet standard() {
        return new ContractSet(List.of(
                new Spec("TestCollateral", (p, deployed) -> List.of(new Address(p.get("collateral.minter"))))));
    }

    public List<String> names() {
        return contracts.stream().map(Spec::name).toList();
    }
}
