package dev.clearline.cli;

import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.engine.order.Address;
import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Option;

/**
 * Where the rollup lives: an RPC endpoint and either {@code --rollup} or a deployment manifest.
 * {@link #connect} checks the pieces fit (the node serves the manifest's chain, the rollup address
 * holds code) before any replay starts, so a wrong pairing is one clear line, not a wrong verdict.
 */
final class L1Options {
    @Option(names = "--rpc-url", defaultValue = "http://127.0.0.1:8545", converter = Converters.RpcUrl.class,
            description = "JSON-RPC endpoint of the L1. Default: ${DEFAULT-VALUE}.")
    URI rpcUrl;

    @Option(names = "--rollup", description = "Address of the Rollup contract (0x and 40 hex digits). Default: the manifest's Rollup.")
    String rollup;

    @Option(names = "--manifest", description = "Deployment manifest to take the Rollup (and DisputeGame) address and the chain id from. "
            + "Default: " + Manifest.DEFAULT_PATH + " when --rollup is not given.")
    Path manifest;

    @Option(names = "--from-block", description = "First L1 block to read, at most the block that deployed the Rollup (the"
            + " state is rebuilt from its first event). Default: that block, which the Rollup records.")
    Long fromBlockOption;

    /** The first block to read, known after {@link #connect}: --from-block, or where the Rollup was deployed (0 if it does not say). */
    long fromBlock;

    /** A checked connection: the node, its chain id and the rollup's address. */
    record Connection(Web3j web3j, long chainId, Address rollup, Optional<Manifest> manifest, URI rpcUrl) implements AutoCloseable {
        @Override
        public void close() {
            web3j.shutdown();
        }

        /** The address of {@code name} from the manifest, or the given option value. */
        String contract(String name, String given, String option) {
            if (given != null) {
                try {
                    return Address.fromHex(given).toString();
                } catch (RuntimeException e) {
                    throw new UserError(option + " " + given + " is not an address: give 0x and 40 hex digits (the manifest's " + name + " entry)");
                }
            }
            return manifest.map(m -> m.contract(name).map(Manifest.Contract::address).orElseThrow(() -> new UserError(
                    "the manifest has no " + name + " contract; give " + option))).orElseThrow(() -> new UserError(
                    "give " + option + " or a deployment manifest with --manifest"));
        }
    }

    Connection connect() {
        if (fromBlockOption != null && fromBlockOption < 0) throw UserError.usage("--from-block must be 0 or more, got " + fromBlockOption);
        Optional<Manifest> m = Optional.empty();
        if (manifest != null || rollup == null) {
            Path file = manifest != null ? manifest : Path.of(Manifest.DEFAULT_PATH);
            m = Manifest.read(file);
            if (m.isEmpty()) {
                throw new UserError(manifest != null ? "the manifest " + file + " does not exist; give the path `clearline deploy` wrote"
                        : "give --rollup, or --manifest with the deployment manifest (there is none at " + file + ")");
            }
        }
        Address rollupAddress;
        String given = rollup != null ? rollup : m.orElseThrow().contract("Rollup").map(Manifest.Contract::address)
                .orElseThrow(() -> new UserError("the manifest has no Rollup contract; give --rollup"));
        try {
            rollupAddress = Address.fromHex(given);
        } catch (RuntimeException e) {
            throw UserError.usage("--rollup " + given + " is not an address: give 0x and 40 hex digits (the manifest's Rollup entry)");
        }
        Web3j web3j = Web3j.build(new HttpService(rpcUrl.toString()));
        try {
            long chainId = web3j.ethChainId().send().getChainId().longValue();
            if (m.isPresent() && m.get().chainId() != chainId) {
                throw new UserError("the manifest is for chain " + m.get().chainId() + " but the node at " + rpcUrl + " serves chain " + chainId
                        + "; point --rpc-url at that chain's node or give this chain's manifest");
            }
            String code = web3j.ethGetCode(rollupAddress.toString(), DefaultBlockParameterName.LATEST).send().getCode();
            if (code == null || new BigInteger("0" + code.replaceFirst("^0x", ""), 16).signum() == 0) {
                throw new UserError("there is no contract at " + rollupAddress + " on chain " + chainId + " (" + rpcUrl
                        + "); check --rollup or the manifest against this node");
            }
            // nothing of the rollup is older than its deployment: on a long chain every log query saves the blocks before it
            long deployed = new RollupLog(web3j, rollupAddress.toString()).deploymentBlock();
            // the state is rebuilt from the rollup's first event: read from later, batch k would be judged against the genesis
            // state and reported as fraud (a wrong previous root) however honest it is
            if (fromBlockOption != null && deployed > 0 && fromBlockOption > deployed) {
                throw UserError.usage("--from-block " + fromBlockOption + " is after block " + deployed + ", where the rollup was deployed: the"
                        + " state is rebuilt from its first event, so leave --from-block out, or give at most " + deployed);
            }
            fromBlock = fromBlockOption != null ? fromBlockOption : deployed;
            return new Connection(web3j, chainId, rollupAddress, m, rpcUrl);
        } catch (IOException e) {
            web3j.shutdown();
            throw unreachable(rpcUrl, e);
        } catch (RuntimeException e) {
            web3j.shutdown();
            throw e;
        }
    }

    static UserError unreachable(URI rpcUrl, IOException e) {
        return new UserError("cannot read L1 at " + rpcUrl + ": " + dev.clearline.contracts.ConnectionFailure.describe(e)
                + "; check --rpc-url and that the node is running", e);
    }
}
