package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.prover.l1.PublicKeys;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.sequencer.l1.SequencerLink;
import dev.clearline.prover.l1.TxSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.io.IOException;

/**
 * A node's L1 side against any JSON-RPC endpoint: the priority-op feed, the batch poster with the
 * operator's key (bond, post, finalize, report back into the log) on one {@link L1Loop}. What
 * {@code ./clearline up} wires by hand for the devnet, from a manifest and a key.
 */
public final class L1Side implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(L1Side.class);

    /**
     * @param confirmations blocks a priority op waits before the feed takes it (0 on a devnet; more where L1 reorgs), or
     *     {@link #CONFIRMATIONS_UNSET}: 0 on a development node, a refusal to start elsewhere
     */
    public record Settings(String rpcUrl, Deployment deployment, Credentials operator, long intervalMillis, int confirmations, TxSender.FeePolicy fees) {
        /** With the default fee policy (TxSender.FeePolicy.defaults: a 1 gwei tip at least, fees capped at 500 gwei). */
        public Settings(String rpcUrl, Deployment deployment, Credentials operator, long intervalMillis, int confirmations) {
            this(rpcUrl, deployment, operator, intervalMillis, confirmations, TxSender.FeePolicy.defaults());
        }
    }

    /** No --confirmations given: 0 on a development node; anywhere else the operator must choose. */
    public static final int CONFIRMATIONS_UNSET = -1;

    private final Web3j web3j;
    private final L1Loop loop;

    /** The rollup is frozen: the node has nothing to post, ever, and should not take orders. */
    public static final class FrozenRollup extends IOException {
        FrozenRollup(String message) {
            super(message);
        }
    }

    private L1Side(Web3j web3j, L1Loop loop) {
        this.web3j = web3j;
        this.loop = loop;
    }

    /** Checks the endpoint serves the manifest's chain and rollup, then starts the loop; IOException says what does not match. */
    public static L1Side start(Settings s, SequencerLink sequencer) throws IOException {
        Web3j web3j = Web3j.build(new HttpService(s.rpcUrl()));
        try {
            long chain;
            try {
                chain = web3j.ethChainId().send().getChainId().longValueExact();
            } catch (IOException e) {
                throw new IOException("the L1 RPC at " + s.rpcUrl() + " does not answer (" + e.getMessage() + "); is the node running?", e);
            }
            Deployment d = s.deployment();
            if (chain != d.chainId()) {
                throw new IOException("the L1 RPC at " + s.rpcUrl() + " serves chain " + chain + " but the manifest was deployed on chain "
                        + d.chainId() + "; pass the manifest of this chain");
            }
            String code = web3j.ethGetCode(d.rollup(), DefaultBlockParameterName.LATEST).send().getCode();
            if (code == null || code.equals("0x")) {
                throw new IOException("no contract at the manifest's Rollup " + d.rollup() + " on " + s.rpcUrl()
                        + "; the manifest belongs to another deployment (or the chain was reset): deploy again");
            }
            // a frozen rollup takes nothing more, for good: a node started on it would take orders that never settle
            var frozen = BatchPoster.Frozen.of(Rollup.load(d.rollup(), web3j, new ReadonlyTransactionManager(web3j, d.rollup()),
                    new DefaultGasProvider()));
            if (frozen.isPresent()) throw new FrozenRollup(frozen.get().getMessage());
            var client = web3j.web3ClientVersion().send();
            boolean devNode = PublicKeys.isDevNode(chain, client.hasError() ? "" : client.getWeb3ClientVersion());
            int confirmations = confirmations(s.confirmations(), devNode, chain);
            if (PublicKeys.isPublic(s.operator().getAddress()) && !devNode) {
                throw new IOException("the operator key " + s.operator().getAddress() + " is one of the publicly known keys of the test mnemonic"
                        + " (\"test test ... junk\"); on chain " + chain + " anyone holds it and could take its bond or post as it: pass a key of"
                        + " your own (--operator-key or CLEARLINE_OPERATOR_KEY)");
            }
            TxSender sender = new TxSender(web3j, s.operator(), chain, s.fees(), TxSender.Time.SYSTEM);
            BatchPoster poster = new BatchPoster(web3j, d.rollup(), sender, sequencer);
            try {
                poster.requireSequencer(); // before the node takes an order it could never post
            } catch (BatchPoster.NotSequencer e) {
                throw new IOException(e.getMessage().replace("; posting stopped", ""), e);
            }
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(web3j, d.rollup()), sequencer, d.blockNumber(), confirmations);
            L1Loop loop = new L1Loop(web3j, d.rollup(), feed, poster, s.intervalMillis()).start();
            log.info("event=l1_attached rpc={} chain={} rollup={} operator={} fromBlock={}", s.rpcUrl(), chain, d.rollup(),
                    sender.address(), d.blockNumber());
            return new L1Side(web3j, loop);
        } catch (IOException | RuntimeException e) {
            web3j.shutdown();
            throw e;
        }
    }

    /**
     * The confirmations the feed waits: as given, or 0 on a development node when none was. An op
     * taken into the log and then reorganised away leaves batches L1 refuses, and the queue stalls
     * until a freeze: off a development node how deep L1 reorganises is the operator's call, not a
     * default's, so an unset value there is refused with what to pass.
     */
    static int confirmations(int given, boolean devNode, long chain) throws IOException {
        if (given != CONFIRMATIONS_UNSET) return given;
        if (devNode) return 0;
        throw new IOException("chain " + chain + " is not a development node: pass --confirmations N, the L1 blocks a priority op waits"
                + " before the node takes it, at least how deep the chain reorganises (Ethereum: 64 for finality; 0 only where L1"
                + " never reorganises)");
    }

    public L1Loop loop() {
        return loop;
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
        web3j.shutdown();
    }
}
