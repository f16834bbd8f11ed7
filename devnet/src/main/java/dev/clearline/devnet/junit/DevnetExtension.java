package dev.clearline.devnet.junit;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;

/**
 * JUnit 5 extension behind {@link WithDevnet}: one devnet per test class (started before the
 * first test, closed after the last), the standard contracts deployed, and an evm_snapshot
 * before each test reverted after it. The node's clock is a counter that starts at
 * {@value #GENESIS_TIME} and moves only by time travel, so runs are reproducible.
 */
public final class DevnetExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** 2023-11-14T22:13:20Z: a fixed genesis time keeps block timestamps the same run to run. */
    public static final long GENESIS_TIME = 1_700_000_000L;
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DevnetExtension.class);

    /** Closes the class's devnet when JUnit closes the class's store. */
    private record Running(DevnetContext context, Path manifestDir) implements AutoCloseable {
        @Override
        public void close() {
            context.devnet().close();
            try (var files = Files.walk(manifestDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext ctx) throws Exception {
        running(ctx);
    }

    private Running running(ExtensionContext ctx) {
        ExtensionContext classCtx = classContext(ctx);
        return classCtx.getStore(NS).getOrComputeIfAbsent("devnet", k -> start(classCtx), Running.class);
    }

    private static ExtensionContext classContext(ExtensionContext ctx) {
        ExtensionContext c = ctx;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) c = c.getParent().get();
        return c;
    }

    private static Running start(ExtensionContext classCtx) {
        WithDevnet options = classCtx.getRequiredTestClass().getAnnotation(WithDevnet.class);
        boolean deploy = options == null || options.deploy();
        long chainId = options == null ? NodeConfig.DEFAULT_CHAIN_ID : options.chainId();
        boolean http = options != null && options.http();
        AtomicLong clock = new AtomicLong(GENESIS_TIME);
        NodeConfig config = NodeConfig.defaults(clock::get).withChainId(chainId);
        Devnet devnet = Devnet.start(http ? Devnet.Options.http(config, 0) : Devnet.Options.inProcess(config));
        try {
            Web3jService service = devnet.web3jService();
            Web3j web3j = Web3j.build(service);
            Path dir = Files.createTempDirectory("clearline-devnet-test");
            Manifest manifest = deploy ? deploy(devnet, service, dir.resolve("deployment.json"), overrides(options))
                    : new Manifest(Manifest.VERSION, chainId, devnet.accounts().first().getAddress(), 0, null, Map.of(), List.of());
            return new Running(new DevnetContext(devnet, service, web3j, manifest, devnet.accounts(), new TimeTravel(service)), dir);
        } catch (IOException | RuntimeException e) {
            devnet.close();
            throw new IllegalStateException("could not start the test devnet: " + e.getMessage(), e);
        }
    }

    /** The annotation's {@code name=value} parameters as a map. */
    private static Map<String, String> overrides(WithDevnet options) {
        if (options == null) return Map.of();
        Map<String, String> out = new java.util.TreeMap<>();
        for (String p : options.parameters()) {
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("@WithDevnet parameter \"" + p + "\" is not name=value (\"rollup.maxTransitions=4\")");
            out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return out;
    }

    private static Manifest deploy(Devnet devnet, Web3jService service, Path manifest, Map<String, String> overrides) {
        var deployer = new Deployer(service, devnet.accounts().first(), Artifacts.onClasspath(), Deployer.Settings.defaults(),
                message -> { }, System::currentTimeMillis);
        // tests post from many keys (an operator, a rogue proposer, a watcher defending): the test
        // devnet's rollup is open to every bonded proposer unless the test names its sequencer
        Map<String, String> withOpen = new java.util.TreeMap<>(overrides);
        withOpen.putIfAbsent("rollup.sequencer", "0x" + "0".repeat(40));
        var params = DeploymentParameters.defaults(devnet.accounts().first().getAddress(), withOpen);
        return switch (deployer.deploy(ContractSet.standard(), params, manifest, true)) {
            case Deployer.Deployed d -> d.manifest();
            case Deployer.Failed f -> throw new IllegalStateException("deploying the contract set failed: " + f.message());
        };
    }

    @Override
    public void beforeEach(ExtensionContext ctx) {
        Running r = running(ctx);
        ctx.getStore(NS).put("snapshot", r.context().time().snapshot());
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        String snapshot = ctx.getStore(NS).remove("snapshot", String.class);
        if (snapshot != null && !running(ctx).context().time().revert(snapshot)) {
            throw new IllegalStateException("evm_revert to " + snapshot + " failed: did the test revert past the harness's snapshot?");
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) throws ParameterResolutionException {
        return p.getParameter().getType() == DevnetContext.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) throws ParameterResolutionException {
        return running(ctx).context();
    }
}
