package dev.clearline.devnet.deploy;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.ContractArtifact;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.crypto.ContractUtils;
import org.web3j.utils.Numeric;

/**
 * Deploys a {@link ContractSet} to any JSON-RPC endpoint with one key, waits for confirmations,
 * checks the code at each address, and writes the {@link Manifest}. Against a manifest that still
 * matches the chain it does nothing.
 *
 * <p>Confirmations beyond the first need new blocks. A node that mines only when it receives
 * transactions (Hardhat, the devnet on automine) is asked for empty blocks with {@code evm_mine};
 * a node that refuses and stays still for {@code timeout} fails the deployment with a message.
 */
public final class Deployer {

    /** A deployment's outcome: a manifest (fresh or reused) or why there is none. */
    public sealed interface Result permits Deployed, Failed {}

    /** @param reused true when the manifest already matched the chain and nothing was sent */
    public record Deployed(Manifest manifest, boolean reused) implements Result {}

    public record Failed(String message) implements Result {}

    /** How to reach the chain and how long to wait for it. */
    public record Settings(int confirmations, Duration pollInterval, Duration timeout) {
        public static Settings defaults() {
            return new Settings(1, Duration.ofMillis(50), Duration.ofSeconds(60));
        }

        public Settings withConfirmations(int n) {
            return new Settings(n, pollInterval, timeout);
        }
    }

    private final Web3jService service;
    private final Web3j web3j;
    private final Credentials key;
    private final Artifacts artifacts;
    private final Settings settings;
    private final Consumer<String> progress;
    private final LongSupplier clockMillis;

    public Deployer(Web3jService service, Credentials key, Artifacts artifacts, Settings settings, Consumer<String> progress,
                    LongSupplier clockMillis) {
        this.service = service;
        this.web3j = Web3j.build(service);
        this.key = key;
        this.artifacts = artifacts;
        this.settings = settings;
        this.progress = progress;
        this.clockMillis = clockMillis;
    }

    /** Deploys {@code set} unless the manifest at {@code manifestPath} matches the chain; {@code fresh} ignores it. */
    public Result deploy(ContractSet set, DeploymentParameters parameters, Path manifestPath, boolean fresh) {
        try {
            long chainId = web3j.ethChainId().send().getChainId().longValueExact();
            if (!fresh) {
                Optional<Manifest> existing = Manifest.read(manifestPath);
                if (existing.isPresent()) {
                    Optional<String> mismatch = mismatch(existing.get(), set, chainId, manifestPath);
                    if (mismatch.isEmpty()) {
                        progress.accept("manifest " + manifestPath + " matches chain " + chainId + "; nothing to deploy");
                        return new Deployed(existing.get(), true);
                    }
                    return new Failed(mismatch.get());
                }
            }
            return deployAll(set, parameters, chainId, manifestPath);
        } catch (IOException e) {
            return new Failed("cannot talk to the node: " + dev.clearline.contracts.ConnectionFailure.describe(e) + "; is the RPC URL right and the node running?");
        } catch (RpcException e) {
            return new Failed(e.getMessage());
        }
    }

