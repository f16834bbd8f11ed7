package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.clearline.devnet.node.StateEdit;
import dev.clearline.devnet.node.Block;
import dev.clearline.devnet.node.DevnetNode;
import dev.clearline.devnet.node.IntervalMiner;
import dev.clearline.devnet.node.LogEntry;
import dev.clearline.devnet.node.NodeError;
import dev.clearline.devnet.node.Outcome;
import dev.clearline.devnet.node.SignedTx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.crypto.AccessListObject;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Ethereum JSON-RPC 2.0 over a {@link DevnetNode}: single and batch requests in, responses out.
 * Transport-free, so the HTTP server and the in-process web3j service share it.
 */
public final class RpcDispatcher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RpcDispatcher.class);
    /**
     * What web3_clientVersion answers. Hardhat's network helpers serve only a node whose version
     * starts with "HardhatNetwork" (or "anvil"); the devnet serves the methods they call, so it
     * says it is compatible, then names itself, as a browser's user agent does.
     */
    public static final String CLIENT_VERSION = "HardhatNetwork-compatible/Clearline-Devnet/0.1.0";
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INTERNAL_ERROR = -32603;

    @FunctionalInterface
    private interface Handler {
        JsonNode handle(Params p);
    }

    private final DevnetNode node;
    private final ObjectMapper json = new ObjectMapper();
    private final JsonNodeFactory f = JsonNodeFactory.instance;
    private final Map<String, Handler> methods = new HashMap<>();
    private final Filters filters;
    private final Subscriptions subscriptions;
    private final IntervalMiner mining;
    /** Draws {@link #instanceId}s. */
    private final java.util.random.RandomGenerator random;
    /**
     * {@code hardhat_metadata}'s {@code instanceId}: one for the node's run and another after each {@code hardhat_reset},
     * as on Hardhat's node, so a tool that caches what it read can tell that the chain behind the URL is another one.
     * Drawn at the first ask (null until then: nothing to draw at start-up, which is measured).
     */
    private String instanceId;

    /**
     * @param mining the node's interval miner, which {@code evm_setIntervalMining} sets
     * @param random draws {@code hardhat_metadata}'s instance ids
     */
    public RpcDispatcher(DevnetNode node, IntervalMiner mining, java.util.random.RandomGenerator random) {
        this.node = node;
        this.mining = mining;
        this.random = random;
        this.filters = new Filters(node);
        this.subscriptions = new Subscriptions(node);
        register();
    }

    private synchronized String instanceId(boolean anew) {
        if (anew || instanceId == null) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            instanceId = Numeric.toHexString(id);
        }
        return instanceId;
    }

    /** Stops delivering subscriptions (the node is closing). */
    public void close() {
        subscriptions.close();
    }

    public DevnetNode node() {
        return node;
    }

    /** Answers a request body (one request or a batch); null when every request was a notification. */
    public String handle(String body) {
        return handle(body, null);
    }

    /**
     * As {@link #handle(String)} for a WebSocket connection, which may also subscribe
     * ({@code eth_subscribe}); the notifications go to {@code connection}.
     */
    String handle(String body, Subscriptions.Sink connection) {
        JsonNode answer = answer(() -> json.readTree(body), connection);
        return answer == null ? null : write(answer);
    }

    /** A WebSocket connection closed: its subscriptions end. */
    void closed(Subscriptions.Sink connection) {
        subscriptions.dropAll(connection);
    }

    /** As {@link #handle(String)} on UTF-8 bytes, answering UTF-8 bytes: no String copies on the HTTP path. */
    public byte[] handle(byte[] body) {
        JsonNode answer = answer(() -> json.readTree(body), null);
        if (answer == null) return null;
        byte[] plain = PlainAnswer.bytes(answer);
        if (plain != null) return plain;
        try {
            return json.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    @FunctionalInterface
    private interface Body {
        JsonNode parse() throws IOException;
    }

    private JsonNode answer(Body body, Subscriptions.Sink connection) {
        JsonNode request;
        try {
            request = body.parse();
        } catch (JsonProcessingException e) {
            return error(NullNode.getInstance(), PARSE_ERROR, "parse error: the body is not valid JSON ("
                    + e.getOriginalMessage() + ")", null);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a request held in memory failed", e);
        }
        if (request == null || request.isMissingNode()) {
            return error(NullNode.getInstance(), PARSE_ERROR, "parse error: empty body", null);
        }
        if (request.isArray()) {
            if (request.isEmpty()) return error(NullNode.getInstance(), INVALID_REQUEST, "invalid request: empty batch", null);
            ArrayNode out = f.arrayNode();
            for (JsonNode r : request) {
                JsonNode answer = handle(r, connection);
                if (answer != null) out.add(answer);
            }
            return out.isEmpty() ? null : out;
        }
        return handle(request, connection);
    }

    /** Answers one request object; null for a notification (no id). */
    public JsonNode handle(JsonNode request) {
        return handle(request, null);
    }

    private JsonNode handle(JsonNode request, Subscriptions.Sink connection) {
        if (!request.isObject()) return error(NullNode.getInstance(), INVALID_REQUEST, "invalid request: expected a JSON object", null);
        JsonNode id = request.has("id") ? request.get("id") : null;
        JsonNode idOrNull = id == null ? NullNode.getInstance() : id;
        JsonNode method = request.get("method");
        if (method == null || !method.isTextual()) {
            return error(idOrNull, INVALID_REQUEST, "invalid request: \"method\" must be a string", null);
        }
        if (request.has("jsonrpc") && !"2.0".equals(request.get("jsonrpc").asText())) {
            return error(idOrNull, INVALID_REQUEST, "invalid request: \"jsonrpc\" must be \"2.0\"", null);
        }
        if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
            return error(NullNode.getInstance(), INVALID_REQUEST, "invalid request: \"id\" must be a string, number or null", null);
        }
        Handler h = SUBSCRIPTION_METHODS.contains(method.asText()) ? subscriptionMethod(method.asText(), connection) : methods.get(method.asText());
        JsonNode response;
        if (h == null) {
            response = error(idOrNull, METHOD_NOT_FOUND, "the method " + method.asText() + " does not exist/is not available", null);
        } else {
            try {
                JsonNode result = h.handle(new Params(method.asText(), request.get("params")));
                ObjectNode ok = f.objectNode();
                ok.put("jsonrpc", "2.0");
                ok.set("id", idOrNull);
                ok.set("result", result == null ? NullNode.getInstance() : result);
                response = ok;
            } catch (RpcFailure e) {
                response = error(idOrNull, e.error().code(), e.error().message(), e.error().data());
            } catch (RuntimeException e) {
                // A bug of ours, not of the request: say what failed without Java's class names, log the rest.
                LOG.error("rpc method failed method={} error={}", method.asText(), e.toString(), e);
                response = error(idOrNull, INTERNAL_ERROR, "internal error in " + method.asText() + ": "
                        + (e.getMessage() == null ? "unexpected failure (see the node's log)" : e.getMessage()), null);
            }
        }
        return id == null ? null : response;
    }

    private static final java.util.Set<String> SUBSCRIPTION_METHODS = java.util.Set.of("eth_subscribe", "eth_unsubscribe");

    /** {@code eth_subscribe} and {@code eth_unsubscribe}, which belong to a connection: refused over HTTP, as geth refuses them. */
    private Handler subscriptionMethod(String method, Subscriptions.Sink connection) {
        if (connection == null) {
            return p -> {
                throw new RpcFailure(METHOD_NOT_FOUND, method + " needs a WebSocket connection (notifications cannot be sent over HTTP):"
                        + " connect to ws:// on this same host and port");
            };
        }
        if (method.equals("eth_subscribe")) return p -> TextNode.valueOf(subscriptions.subscribe(p, connection));
        return p -> {
            if (!p.has(0) || !p.raw(0).isTextual()) throw p.invalid("eth_unsubscribe takes the id eth_subscribe gave, e.g. [\"0x..\"]");
            return f.booleanNode(subscriptions.unsubscribe(p.raw(0).asText(), connection));
        };
    }

    private ObjectNode error(JsonNode id, int code, String message, String data) {
        ObjectNode o = f.objectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id);
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (data != null) e.put("data", data);
        return o;
    }

    private String write(JsonNode n) {
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static <T> T unwrap(Outcome<T> o) {
        return switch (o) {
            case Outcome.Done<T> d -> d.value();
            case Outcome.Refused<T> r -> throw new RpcFailure(r.error());
        };
    }

    /**
     * A block tag or number (latest, pending, safe, finalized, earliest, a hex number, or an EIP-1898
     * object) for a read of state: the tags that mean the head give {@link DevnetNode#LATEST}, which the
     * node resolves under its lock, so a block mined meanwhile does not make it a read at a past block.
     */
    private long block(Params p, int i) {
        if (!p.has(i)) return DevnetNode.LATEST;
        JsonNode n = p.raw(i);
        if (n.isTextual() && HEAD_TAGS.contains(n.asText())) return DevnetNode.LATEST;
        return blockNumber(p, i);
    }

    /** The transaction at index argument {@code i} of {@code block}, or null when there is no such block or index (as geth answers). */
    private JsonNode transactionAt(Optional<Block> block, Params p, int i) {
        BigInteger index = p.quantity(i);
        return block.filter(b -> index.compareTo(BigInteger.valueOf(b.transactions().size())) < 0)
                .<JsonNode>map(b -> JsonViews.transaction(b.transactions().get(index.intValueExact()), b, index.intValueExact()))
                .orElse(NullNode.getInstance());
    }

    private static final java.util.Set<String> HEAD_TAGS = java.util.Set.of("latest", "pending", "safe", "finalized");

    /** Like {@link #block} but always a number: for answers about blocks themselves rather than state. */
    private long blockNumber(Params p, int i) {
        if (!p.has(i)) return node.blockNumber();
        JsonNode n = p.raw(i);
        if (n.isObject()) {
            if (n.hasNonNull("blockHash")) {
                String hash = n.get("blockHash").asText();
                return node.blockByHash(hash).map(Block::number)
                        .orElseThrow(() -> new RpcFailure(NodeError.INVALID_INPUT, "header for hash " + hash + " not found"));
            }
            if (n.hasNonNull("blockNumber")) return checkedBlock(n.get("blockNumber"), p);
            throw p.invalid("block object needs blockHash or blockNumber");
        }
        return checkedBlock(n, p);
    }

    private long checkedBlock(JsonNode n, Params p) {
        long head = node.blockNumber();
        if (n.isTextual()) {
            switch (n.asText()) {
                case "latest", "pending", "safe", "finalized" -> { return head; }
                case "earliest" -> { return 0; }
                default -> { }
            }
        }
        BigInteger number = p.quantity(n, "block");
        if (number.compareTo(BigInteger.valueOf(head)) > 0) {
            throw new RpcFailure(NodeError.INVALID_INPUT, "header not found: block " + number + " is after the latest block " + head);
        }
        return number.longValue();
    }

    private static TextNode hex(byte[] b) {
        return TextNode.valueOf(Numeric.toHexString(b));
    }

    private static TextNode qty(BigInteger n) {
        return TextNode.valueOf(JsonViews.qty(n));
    }

    private static TextNode qty(long n) {
        return TextNode.valueOf(JsonViews.qty(n));
    }

    private void register() {
        methods.put("web3_clientVersion", p -> TextNode.valueOf(CLIENT_VERSION));
        // what a client cannot learn from the standard methods: the rules, and how fast this node's clock runs
        // (the CLI says how long an L1 wait takes here; other nodes answer "method not found" and run at 1)
        methods.put("clearline_nodeInfo", p -> f.objectNode().put("client", CLIENT_VERSION).put("evmRules", "shanghai")
                .put("blockGasLimit", qty(node.blockGasLimit()).asText())
                .put("timeSpeed", node.config().timeSpeed()));
        // Hardhat's own: which node this is (its instance id changes at a reset) and where its chain stands, in one call
        methods.put("hardhat_metadata", p -> {
            var head = node.head();
            return f.objectNode().put("clientVersion", CLIENT_VERSION).put("chainId", node.chainId()).put("instanceId", instanceId(false))
                    .put("latestBlockNumber", head.number()).put("latestBlockHash", head.hash());
        });
        methods.put("web3_sha3", p -> hex(Hash.sha3(p.data(0))));
        methods.put("net_version", p -> TextNode.valueOf(Long.toString(node.chainId())));
        methods.put("net_listening", p -> f.booleanNode(true));
        methods.put("net_peerCount", p -> qty(0));
        methods.put("eth_chainId", p -> qty(node.chainId()));
        methods.put("eth_syncing", p -> f.booleanNode(false));
        methods.put("eth_mining", p -> f.booleanNode(false));
        methods.put("eth_coinbase", p -> TextNode.valueOf(node.head().miner()));
        methods.put("eth_accounts", p -> {
            ArrayNode a = f.arrayNode();
            node.config().accounts().addresses().forEach(a::add);
            return a;
        });
        DevSigning signing = new DevSigning(node.config().accounts().keys());
        methods.put("eth_sign", p -> TextNode.valueOf(signing.ethSign(p)));
        methods.put("personal_sign", p -> TextNode.valueOf(signing.personalSign(p)));
        methods.put("eth_signTypedData_v4", p -> TextNode.valueOf(signing.signTypedData(p)));
        methods.put("eth_blockNumber", p -> qty(node.blockNumber()));
        methods.put("eth_getBlockByNumber", p -> {
            long head = node.blockNumber();
            JsonNode tag = p.raw(0);
            if (!p.has(0)) throw p.invalid("missing argument 0 (block number or tag)");
            long n;
            if (tag.isTextual() && tag.asText().equals("pending")) return JsonViews.pendingBlock(node.pendingBlock(), p.bool(1, false));
            if (tag.isTextual() && List.of("latest", "safe", "finalized").contains(tag.asText())) n = head;
            else if (tag.isTextual() && tag.asText().equals("earliest")) n = 0;
            else n = p.quantity(tag, "block").min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
            boolean full = p.bool(1, false);
            return node.block(n).<JsonNode>map(b -> JsonViews.block(b, full)).orElse(NullNode.getInstance());
        });
        methods.put("eth_getBlockByHash", p -> {
            String hash = p.hash(0);
            boolean full = p.bool(1, false);
            return node.blockByHash(hash).<JsonNode>map(b -> JsonViews.block(b, full)).orElse(NullNode.getInstance());
        });
        methods.put("eth_getBlockTransactionCountByNumber", p ->
                node.block(blockNumber(p, 0)).<JsonNode>map(b -> qty(b.transactions().size())).orElse(NullNode.getInstance()));
        methods.put("eth_getBlockTransactionCountByHash", p ->
                node.blockByHash(p.hash(0)).<JsonNode>map(b -> qty(b.transactions().size())).orElse(NullNode.getInstance()));
        // a transaction by its place in a block: what a client reads when it has a log (block and index) and the node
        // keeps no index by transaction hash for old blocks, as geth does by default past about a year
        methods.put("eth_getTransactionByBlockHashAndIndex", p -> transactionAt(node.blockByHash(p.hash(0)), p, 1));
        methods.put("eth_getTransactionByBlockNumberAndIndex", p -> transactionAt(node.block(blockNumber(p, 0)), p, 1));
        // a devnet has no uncles; an unknown block answers null, as for its transaction count
        methods.put("eth_getUncleCountByBlockHash", p -> node.blockByHash(p.hash(0)).<JsonNode>map(b -> qty(0)).orElse(NullNode.getInstance()));
        methods.put("eth_getUncleCountByBlockNumber", p -> node.block(blockNumber(p, 0)).<JsonNode>map(b -> qty(0)).orElse(NullNode.getInstance()));
        methods.put("eth_getBalance", p -> {
            String a = p.address(0);
            return qty(node.balance(a, block(p, 1)));
        });
        methods.put("eth_getTransactionCount", p -> {
            String a = p.address(0);
            if (p.has(1) && p.raw(1).isTextual() && p.raw(1).asText().equals("pending")) return qty(node.pendingNonce(a));
            return qty(node.nonce(a, block(p, 1)));
        });
        methods.put("eth_getCode", p -> {
            String a = p.address(0);
            return hex(node.code(a, block(p, 1)));
        });
        methods.put("eth_getStorageAt", p -> {
            String a = p.address(0);
            if (!p.has(1)) throw p.invalid("missing argument 1 (storage slot)");
            return hex(node.storage(a, storageKey(p, p.raw(1)), block(p, 2)));
        });
        methods.put("eth_call", p -> hex(unwrap(node.call(p.call(0), block(p, 1), stateOverrides(p, 2)))));
        methods.put("eth_estimateGas", p -> qty(unwrap(node.estimateGas(p.call(0), block(p, 1), stateOverrides(p, 2)))));
        methods.put("eth_gasPrice", p -> qty(node.gasPrice()));
        methods.put("eth_maxPriorityFeePerGas", p -> qty(node.maxPriorityFeePerGas()));
        methods.put("eth_feeHistory", this::feeHistory);
        methods.put("eth_sendRawTransaction", p -> TextNode.valueOf(unwrap(node.sendRawTransaction(p.data(0)))));
        methods.put("eth_sendTransaction", this::sendFromDevAccount);
        methods.put("eth_getTransactionByHash", p -> node.transaction(p.hash(0))
                .<JsonNode>map(v -> JsonViews.transaction(v.tx(), v.block(), v.index())).orElse(NullNode.getInstance()));
        methods.put("eth_getTransactionReceipt", p -> node.receipt(p.hash(0))
                .<JsonNode>map(JsonViews::receipt).orElse(NullNode.getInstance()));
        // every receipt of one block (as geth, Erigon and Nethermind answer): how a client finds an old transaction's
        // receipt once the node keeps no index by transaction hash for it
        methods.put("eth_getBlockReceipts", p -> {
            boolean byHash = p.has(0) && p.raw(0).isTextual() && p.raw(0).asText().length() == 66;
            return (byHash ? node.blockByHash(p.hash(0)) : node.block(blockNumber(p, 0))).<JsonNode>map(b -> {
                ArrayNode a = f.arrayNode();
                b.receipts().forEach(r -> a.add(JsonViews.receipt(r)));
                return a;
            }).orElse(NullNode.getInstance());
        });
        methods.put("eth_getLogs", p -> logs(filters.query(p, p.object(0))));
        methods.put("eth_newFilter", p -> TextNode.valueOf(filters.newLogFilter(filters.query(p, p.object(0)))));
        methods.put("eth_newBlockFilter", p -> TextNode.valueOf(filters.newBlockFilter()));
        methods.put("eth_newPendingTransactionFilter", p -> TextNode.valueOf(filters.newPendingTransactionFilter()));
        methods.put("eth_getFilterChanges", p -> filters.changes(filterId(p)));
        methods.put("eth_getFilterLogs", p -> filters.allLogs(filterId(p)));
        methods.put("eth_uninstallFilter", p -> f.booleanNode(filters.uninstall(filterId(p))));
        methods.put("eth_getProof", p -> {
            String a = p.address(0);
            List<byte[]> slots = new ArrayList<>();
            if (p.has(1)) for (JsonNode s : p.raw(1)) slots.add(storageKey(p, s));
            JsonNode proof = node.proof(a, slots, block(p, 2));
            if (proof == null) throw new RpcFailure(METHOD_NOT_FOUND, "eth_getProof is not available: the EVM backend produces no proofs");
            return proof;
        });
        methods.put("debug_traceTransaction", p -> {
            String h = p.hash(0);
            JsonNode opts = p.has(1) ? p.object(1) : f.objectNode();
            return unwrap(node.traceTransaction(h, tracer(opts), opts));
        });
        methods.put("debug_traceCall", p -> {
            var req = p.call(0);
            long b = block(p, 1);
            JsonNode opts = p.has(2) ? p.object(2) : f.objectNode();
            return unwrap(node.traceCall(req, b, tracer(opts), opts));
        });
        methods.put("evm_increaseTime", p -> {
            long seconds = p.raw(0).isNumber() ? p.raw(0).asLong() : p.longQuantity(0);
            if (seconds < 0) throw p.invalid("cannot go back in time: " + seconds + " seconds; use evm_snapshot/evm_revert");
            return qty(node.increaseTime(seconds));
        });
        methods.put("evm_setNextBlockTimestamp", p -> qty(unwrap(node.setNextBlockTimestamp(
                p.raw(0).isNumber() ? p.raw(0).asLong() : p.longQuantity(0)))));
        methods.put("evm_mine", p -> {
            Long ts = p.has(0) ? (p.raw(0).isNumber() ? p.raw(0).asLong() : p.longQuantity(0)) : null;
            unwrap(node.mine(ts));
            return TextNode.valueOf("0x0");
        });
        // Hardhat's: hardhat_mine [blocks=1] [interval=1], each a quantity
        methods.put("hardhat_mine", p -> {
            long count = p.has(0) ? p.longQuantity(0) : 1;
            long interval = p.has(1) ? p.longQuantity(1) : 1;
            unwrap(node.mineBlocks(count, interval));
            return f.booleanNode(true);
        });
        methods.put("evm_setIntervalMining", p -> {
            if (!p.has(0) || !p.raw(0).isNumber() || p.raw(0).asLong() < 0) {
                throw p.invalid("evm_setIntervalMining takes one interval in milliseconds (0 stops it), e.g. [1000]"
                        + (p.has(0) && p.raw(0).isArray() ? "; a random range [min, max] is not served" : ""));
            }
            mining.set(p.raw(0).asLong());
            return f.booleanNode(true);
        });
        methods.put("evm_setAutomine", p -> {
            if (!p.has(0) || !p.raw(0).isBoolean()) throw p.invalid("evm_setAutomine takes true or false, e.g. [false]");
            unwrap(node.setAutomine(p.raw(0).asBoolean()));
            return f.booleanNode(true);
        });
        methods.put("hardhat_getAutomine", p -> f.booleanNode(node.automine()));
        methods.put("txpool_status", p -> TxPoolViews.status(node.pendingTransactions(), node.gappedTransactions()));
        methods.put("txpool_content", p -> TxPoolViews.content(node.pendingTransactions(), node.gappedTransactions()));
        methods.put("txpool_inspect", p -> TxPoolViews.inspect(node.pendingTransactions(), node.gappedTransactions()));
        methods.put("evm_setBlockGasLimit", p -> f.booleanNode(unwrap(node.setBlockGasLimit(p.longQuantity(0)))));
        methods.put("hardhat_dropTransaction", p -> f.booleanNode(unwrap(node.dropTransaction(p.hash(0)))));
        stateEdits();
        methods.put("hardhat_setNextBlockBaseFeePerGas", p -> {
            unwrap(node.setNextBlockBaseFee(p.quantity(0)));
            return f.booleanNode(true);
        });
        methods.put("evm_snapshot", p -> qty(node.snapshot()));
        methods.put("evm_revert", p -> {
            BigInteger id = p.quantity(0);
            return f.booleanNode(id.bitLength() < 31 && node.revert(id.intValue()));
        });
    }

    /**
     * Hardhat's account edits and impersonation, under both the {@code hardhat_} names and Anvil's
     * {@code anvil_} ones (the same parameters), so Hardhat scripts and {@code cast rpc} both work.
     */
    private void stateEdits() {
        Map<String, Handler> edits = new java.util.LinkedHashMap<>();
        edits.put("setBalance", p -> f.booleanNode(unwrap(node.setBalance(p.address(0), p.quantity(1)))));
        edits.put("setNonce", p -> f.booleanNode(unwrap(node.setNonce(p.address(0), p.quantity(1)))));
        edits.put("setCode", p -> f.booleanNode(unwrap(node.setCode(p.address(0), p.data(1)))));
        edits.put("setStorageAt", p -> {
            String a = p.address(0);
            byte[] slot = storageKey(p, p.raw(1));
            JsonNode word = p.raw(2);
            if (!word.isTextual() || word.asText().length() != 66) {
                throw p.invalid("the value must be one 32-byte word (0x and 64 hex digits, leading zeros and all), got " + word);
            }
            byte[] value = p.data(2);
            return f.booleanNode(unwrap(node.setStorage(a, slot, value)));
        });
        edits.put("impersonateAccount", p -> {
            node.impersonate(p.address(0));
            return f.booleanNode(true);
        });
        edits.put("stopImpersonatingAccount", p -> f.booleanNode(node.stopImpersonating(p.address(0))));
        edits.put("setCoinbase", p -> {
            node.setCoinbase(p.address(0));
            return f.booleanNode(true);
        });
        edits.put("setPrevRandao", p -> f.booleanNode(unwrap(node.setPrevRandao(p.data(0)))));
        edits.put("reset", p -> {
            if (p.has(0) && p.raw(0).isObject() && p.raw(0).has("forking")) {
                throw p.invalid("the devnet cannot fork another chain: hardhat_reset takes no forking options here; "
                        + "call it without parameters for a fresh chain");
            }
            node.reset();
            instanceId(true);
            return f.booleanNode(true);
        });
        edits.forEach((name, m) -> {
            methods.put("hardhat_" + name, m);
            methods.put("anvil_" + name, m);
        });
    }

    /**
     * Signs with the dev key of {@code from}, as Hardhat does for its unlocked accounts, so curl and
     * wallets without keys can transact; an impersonated account's transaction goes without a
     * signature. Other senders are refused: the node holds no other keys.
     */
    private JsonNode sendFromDevAccount(Params p) {
        JsonNode o = p.object(0);
        // no from: the first dev account sends, as on Hardhat's node
        String from = o.hasNonNull("from") ? p.address(o.get("from"), "from") : node.config().accounts().first().getAddress().toLowerCase();
        Credentials key = node.config().accounts().keys().stream()
                .filter(c -> c.getAddress().equalsIgnoreCase(from)).findFirst()
                .orElse(null);
        if (key == null && !node.impersonates(from)) {
            throw new RpcFailure(NodeError.INVALID_INPUT, "unknown account " + from
                    + ": the devnet signs only for its dev accounts (eth_accounts) and sends for accounts named by "
                    + "hardhat_impersonateAccount; sign yourself and use eth_sendRawTransaction");
        }
        var req = p.call(0);
        BigInteger nonce = o.hasNonNull("nonce") ? p.quantity(o.get("nonce"), "nonce") : node.pendingNonce(from);
        List<AccessListObject> accessList = accessList(p, o.get("accessList"));
        int type = envelopeType(p, o, accessList);
        String to = req.to() == null ? "" : req.to();
        BigInteger value = req.value() == null ? BigInteger.ZERO : req.value();
        String data = Numeric.toHexString(req.data() == null ? new byte[0] : req.data());
        long gas = req.gas() != null ? req.gas() : unwrap(node.estimateGas(req, node.blockNumber()))
                + DevnetNode.accessListGas(accessList.size(), accessList.stream().mapToInt(a -> a.getStorageKeys().size()).sum());
        RawTransaction tx;
        if (type == 2) {
            BigInteger tip = o.hasNonNull("maxPriorityFeePerGas") ? p.quantity(o.get("maxPriorityFeePerGas"), "maxPriorityFeePerGas")
                    : node.maxPriorityFeePerGas();
            BigInteger maxFee = req.gasPrice() != null ? req.gasPrice() : node.nextBaseFee().multiply(BigInteger.TWO).add(tip);
            tx = RawTransaction.createTransaction(node.chainId(), nonce, BigInteger.valueOf(gas), to, value, data, tip.min(maxFee), maxFee,
                    accessList);
        } else {
            // a legacy or EIP-2930 transaction pays exactly its gas price, as it did on Hardhat's node; none given: the node's
            BigInteger price = req.gasPrice() != null ? req.gasPrice() : node.gasPrice();
            tx = type == 0 ? RawTransaction.createTransaction(nonce, price, BigInteger.valueOf(gas), to, value, data)
                    : RawTransaction.createTransaction(node.chainId(), nonce, price, BigInteger.valueOf(gas), to, value, data, accessList);
        }
        if (key == null) return TextNode.valueOf(unwrap(node.sendImpersonated(SignedTx.impersonated(tx, node.chainId(), from))));
        // web3j signs an EIP-2930 transaction only without the separate chain id (it is inside the envelope)
        byte[] signed = type == 1 ? TransactionEncoder.signMessage(tx, key) : TransactionEncoder.signMessage(tx, node.chainId(), key);
        return TextNode.valueOf(unwrap(node.sendRawTransaction(signed)));
    }

    /**
     * The envelope eth_sendTransaction signs, as Hardhat's node picks it: the {@code type} asked for; else a gas price and
     * no EIP-1559 fee makes a legacy transaction (EIP-2930 with an access list); else EIP-1559.
     */
    private static int envelopeType(Params p, JsonNode o, List<AccessListObject> accessList) {
        boolean feeMarket = o.hasNonNull("maxFeePerGas") || o.hasNonNull("maxPriorityFeePerGas");
        int type;
        if (o.hasNonNull("type")) {
            BigInteger t = p.quantity(o.get("type"), "type");
            if (t.compareTo(BigInteger.TWO) > 0) {
                throw p.invalid("type " + o.get("type").asText() + " is not one the devnet sends: 0x0 (legacy), 0x1 (EIP-2930) or 0x2"
                        + " (EIP-1559); it runs Shanghai rules, without blob transactions");
            }
            type = t.intValue();
            if (type < 2 && feeMarket) throw p.invalid("maxFeePerGas and maxPriorityFeePerGas belong to type 0x2, not " + o.get("type").asText());
            if (type == 0 && !accessList.isEmpty()) throw p.invalid("a legacy transaction (type 0x0) carries no access list; use type 0x1 or 0x2");
        } else {
            type = o.hasNonNull("gasPrice") && !feeMarket ? (accessList.isEmpty() ? 0 : 1) : 2;
        }
        if (type == 2 && o.hasNonNull("gasPrice") && feeMarket) {
            throw p.invalid("gasPrice and maxFeePerGas/maxPriorityFeePerGas are both set: give the fee market's two, or gasPrice alone");
        }
        return type;
    }

    /** An EIP-2930 access list: {@code [{address, storageKeys: [32-byte words]}]}. */
    private static List<AccessListObject> accessList(Params p, JsonNode n) {
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw p.invalid("accessList must be an array of {address, storageKeys}, got " + n);
        List<AccessListObject> list = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isObject()) throw p.invalid("an accessList entry must be {address, storageKeys}, got " + e);
            List<String> keys = new ArrayList<>();
            JsonNode ks = e.get("storageKeys");
            if (ks != null && !ks.isNull()) {
                if (!ks.isArray()) throw p.invalid("storageKeys must be an array of 32-byte words, got " + ks);
                for (JsonNode k : ks) {
                    byte[] word = p.data(k, "a storage key of the access list");
                    if (word.length != 32) throw p.invalid("a storage key of the access list is a 32-byte word, got " + k);
                    keys.add(Numeric.toHexString(word));
                }
            }
            list.add(new AccessListObject(p.address(e.get("address") == null ? MissingNode.getInstance() : e.get("address"),
                    "an accessList address"), keys));
        }
        return list;
    }

    /**
     * A storage slot as clients send it: a 32-byte word ({@code 0x} + 64 hex digits, leading zeros
     * and all, as ethers does) or a quantity ({@code 0x0}, {@code 0x1a}).
     */
    private static byte[] storageKey(Params p, JsonNode n) {
        if (n.isTextual() && n.asText().length() == 66 && n.asText().startsWith("0x")) {
            byte[] word = p.data(n, "storage key");
            if (word.length == 32) return word;
        }
        BigInteger slot = p.quantity(n, "storage key (a 32-byte hex word or a hex quantity)");
        if (slot.bitLength() > 256) throw p.invalid("storage key does not fit in 32 bytes: " + n);
        return Numeric.toBytesPadded(slot, 32);
    }

    /**
     * geth's state override set, the third argument of {@code eth_call} and {@code eth_estimateGas}: by address, a
     * {@code balance}, {@code nonce}, {@code code} and slots to set ({@code stateDiff}), each applied for that call only.
     * {@code state} (the whole storage replaced, every other slot zero) is refused: the devnet's state cannot clear an
     * account's storage, and a call that quietly read the old slots would answer wrong.
     */
    private static List<StateEdit> stateOverrides(Params p, int i) {
        if (!p.has(i)) return List.of();
        JsonNode set = p.raw(i);
        if (!set.isObject()) throw p.invalid("argument " + i + " (the state overrides) must be an object keyed by address, got " + set);
        List<StateEdit> edits = new ArrayList<>();
        List<StateEdit> slots = new ArrayList<>(); // after every account's balance, nonce and code: storage needs the account
        for (var account : (Iterable<Map.Entry<String, JsonNode>>) set::fields) {
            String a = p.address(TextNode.valueOf(account.getKey()), "a state override's key");
            JsonNode o = account.getValue();
            if (!o.isObject()) throw p.invalid("the state override of " + a + " must be an object, got " + o);
            for (var field : (Iterable<Map.Entry<String, JsonNode>>) o::fields) {
                String where = "the state override of " + a + ": " + field.getKey();
                JsonNode v = field.getValue();
                switch (field.getKey()) {
                    case "balance" -> edits.add(new StateEdit.Balance(a, p.quantity(v, where)));
                    case "nonce" -> edits.add(new StateEdit.Nonce(a, p.quantity(v, where)));
                    case "code" -> edits.add(new StateEdit.Code(a, Numeric.toHexString(p.data(v, where))));
                    case "stateDiff" -> {
                        if (!v.isObject()) throw p.invalid(where + " must be an object of slot: value, got " + v);
                        for (var slot : (Iterable<Map.Entry<String, JsonNode>>) v::fields) {
                            byte[] key = storageKey(p, TextNode.valueOf(slot.getKey()));
                            byte[] word = p.data(slot.getValue(), where + " value");
                            if (word.length != 32) throw p.invalid(where + " values must be 32-byte words, got " + slot.getValue());
                            slots.add(new StateEdit.Storage(a, Numeric.toHexString(key), Numeric.toHexString(word)));
                        }
                    }
                    case "state" -> throw p.invalid(where + " (the whole storage replaced) is not supported by the devnet: set the"
                            + " slots the call reads with stateDiff instead");
                    default -> throw p.invalid(where + " is not an override the devnet knows; it takes balance, nonce, code and stateDiff");
                }
            }
        }
        edits.addAll(slots);
        return edits;
    }

    private static String tracer(JsonNode opts) {
        JsonNode t = opts.get("tracer");
        return t == null || t.isNull() ? null : t.asText();
    }

    private String filterId(Params p) {
        JsonNode n = p.raw(0);
        if (!n.isTextual()) throw p.invalid("argument 0 must be a filter id");
        return n.asText();
    }

    private JsonNode logs(Filters.Query q) {
        ArrayNode out = f.arrayNode();
        for (LogEntry l : node.logs(q.from(), q.to(), q.addresses(), q.topics())) out.add(JsonViews.log(l));
        return out;
    }

    private JsonNode feeHistory(Params p) {
        long count = p.raw(0).isNumber() ? p.raw(0).asLong() : p.longQuantity(0);
        if (count < 1 || count > 1024) throw p.invalid("block count must be between 1 and 1024, got " + count);
        long newest = blockNumber(p, 1);
        List<Double> percentiles = new ArrayList<>();
        if (p.has(2)) {
            if (!p.raw(2).isArray()) throw p.invalid("argument 2 (the reward percentiles) must be an array of numbers, got " + p.raw(2));
            for (JsonNode n : p.raw(2)) {
                // geth and Hardhat's node refuse these too: a percentile out of range or out of order has no answer
                if (!n.isNumber() || n.asDouble() < 0 || n.asDouble() > 100) {
                    throw p.invalid("a reward percentile is a number from 0 to 100, got " + n);
                }
                if (!percentiles.isEmpty() && n.asDouble() < percentiles.getLast()) {
                    throw p.invalid("the reward percentiles must be in increasing order, got " + n + " after " + p.raw(2).get(percentiles.size() - 1));
                }
                percentiles.add(n.asDouble());
            }
        }
        long oldest = Math.max(0, newest - count + 1);
        ObjectNode o = f.objectNode();
        o.put("oldestBlock", JsonViews.qty(oldest));
        ArrayNode baseFees = o.putArray("baseFeePerGas");
        ArrayNode ratios = o.putArray("gasUsedRatio");
        ArrayNode rewards = p.has(2) ? o.putArray("reward") : null;
        Block last = null;
        for (long n = oldest; n <= newest; n++) {
            Block b = node.block(n).orElseThrow();
            baseFees.add(JsonViews.qty(b.baseFeePerGas()));
            ratios.add((double) b.gasUsed() / b.gasLimit());
            if (rewards != null) rewards.add(rewards(b, percentiles));
            last = b;
        }
        baseFees.add(JsonViews.qty(DevnetNode.baseFeeAfter(last)));
        return o;
    }

    /** Tips paid in {@code b} at the given gas-weighted percentiles, as geth computes them. */
    private ArrayNode rewards(Block b, List<Double> percentiles) {
        ArrayNode out = f.arrayNode();
        record Tip(BigInteger tip, long gas) {}
        List<Tip> tips = new ArrayList<>();
        for (int i = 0; i < b.transactions().size(); i++) {
            SignedTx t = b.transactions().get(i);
            tips.add(new Tip(t.effectiveGasPrice(b.baseFeePerGas()).subtract(b.baseFeePerGas()), b.receipts().get(i).gasUsed()));
        }
        tips.sort((x, y) -> x.tip().compareTo(y.tip()));
        for (double pct : percentiles) {
            if (tips.isEmpty()) { out.add("0x0"); continue; }
            double threshold = b.gasUsed() * pct / 100;
            long sum = 0;
            BigInteger pick = tips.get(tips.size() - 1).tip();
            for (Tip t : tips) {
                sum += t.gas();
                if (sum >= threshold) { pick = t.tip(); break; }
            }
            out.add(JsonViews.qty(pick));
        }
        return out;
    }

}
