package dev.clearline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Signer;
import dev.clearline.prover.l1.TxSender;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.gas.StaticGasProvider;
import picocli.CommandLine.Option;

/**
 * What every user command needs: the L1 RPC, the sequencer's trader API, the user's key, where the
 * rollup is (the manifest `up` and `deploy` write, or {@code --rollup}), and {@code --json}. Holds
 * the clients and turns an unreachable node or a refusal into a {@link UserError} that says what
 * to do.
 */
final class UserOptions {
    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--rpc-url", defaultValue = "http://127.0.0.1:8545", converter = Converters.RpcUrl.class,
            description = "JSON-RPC endpoint of the L1. Default: ${DEFAULT-VALUE}.")
    URI rpcUrl;

    @Option(names = "--api", defaultValue = "http://127.0.0.1:8480", converter = Converters.ApiUrl.class,
            description = "The sequencer's trader API. Default: ${DEFAULT-VALUE}.")
    URI api;

    @Option(names = "--key", converter = Converters.PrivateKey.class, description = "Your private key (64 hex digits): quick on a devnet, but it"
            + " stays in your shell's history and shows in process listings; --keystore or --key-file keep it off the command line."
            + " Default: $CLEARLINE_KEY.")
    Credentials key;

    @picocli.CommandLine.Mixin
    KeyFileOptions keyFiles = new KeyFileOptions();

    @Option(names = "--rollup", description = "The Rollup contract's address. Default: the manifest's.")
    String rollup;

    @Option(names = "--manifest", defaultValue = Manifest.DEFAULT_PATH, description = "Deployment manifest to read the rollup from. Default: ${DEFAULT-VALUE}.")
    Path manifest;

    @Option(names = "--json", description = "Print one JSON object instead of text (for scripts). Amounts this command works out are decimal strings"
            + " (\"12.500000\"); objects the sequencer's API returns (positions, status's fills and withdrawals) keep the API's integer"
            + " base units (docs/api.md).")
    boolean json;

    @Option(names = "--max-fee-gwei", defaultValue = "500", description = "Highest fee per gas, in gwei, that one of your L1 transactions"
            + " may be re-sent at while it waits to be mined (each re-send raises it 25%%). Default: ${DEFAULT-VALUE}.")
    long maxFeeGwei;

    @Option(names = "--resend-after-ms", defaultValue = "6000", description = "One of your L1 transactions not mined this long is sent"
            + " again under the same nonce: with fees 25%% higher if L1 mined a block without it, unchanged if no block came."
            + " Default: ${DEFAULT-VALUE}.")
    long resendAfterMillis;

    /** Built on first use: most commands talk to L1 only, and a client costs threads and TLS set-up. */
    private HttpClient http;
    private Web3j web3j;
    private FeeBumpingTransactions transactions;

    private Credentials resolvedKey;

    /** The key from whichever source the command line or the environment names ({@link KeySource}); a keystore is opened once. */
    Credentials key() {
        if (resolvedKey == null) resolvedKey = keySource().resolve();
        return resolvedKey;
    }

    /** Whether a key is named at all (a command that runs without one shows that key's part when it is). */
    boolean keyNamed() {
        return keySource().named();
    }

    private KeySource keySource() {
        return keyFiles.source(key, KeySource.KEY_ENV, System.getenv(), System.err::println);
    }

    Signer signer() {
        return Signer.ofHex(key().getEcKeyPair().getPrivateKey().toString(16));
    }

    Address address() {
        return Address.fromHex(key().getAddress());
    }

    String rollupAddress() {
        if (rollup != null) {
            try {
                return Address.fromHex(rollup).toString();
            } catch (RuntimeException e) {
                throw UserError.usage("--rollup " + rollup + " is not an address: give 0x and 40 hex digits");
            }
        }
        Optional<Manifest> m = Manifest.read(manifest);
        if (m.isEmpty()) {
            throw new UserError("no deployment manifest at " + manifest + "; pass --rollup 0x... or --manifest PATH (./clearline up writes one)");
        }
        return m.get().address("Rollup");
    }

    private Long firstBlock;

    /**
     * The first L1 block the rollup's logs can be in: the block that deployed it, which the rollup
     * itself records. Every read of the rollup's history starts there.
     */
    long firstBlock() {
        if (firstBlock == null) {
            String address = rollupAddress();
            firstBlock = l1("read the rollup's deployment block", () -> new dev.clearline.prover.l1.RollupLog(web3j(), address).deploymentBlock());
        }
        return firstBlock;
    }

    private HttpClient http() {
        if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http;
    }

    Web3j web3j() {
        if (web3j == null) web3j = Web3j.build(new HttpService(rpcUrl.toString()));
        return web3j;
    }

    /**
     * L1 seconds per real second on this node: the devnet says (its {@code clearline_nodeInfo}; the one
     * {@code ./clearline up} starts runs fast), any other node, or one that does not answer it, runs at 1.
     */
    long l1TimeSpeed() {
        return dev.clearline.prover.l1.L1Clock.speed(rpcUrl.toString()); // only a nicety: the L1 seconds are printed too
    }

    /** "{@code seconds} L1 second(s)", and on a node whose clock runs fast about how long that is in real time. */
    static String l1Wait(long seconds, long speed) {
        return seconds + " L1 second(s)" + (speed > 1 ? " (about " + ((seconds + speed - 1) / speed) + " s here: L1 time runs " + speed + "x)" : "");
    }

    long chainId() {
        return l1("read the chain id", () -> web3j().ethChainId().send().getChainId().longValueExact());
    }

    Rollup rollup() {
        Rollup r = Rollup.load(rollupAddress(), web3j(), transactions(), gas());
        if (!rollupChecked) {
            requireRollupAt(r);
            rollupChecked = true;
        }
        return r;
    }

    /** The rollup for reads only (no key needed), checked as {@link #rollup()} is. */
    Rollup readOnlyRollup() {
        Rollup r = Rollup.load(rollupAddress(), web3j(), new org.web3j.tx.ReadonlyTransactionManager(web3j(), rollupAddress()), gas());
        if (!rollupChecked) {
            requireRollupAt(r);
            rollupChecked = true;
        }
        return r;
    }

    private boolean rollupChecked;

    /**
     * Whether the address is a Clearline rollup on this chain, asked once a command: an address with no code, or another
     * contract (the collateral token's address given by mistake), answered every later call with web3j's
     * "Empty value (0x) returned from contract" or a bare "execution reverted", which named neither cause.
     */
    private void requireRollupAt(Rollup r) {
        String address = r.getContractAddress();
        String code = l1("read the rollup's code", () -> web3j().ethGetCode(address, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getCode());
        if (code == null || code.equals("0x") || code.isEmpty()) {
            throw new UserError("there is no contract at " + address + " on the L1 at " + rpcUrl + ": is " + (rollup != null ? "--rollup" : "the manifest "
                    + manifest) + " for this chain? (./clearline up writes the manifest of its chain; --rollup takes the manifest's \"Rollup\" address)");
        }
        try {
            r.genesisRoot().send();
        } catch (Exception e) {
            if (unreachable(e)) l1("read the rollup", () -> { throw e; });
            throw new UserError(address + " is a contract on this chain but not a Clearline rollup (it does not answer genesisRoot()): give the Rollup's"
                    + " address (the manifest's \"Rollup\", not the collateral token's)");
        }
    }

    /**
     * How your L1 transactions are sent, one sender for the whole command (an approve and the deposit
     * after it count one nonce): estimated first, priced from the latest base fee, re-sent with 25%
     * higher fees until mined, up to {@code --max-fee-gwei} ({@link FeeBumpingTransactions}).
     */
    FeeBumpingTransactions transactions() {
        if (transactions == null) {
            if (maxFeeGwei < 1) throw UserError.usage("--max-fee-gwei must be 1 or more, got " + maxFeeGwei);
            if (resendAfterMillis < 100) throw UserError.usage("--resend-after-ms must be 100 or more, got " + resendAfterMillis);
            TxSender.FeePolicy fees = TxSender.FeePolicy.defaults().withMaxFeeCap(BigInteger.valueOf(maxFeeGwei).multiply(BigInteger.TEN.pow(9)))
                    .withResendAfter(resendAfterMillis);
            transactions = new FeeBumpingTransactions(web3j(), new TxSender(web3j(), key(), chainId(), fees, TxSender.Time.SYSTEM),
                    Artifacts.onClasspath());
        }
        return transactions;
    }

    /**
     * What web3j's wrappers ask of a gas provider. The transactions themselves never use it: {@link #transactions()}
     * estimates and prices each one.
     */
    static StaticGasProvider gas() {
        return new StaticGasProvider(java.math.BigInteger.valueOf(20_000_000_000L), java.math.BigInteger.valueOf(8_000_000));
    }

    @FunctionalInterface
    interface L1Call<T> {
        T get() throws Exception;
    }

    /**
     * An L1 call; an unreachable node or a refusal becomes a UserError naming {@code what}. Only a failure to reach the node
     * is reported as one: an I/O failure after it answered (an error it returned, a finalized batch that replays to another
     * root) says what it is, and asking whether the node runs would send the user the wrong way.
     */
    <T> T l1(String what, L1Call<T> call) {
        try {
            return call.get();
        } catch (UserError e) {
            throw e;
        } catch (IOException e) {
            if (unreachable(e)) {
                throw new UserError("cannot " + what + ": the L1 node at " + rpcUrl + " does not answer ("
                        + dev.clearline.contracts.ConnectionFailure.describe(e) + "); is it running? (./clearline up) or pass --rpc-url", e);
            }
            throw new UserError("cannot " + what + ": " + (e.getMessage() == null ? "the L1 node's answer cannot be read" : e.getMessage()), e);
        } catch (org.web3j.protocol.exceptions.ClientConnectionException e) {
            // web3j's words for an HTTP error status: the URL answers HTTP, but not as a JSON-RPC node (the trader API, a web page)
            String status = e.getMessage() == null ? "an error" : e.getMessage().replaceFirst("^Invalid response received: ", "").split(";", 2)[0].strip();
            throw new UserError("cannot " + what + ": " + rpcUrl + " answered HTTP " + status + ", not as an Ethereum JSON-RPC node; is --rpc-url the"
                    + " L1 node? (the sequencer's trader API goes to --api)", e);
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new UserError("cannot " + what + ": " + m, e);
        }
    }

    /**
     * Whether {@code e} (or what caused it) is the node not being reached: no listener, no route, an unknown host, no
     * answer in time, or a connection that closed before any answer.
     */
    static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException || t instanceof java.net.NoRouteToHostException
                    || t instanceof java.io.InterruptedIOException || t instanceof java.net.http.HttpTimeoutException
                    || t instanceof java.io.EOFException || t instanceof java.net.SocketException) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} is a host name that did not resolve, as the JDK's HTTP client reports one. */
    static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) return true;
        }
        return false;
    }

    /** The sequencer's domain (chain id, rollup): what orders and withdrawals are signed for. */
    Eip712 domain(JsonNode state) {
        return new Eip712(state.path("chainId").asLong(), Address.fromHex(state.path("verifyingContract").asText()));
    }

    JsonNode get(String path) {
        JsonNode r = send(HttpRequest.newBuilder(api.resolve(path)).GET(), true);
        if (r.has("truncated")) {
            // a read answered without its lists (docs/api.md, "Acknowledgement"): what it leaves out is what was asked
            throw new UserError("the sequencer's answer to GET " + path + " was " + r.path("truncated").path("bytes").asLong()
                    + " bytes, more than it sends, so it came without " + r.path("truncated").path("leftOut") + "; read it in pages"
                    + " (docs/api.md: ?from=N) or ask the operator");
        }
        return r;
    }

    /** The trader API's own rules (GET /venue, docs/api.md); empty from a node that does not answer it. */
    JsonNode venue() {
        try {
            return get("/venue");
        } catch (UserError e) {
            if (e.getMessage().contains("NOT_FOUND")) return JSON.createObjectNode();
            throw e;
        }
    }

    JsonNode post(String path, ObjectNode body) {
        return post(path, body, true);
    }

    /**
     * As {@link #post}, for a request of several items: a refused item is in the reply's outcomes, not an error, even when
     * it is the only one; and a request larger than the node takes is answered with its error ({@code "error": "TOO_LARGE"})
     * instead of failing, since nothing of it was sequenced and the caller may send it again in smaller parts.
     */
    JsonNode postBatch(String path, ObjectNode body) {
        return post(path, body, false);
    }

    private JsonNode post(String path, ObjectNode body, boolean single) {
        return send(HttpRequest.newBuilder(api.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("content-type", "application/json"), single);
    }

    /**
     * {@code single}: the request is one item (an order, a cancel), and a reply whose only outcome is a refusal is the
     * user's error; otherwise see {@link #postBatch}.
     */
    private JsonNode send(HttpRequest.Builder b, boolean single) {
        HttpResponse<String> r;
        try {
            r = http().send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            // the JDK's client reports a host name it cannot resolve as a ConnectException too (an UnresolvedAddressException under it)
            if (unresolved(e)) {
                throw new UserError("cannot reach the sequencer at " + api + ": the host " + api.getHost() + " is unknown (no DNS name);"
                        + " check --api (./clearline up prints the trader API's URL)", e);
            }
            throw new UserError("cannot reach the sequencer at " + api + " (connection refused); is it running? start the stack with"
                    + " ./clearline up, or pass --api with its URL; an operator gone for good cannot hold your funds: ./clearline escape --dry-run"
                    + " shows what L1's last finalized state holds for you and your withdrawals posted since, and force-withdraw, freeze and escape go through L1 alone", e);
        } catch (HttpTimeoutException e) {
            throw new UserError("the sequencer at " + api + " did not answer within 30 s; try again, or check the node's log", e);
        } catch (IOException e) {
            throw new UserError("cannot reach the sequencer at " + api + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "); is it running? pass --api with its URL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for the sequencer", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UserError("the service at " + api + " answered HTTP " + r.statusCode() + " with something that is not JSON; is --api the trader API?", e);
        }
        if (!single && body != null && body.path("error").asText().equals("TOO_LARGE")) return body;
        if (body != null && body.has("error") && body.path("error").isTextual()) {
            // a halted node takes nothing that needs its batches until its operator acts: the trader's way out goes through L1
            String way = body.path("error").asText().equals("HALTED") ? "; to take your collateral out through L1 meanwhile: ./clearline"
                    + " force-withdraw AMOUNT (a batch must consume it within the rollup's force delay, or anyone may freeze the rollup"
                    + " and everyone escapes); ./clearline escape --dry-run shows what L1 holds for you" : "";
            throw new UserError("the sequencer refused: " + body.path("error").asText() + ": " + body.path("message").asText() + way);
        }
        if (single && body != null && body.path("outcomes").size() == 1 && !body.path("outcomes").get(0).path("accepted").asBoolean(true)) {
            JsonNode o = body.path("outcomes").get(0);
            throw new UserError("the sequencer refused: " + o.path("reject").asText() + (o.hasNonNull("help") ? ": " + o.path("help").asText() : ""));
        }
        if (body != null && body.has("jsonrpc")) {
            throw new UserError(api + " answered as a JSON-RPC node (an L1?), not as a Clearline trader API: pass --api the sequencer's URL"
                    + " (./clearline up prints it; port 8480 by default) and the L1 node as --rpc-url");
        }
        if (r.statusCode() >= 400) throw new UserError("the sequencer answered HTTP " + r.statusCode() + ": " + r.body());
        return body;
    }

    /** The sequencer's view of market {@code id}, or a UserError listing the markets there are. */
    JsonNode market(JsonNode state, int id) {
        for (JsonNode m : state.path("marketInfo")) if (m.path("market").asInt() == id) return m;
        StringBuilder listed = new StringBuilder();
        for (JsonNode m : state.path("marketInfo")) listed.append(listed.isEmpty() ? "" : ", ").append(m.path("market").asLong());
        throw new UserError("market " + Integer.toUnsignedString(id) + " is not listed on this exchange; listed: " + (listed.isEmpty() ? "none yet" : listed)
                + " (curl " + api.resolve("/state") + ")");
    }

    void print(PrintWriter out, ObjectNode result, String text) {
        out.println(json ? result.toString() : text);
        out.flush();
    }
}
