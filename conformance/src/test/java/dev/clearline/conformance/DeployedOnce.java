package dev.clearline.conformance;

import dev.clearline.conformance.stf.Differential;
import dev.clearline.conformance.stf.StepHarness;
import dev.clearline.conformance.tree.ProofHarness;
import dev.clearline.conformance.tree.StateKeysHarness;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The Solidity under test, deployed in the embedded EVM once per test run and handed to every test
 * class that asks for it in its constructor: the one-step STF ({@link StepHarness}, and the
 * {@link Differential} that runs the Java STF beside it), the proof library's harness
 * ({@link ProofHarness}) and the state keys' ({@link StateKeysHarness}). JUnit closes them when the run ends. Once per run, not per class: a
 * Solidity mutation campaign starts a run per mutant, so each mutant is deployed once and meets
 * every class; and the classes keep no deploy-and-close pair of their own.
 */
public final class DeployedOnce implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DeployedOnce.class);

    private record Step(StepHarness evm, Differential differential) implements AutoCloseable {
        @Override
        public void close() {
            evm.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == StepHarness.class || type == Differential.class || type == ProofHarness.class || type == StateKeysHarness.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == ProofHarness.class) return once(context, ProofHarness.class, ProofHarness::new);
        if (type == StateKeysHarness.class) return once(context, StateKeysHarness.class, StateKeysHarness::new);
        Step step = once(context, Step.class, () -> {
            StepHarness evm = new StepHarness();
            return new Step(evm, new Differential(evm::step));
        });
        return type == StepHarness.class ? step.evm() : step.differential();
    }

    private static <T extends AutoCloseable> T once(ExtensionContext context, Class<T> type, Supplier<T> deploy) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(type, k -> deploy.get(), type);
    }
}
