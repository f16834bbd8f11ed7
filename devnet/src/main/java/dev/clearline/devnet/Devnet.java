package dev.clearline.devnet;

import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.node.DevnetNode;
import dev.clearline.devnet.node.IntervalMiner;
import dev.clearline.devnet.node.NodeConfig;
import dev.clearline.devnet.rpc.InProcessWeb3jService;
import dev.clearline.devnet.rpc.RpcDispatcher;
import dev.clearline.devnet.rpc.RpcHttpServer;
import dev.clearline.evm.Hardfork;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;

/**
 * A running devnet: the node, its JSON-RPC dispatcher, optionally an HTTP endpoint and an
 * interval miner. Close it to stop serving and release the state.
 */
public final class Devnet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Devnet.class);

    /**
     * @param port       -1: no HTTP server (in-process only); 0: any free port
     * @param blockTime  null: automine (a block per transaction); else a block every interval
     * @param rpcThreads how many HTTP requests are dispatched at once (Jetty serves the connections)
     */
    public record Options(NodeConfig node, String host, int port, Duration blockTime, int rpcThreads) {
        public static Options inProcess(NodeConfig node) {
            return new Options(node, "127.0.0.1", -1, null, 4);
        }

        public static Options http(NodeConfig node, int port) {
            return new Options(node, "127.0.0.1", port, null, 4);
        }

        public Options withBlockTime(Duration interval) {
            return new Options(node, host, port, interval, rpcThreads);
        }
    }

    private final DevnetNode node;
    private final RpcDispatcher dispatcher;
    private final RpcHttpServer server;
    private final IntervalMiner miner;

    private Devnet(DevnetNode node, RpcDispatcher dispatcher, RpcHttpServer server, IntervalMiner miner) {
        this.node = node;
        this.dispatcher = dispatcher;
        this.server = server;
        this.miner = miner;
    }

    public static Devnet start(Options options) {
        NodeConfig config = options.node().withAutomine(options.blockTime() == null);
        // The HTTP server starts on its own thread while this one starts the node: on a cold JVM each takes tens of
        // milliseconds, mostly first-time code, and they share nothing until the first request (which waits for the node).
        CompletableFuture<RpcDispatcher> ready = new CompletableFuture<>();
        FutureTask<RpcHttpServer> serving = options.port() < 0 ? null
                : new FutureTask<>(() -> RpcHttpServer.start(ready, options.host(), options.port(), options.rpcThreads()));
        if (serving != null) Thread.ofPlatform().name("devnet-http-start").daemon().start(serving);
        DevnetNode node;
        try {
            node = DevnetNode.start(config);
        } catch (RuntimeException e) {
            ready.completeExceptionally(e);
            closeQuietly(serving);
            throw e;
        }
        IntervalMiner mining = new IntervalMiner(node);
        // hardhat_metadata's instance ids need only differ between runs and resets, not be secret
        RpcDispatcher dispatcher = new RpcDispatcher(node, mining, new java.util.SplittableRandom());
        ready.complete(dispatcher);
        RpcHttpServer server = null;
        try {
            if (serving != null) server = started(serving);
            if (options.blockTime() != null) mining.set(Math.max(1, options.blockTime().toMillis()));
        } catch (RuntimeException e) {
            mining.close();
            node.close();
            throw e;
        }
        node.repair().ifPresent(note -> LOG.warn("chain file repaired dataDir={} note=\"{}\"", config.dataDir(), note));
        LOG.info("devnet started chainId={} block={} rpcUrl={} mining={} dataDir={}", node.chainId(), node.blockNumber(),
                server == null ? "in-process" : server.url(), options.blockTime() == null
                        ? (config.blockTxs() > 1 ? "automine, up to " + config.blockTxs() + " waiting tx per block" : "automine")
                        : "every " + options.blockTime(),
                config.dataDir() == null ? "memory" : config.dataDir());
        return new Devnet(node, dispatcher, server, mining);
    }

    /** The server the start-up thread made, or its failure as it was thrown there. */
    private static RpcHttpServer started(FutureTask<RpcHttpServer> serving) {
        try {
            return serving.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the devnet's HTTP server was starting", e);
        }
    }

    /** Stops a server whose node failed to start (it answers the requests that waited with an error first). */
    private static void closeQuietly(FutureTask<RpcHttpServer> serving) {
        if (serving == null) return;
        try {
            started(serving).close();
        } catch (RuntimeException | Error ignored) {
            // it did not start either: nothing to stop, and the node's failure is the one to report
        }
    }

    /**
     * The execution rules in one line, for banners and docs: what a contract or a client may
     * expect from this chain that differs from mainnet today.
     */
    public String rules() {
        return Hardfork.NAME + " rules (no Cancun opcodes such as TLOAD/MCOPY: compile with evmVersion shanghai), "
                + String.format("%,d", node.config().blockGasLimit()) + " block gas limit, no Prague calldata floor (EIP-7623)";
    }

    /** What survives a stop, a kill and a power loss, in one line, for banners and docs. */
    public String durability() {
        if (node.config().dataDir() == null) return "in memory: the chain is gone when the devnet stops (--data-dir keeps it)";
        return "chain file appended every block, state written every " + DevnetNode.COMMIT_EVERY_BLOCKS
                + " blocks and on stop; a killed devnet reopens at its last block (re-executing up to "
                + DevnetNode.COMMIT_EVERY_BLOCKS + "); nothing is fsynced, so a power loss can drop the latest blocks";
    }

    /** An in-memory, automining devnet with Hardhat's defaults and no HTTP endpoint. */
    public static Devnet inProcess(NodeConfig config) {
        return start(Options.inProcess(config));
    }

    public DevnetNode node() {
        return node;
    }

    public RpcDispatcher dispatcher() {
        return dispatcher;
    }

    public long chainId() {
        return node.chainId();
    }

    public DevAccounts accounts() {
        return node.config().accounts();
    }

    /** The HTTP endpoint, if one was started. */
    public String rpcUrl() {
        if (server == null) throw new IllegalStateException("this devnet has no HTTP endpoint; start it with Options.http(...)");
        return server.url();
    }

    public boolean hasHttp() {
        return server != null;
    }

    /** A web3j transport straight into the node, no sockets. */
    public Web3jService web3jService() {
        return new InProcessWeb3jService(dispatcher);
    }

    public Web3j web3j() {
        return Web3j.build(web3jService());
    }

    @Override
    public void close() {
        LOG.info("devnet stopping block={}", node.blockNumber());
        miner.close();
        if (server != null) server.close();
        dispatcher.close();
        node.close();
    }
}
