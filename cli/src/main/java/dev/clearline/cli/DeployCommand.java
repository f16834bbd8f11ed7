package dev.clearline.cli;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.prover.l1.PublicKeys;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import java.math.BigInteger;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.utils.Numeric;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy the Clearline contract set to any JSON-RPC endpoint, verify the code, and write the deployment manifest.",
                "Re-running against a manifest that matches the chain does nothing; a stale manifest is reported (use --fresh)."})
final class DeployCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DeployCommand.class);
    private final PrintWriter out;
    private final PrintWriter err;

    @Option(names = "--rpc-url", defaultValue = "http://127.0.0.1:8545", converter = Converters.RpcUrl.class,
            description = "JSON-RPC endpoint, an http:// or https:// URL. Default: ${DEFAULT-VALUE}.")
    URI rpcUrl;

    @Option(names = {"--key", "--private-key"}, converter = Converters.PrivateKey.class,
            description = "Deployer key: 32 bytes as 64 hex digits, 0x optional (--key, as every other command takes it; --private-key is the"
                    + " same). Default: the devnet's first dev key (Hardhat's account 0).")
    Credentials privateKey;

    /** The deployer key kept off the command line; none of these nor --key: the devnet's first dev key. */
    @picocli.CommandLine.Mixin
    KeyFileOptions keyFiles = new KeyFileOptions();

    @Option(names = "--manifest", defaultValue = Manifest.DEFAULT_PATH, description = "Where the manifest is read and written. Default: ${DEFAULT-VALUE}.")
    Path manifest;

    @Option(names = "--confirmations", defaultValue = "1", converter = Converters.Confirmations.class,
            description = "Blocks to wait for per deployment, 1 to 1000 (more than 1 asks automining nodes for blocks with evm_mine). Default: ${DEFAULT-VALUE}.")
    int confirmations;

    @Option(names = "--timeout", defaultValue = "60", converter = Converters.TimeoutSeconds.class,
            description = "Seconds to wait for the node per step, 1 to 86400. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--fresh", description = "Deploy again even if the manifest matches the chain.")
    boolean fresh;

    @Option(names = "--param", description = "Deployment parameter name=value (e.g. rollup.challengePeriod=604800), docs/protocol.md 7.1. Repeatable."
            + " collateral.token=0x.. takes an existing 6-decimal ERC-20 (no fee on transfer) as the collateral instead of deploying TestCollateral.")
    Map<String, String> params = new HashMap<>();

    DeployCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        // no key named: the devnet's first dev key, whose chain is the one `./clearline devnet` runs
        Credentials key = privateKey == null && !keyFiles.given() ? DevAccounts.defaults().first()
                : keyFiles.source(privateKey, KeySource.KEY_ENV, System.getenv(), err::println).resolve();
        try {
            DeploymentParameters.defaults(key.getAddress(), params);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (given with --param)");
        }
        // Before anything is sent: a manifest that cannot be written would leave contracts deployed and unrecorded.
        ManifestTarget.requireWritable(manifest);
        if (!fresh) Manifest.read(manifest); // a manifest that cannot be used is reported before the node is asked anything
        HttpService http = new HttpService(rpcUrl.toString());
        try {
            LOG.info("deploy rpcUrl={} deployer={} manifest={}", rpcUrl, key.getAddress(), manifest);
            return deploy(http, key, manifest, fresh, confirmations, Duration.ofSeconds(timeoutSeconds), params, out, err);
        } finally {
            try {
                http.close();
            } catch (java.io.IOException ignored) {
                // closing a client with no open connection
            }
        }
    }

    static int deploy(Web3jService service, Credentials key, Path manifest, boolean fresh, int confirmations, Duration timeout,
                      Map<String, String> params, PrintWriter out, PrintWriter err) {
        Deployer deployer = new Deployer(service, key, Artifacts.onClasspath(),
                new Deployer.Settings(confirmations, Duration.ofMillis(100), timeout), m -> err.println("  " + m),
                System::currentTimeMillis);
        DeploymentParameters parameters = DeploymentParameters.defaults(key.getAddress(), params);
        ContractSet set = ContractSet.of(parameters);
        checkConstructorArguments(set, parameters);
        refusePublicKeysOffDevNodes(service, key, parameters);
        parameters.collateralToken().ifPresent(token -> checkCollateral(service, token));
        Deployer.Result result = deployer.deploy(set, parameters, manifest, fresh);
        return switch (result) {
            case Deployer.Deployed d -> {
                out.println((d.reused() ? "Up to date: " : "Deployed: ") + manifest);
                d.manifest().contracts().forEach(c -> out.println("  " + c.name() + " " + c.address()));
                yield 0;
            }
            case Deployer.Failed f -> throw new UserError(f.message());
        };
    }

    /**
     * The default deployer, and the governance and minter it becomes, is a key of the test mnemonic
     * everyone knows: on a real chain anyone could list markets or mint with it. Off development
     * nodes such keys are refused, before anything is sent, with the option to change.
     */
    static void refusePublicKeysOffDevNodes(Web3jService service, Credentials key, DeploymentParameters parameters) {
        Web3j web3j = Web3j.build(service); // not shut down: that would close the caller's service
        long chainId;
        String client;
        try {
            chainId = web3j.ethChainId().send().getChainId().longValueExact();
            var version = web3j.web3ClientVersion().send();
            client = version.hasError() || version.getWeb3ClientVersion() == null ? "" : version.getWeb3ClientVersion();
        } catch (java.io.IOException | RuntimeException e) {
            return; // an unreachable node is reported by the deployment itself, in its words
        }
        publicKeyProblem(chainId, client, key.getAddress(), parameters.values()).ifPresent(problem -> {
            throw new UserError(problem);
        });
    }

    /** Why a deployment on chain {@code chainId}, node {@code client}, would hand a role to a publicly known key; empty when it would not. */
    static java.util.Optional<String> publicKeyProblem(long chainId, String client, String deployer, java.util.Map<String, String> parameters) {
        if (PublicKeys.isDevNode(chainId, client)) return java.util.Optional.empty();
        String why = " is one of the publicly known keys of the test mnemonic (\"test test ... junk\"); on chain " + chainId
                + " anyone holds it";
        if (PublicKeys.isPublic(deployer)) {
            return java.util.Optional.of("the deployer " + deployer + why + ": pass --key with a key of your own");
        }
        for (String name : List.of("rollup.governance", "collateral.minter")) {
            String v = parameters.get(name);
            if (PublicKeys.isPublic(v)) {
                return java.util.Optional.of(name + " " + v + why + " and would act as it: pass --param " + name + "=<an address of your own>");
            }
        }
        return java.util.Optional.empty();
    }

    /** The one collateral unit the protocol knows: amounts, prices and margins are in 6-decimal units (docs/protocol.md 7.1). */
    private static final int COLLATERAL_DECIMALS = 6;

    /**
     * An existing collateral token must be a contract on this chain that says it has 6 decimals:
     * the rollup cannot tell, and every amount would be off by powers of ten. Checked before
     * anything is sent.
     */
    static void checkCollateral(Web3jService service, String token) {
        Web3j web3j = Web3j.build(service); // not shut down: that would close the caller's service
        String where = "collateral.token " + token;
        try {
            String code = web3j.ethGetCode(token, DefaultBlockParameterName.LATEST).send().getCode();
            if (code == null || Numeric.hexStringToByteArray(code).length == 0) {
                throw new UserError(where + " has no code on this chain: give the address of the deployed ERC-20 to use as collateral");
            }
            EthCall decimals = web3j.ethCall(Transaction.createEthCallTransaction(null, token, "0x313ce567"), DefaultBlockParameterName.LATEST).send();
            String value = decimals.hasError() ? "0x" : decimals.getValue();
            if (value == null || Numeric.hexStringToByteArray(value).length != 32) {
                throw new UserError(where + " does not answer decimals() as an ERC-20 does"
                        + (decimals.hasError() ? " (" + decimals.getError().getMessage() + ")" : "") + "; give an ERC-20 token's address");
            }
            BigInteger n = Numeric.toBigInt(value);
            if (!n.equals(BigInteger.valueOf(COLLATERAL_DECIMALS))) {
                throw new UserError(where + " has " + n + " decimals; Clearline's amounts are in units of 6 decimals: give a 6-decimal token"
                        + " (a USDC-like one), or leave collateral.token out to deploy TestCollateral");
            }
        } catch (java.io.IOException e) {
            throw new UserError("cannot talk to the node: " + dev.clearline.contracts.ConnectionFailure.describe(e) + "; is the RPC URL right and the node running?", e);
        }
    }

    /**
     * Builds every contract's constructor arguments once before anything is sent, with a stand-in
     * address for each contract deployed earlier in the set, so that a bad {@code --param} value
     * fails here and not after some contracts are already on chain.
     */
    static void checkConstructorArguments(ContractSet set, DeploymentParameters parameters) {
        Map<String, String> standIns = new HashMap<>();
        set.names().forEach(n -> standIns.put(n, "0x" + "00".repeat(19) + "01"));
        for (ContractSet.Spec spec : set.contracts()) {
            try {
                spec.args().of(parameters, standIns);
            } catch (RuntimeException e) {
                throw new UserError("the deployment parameters do not give " + spec.name() + " valid constructor arguments ("
                        + (e instanceof NumberFormatException ? "a value is not hex: " : "") + e.getMessage()
                        + "); check the --param values (addresses are 0x and 40 hex digits), given: " + parameters.values(), e);
            }
        }
    }
}