    /** Why {@code m} does not describe the chain, or empty when every contract is where it says. */
    public Optional<String> mismatch(Manifest m, ContractSet set, long chainId, Path manifestPath) throws IOException {
        // the same words for deploy and for up (which has no --fresh): both deploy again once the file is gone
        String hint = "; delete " + manifestPath + " (or give another --manifest) to deploy again; ./clearline deploy --fresh replaces it";
        if (m.chainId() != chainId) {
            return Optional.of("manifest " + manifestPath + " is for chain " + m.chainId() + " but the node is chain " + chainId + hint);
        }
        if (!m.contracts().stream().map(Manifest.Contract::name).toList().equals(set.names())) {
            return Optional.of("manifest " + manifestPath + " lists " + m.contracts().stream().map(Manifest.Contract::name).toList()
                    + " but the contract set is " + set.names() + hint);
        }
        for (Manifest.Contract c : m.contracts()) {
            String code = web3j.ethGetCode(c.address(), DefaultBlockParameterName.LATEST).send().getCode();
            byte[] bytes = Numeric.hexStringToByteArray(code == null ? "0x" : code);
            if (bytes.length == 0) {
                return Optional.of("manifest says " + c.name() + " at " + c.address()
                        + ", but the chain has no code there: the chain was reset" + hint);
            }
            if (!Numeric.toHexString(Hash.sha3(bytes)).equals(c.codeHash())) {
                return Optional.of("manifest says " + c.name() + " at " + c.address() + " with code hash " + c.codeHash()
                        + ", but the chain has other code there" + hint);
            }
            String artifactHash = Numeric.toHexString(Hash.sha3(artifacts.load(c.name()).creationBytecode()));
            if (!artifactHash.equals(c.creationCodeHash())) {
                return Optional.of("manifest says " + c.name() + " at " + c.address()
                        + " was built from other bytecode than the current artifact (the contract changed)" + hint);
            }
        }
        return Optional.empty();
    }

