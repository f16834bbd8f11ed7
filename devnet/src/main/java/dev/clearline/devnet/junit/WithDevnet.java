package dev.clearline.devnet.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the test class a devnet with the standard contracts deployed: declare a
 * {@link DevnetContext} parameter on a test, lifecycle method or constructor. Each test runs
 * between an evm_snapshot and an evm_revert, so tests do not see each other's transactions.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(DevnetExtension.class)
public @interface WithDevnet {
    /** Deploy the standard contract set before the first test. */
    boolean deploy() default true;

    /** The devnet's chain id. */
    long chainId() default 31337;

    /** Also serve JSON-RPC over HTTP on a free 127.0.0.1 port (for tools that need a URL). */
    boolean http() default false;

    /**
     * Deployment parameters that differ from the defaults, as {@code name=value}
     * ({@code "rollup.maxTransitions=4"}); a name the deployer does not know fails the start with the
     * list of names. Unlike a deployment's defaults, {@code rollup.sequencer} is zero (open posting)
     * unless given here, since tests post from several keys.
     */
    String[] parameters() default {};
}