    private Result deployAll(ContractSet set, DeploymentParameters parameters, long chainId, Path manifestPath) throws IOException {
        // Every address of the set, predicted from the nonce: each contract takes the next one.
        Map<String, String> deployed = new LinkedHashMap<>();
        long nonce = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING))
                .getTransactionCount().longValueExact();
        for (ContractSet.Spec spec : set.contracts()) {
            deployed.put(spec.name(), ContractUtils.generateContractAddress(key.getAddress(), BigInteger.valueOf(nonce++)).toLowerCase());
        }
        List<Manifest.Contract> contracts = new ArrayList<>();
        TransactionReceipt last = null;
        int i = 0;
        for (ContractSet.Spec spec : set.contracts()) {
            i++;
            ContractArtifact artifact = artifacts.load(spec.name());
            List<Type<?>> args;
            try {
                args = spec.args().of(parameters, deployed);
            } catch (IllegalArgumentException e) {
                return new Failed(e.getMessage());
            }
            @SuppressWarnings({"rawtypes", "unchecked"})
            String encodedArgs = FunctionEncoder.encodeConstructor((List<Type>) (List) args);
            String initCode = Numeric.toHexString(artifact.creationBytecode()) + Numeric.cleanHexPrefix(encodedArgs);
            progress.accept("deploying " + spec.name() + " (" + i + "/" + set.contracts().size() + ")");
            // What the constructor will leave behind, immutables included: the yardstick for the code check.
            String expectedCode = check(web3j.ethCall(Transaction.createEthCallTransaction(key.getAddress(), null, initCode),
                    DefaultBlockParameterName.LATEST)).getValue();
            TransactionReceipt receipt = send(null, initCode, chainId);
            if (!receipt.isStatusOK()) {
                return new Failed("deploying " + spec.name() + " reverted in transaction " + receipt.getTransactionHash()
                        + "; check the constructor arguments " + describe(args));
            }
            String address = receipt.getContractAddress().toLowerCase();
            if (!address.equals(deployed.get(spec.name()))) {
                return new Failed(spec.name() + " landed at " + address + " instead of " + deployed.get(spec.name())
                        + ": another transaction from the deployer key got in between; deploy again with --fresh from an idle key");
            }
            awaitConfirmations(receipt);
            String code = web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
            if (code == null || !code.equalsIgnoreCase(expectedCode)) {
                return new Failed("after deploying " + spec.name() + " the code at " + address
                        + " is not what its constructor returns; the node may have reorganised or be misbehaving");
            }
            contracts.add(new Manifest.Contract(spec.name(), address, describe(args), receipt.getTransactionHash(),
                    Numeric.toHexString(Hash.sha3(Numeric.hexStringToByteArray(code))),
                    Numeric.toHexString(Hash.sha3(artifact.creationBytecode()))));
            progress.accept(spec.name() + " at " + address);
            last = receipt;
        }
        long blockNumber = last == null ? web3j.ethBlockNumber().send().getBlockNumber().longValueExact() : last.getBlockNumber().longValueExact();
        EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(blockNumber)), false).send().getBlock();
        Manifest manifest = new Manifest(Manifest.VERSION, chainId, key.getAddress().toLowerCase(), blockNumber, block.getHash(),
                parameters.values(), contracts);
        manifest.write(manifestPath);
        progress.accept("wrote " + manifestPath);
        return new Deployed(manifest, false);
    }

    /** Each constructor argument as a person or a verifier reads it: bytes in 0x hex (not Java's "[B@1de76cc7"), arrays element by element. */
    static List<String> describe(List<Type<?>> args) {
        return args.stream().map(a -> describeValue(a.getValue())).toList();
    }

    private static String describeValue(Object value) {
        return switch (value) {
            case byte[] bytes -> org.web3j.utils.Numeric.toHexString(bytes);
            case List<?> list -> list.stream().map(e -> describeValue(e instanceof Type<?> t ? t.getValue() : e))
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            case null -> "null";
            default -> String.valueOf(value);
        };
    }

    /** Signs and sends an EIP-1559 transaction and waits for its receipt. */
    TransactionReceipt send(String to, String data, long chainId) throws IOException {
        BigInteger nonce = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING)).getTransactionCount();
        BigInteger baseFee = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getBaseFeePerGas();
        BigInteger tip = check(web3j.ethMaxPriorityFeePerGas()).getMaxPriorityFeePerGas();
        BigInteger maxFee = baseFee.multiply(BigInteger.TWO).add(tip);
        BigInteger estimate = check(web3j.ethEstimateGas(Transaction.createFunctionCallTransaction(key.getAddress(), null, null,
                null, to, BigInteger.ZERO, data))).getAmountUsed();
        BigInteger gas = estimate.multiply(BigInteger.valueOf(12)).divide(BigInteger.TEN);
        RawTransaction tx = RawTransaction.createTransaction(chainId, nonce, gas, to == null ? "" : to, BigInteger.ZERO, data, tip, maxFee);
        String hash = check(web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, key))))
                .getTransactionHash();
        long deadline = clockMillis.getAsLong() + settings.timeout().toMillis();
        while (true) {
            Optional<TransactionReceipt> receipt = check(web3j.ethGetTransactionReceipt(hash)).getTransactionReceipt();
            if (receipt.isPresent()) return receipt.get();
            if (clockMillis.getAsLong() > deadline) {
                throw new RpcException("transaction " + hash + " was not mined within " + settings.timeout().toSeconds()
                        + "s; is the node mining?");
            }
            pause();
        }
    }

    private void awaitConfirmations(TransactionReceipt receipt) throws IOException {
        long wanted = receipt.getBlockNumber().longValueExact() + settings.confirmations() - 1;
        long deadline = clockMillis.getAsLong() + settings.timeout().toMillis();
        boolean canMine = true;
        while (true) {
            long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
            if (head >= wanted) return;
            if (clockMillis.getAsLong() > deadline) {
                throw new RpcException("waited " + settings.timeout().toSeconds() + "s for " + settings.confirmations()
                        + " confirmations of " + receipt.getTransactionHash() + " but the node is at block " + head
                        + " of " + wanted + "; it mines only on transactions: use --confirmations 1");
            }
            if (canMine) {
                Response<?> mined = new Request<>("evm_mine", List.of(), service, GenericResponse.class).send();
                canMine = !mined.hasError();
            } else {
                pause();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(settings.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted while waiting for the node");
        }
    }

    private static <T extends Response<?>> T check(Request<?, T> request) throws IOException {
        T response = request.send();
        if (response.hasError()) {
            Response.Error e = response.getError();
            throw new RpcException("the node refused " + request.getMethod() + ": " + e.getMessage() + " (code " + e.getCode() + ")");
        }
        return response;
    }

    /** A node's refusal, surfaced as a {@link Failed} result. */
    static final class RpcException extends RuntimeException {
        RpcException(String message) {
            super(message, null, false, false);
        }
    }

    /** Any JSON result, for methods web3j has no type for. */
    public static final class GenericResponse extends Response<Object> {}
}
