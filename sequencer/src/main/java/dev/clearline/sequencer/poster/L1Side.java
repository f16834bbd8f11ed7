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

    /** What the checks before a start found: the client they used (the caller's to shut down), the chain, the confirmations to wait. */
    private record Checked(Web3j web3j, long chain, int confirmations) {}

    /**
     * Everything {@link #start} checks, with nothing started and nothing sent: the endpoint answers, serves the manifest's
     * chain and a rollup at its address that is not frozen, the operator key is not a public test key off a development
     * node, confirmations are chosen there, and the rollup takes batches from this key. A node runs it before it starts its
     * log and its trader API, so a wrong setting ends the start before any trader is served.
     *
     * @throws Unreachable when the endpoint does not answer (a node may choose to start anyway and retry)
     * @throws NotTheSequencer when the rollup takes batches from another key
     */
    public static Found preflight(Settings s) throws IOException {
        Checked c = check(s);
        try {
            Rollup rollup = Rollup.load(s.deployment().rollup(), c.web3j(), new ReadonlyTransactionManager(c.web3j(), s.deployment().rollup()),
                    new DefaultGasProvider());
            long forceDelay = BatchPoster.call(() -> rollup.forceDelay().send()).longValueExact();
            long batches = BatchPoster.call(() -> rollup.nextBatchIndex().send()).longValueExact();
            var tipRoot = new dev.clearline.engine.order.Hash32(BatchPoster.call(() -> rollup.tip().send()).component1());
            return new Found(forceDelay, dev.clearline.prover.l1.L1Clock.speed(s.rpcUrl()), batches, tipRoot);
        } finally {
            c.web3j().shutdown();
        }
    }

    /**
     * What a node's settings are judged against besides: the rollup's force delay (L1 seconds), how many L1 seconds
     * pass in a real one (above 1 only on a devnet run fast), and the rollup's tip now (a state taken up from L1 must
     * follow it).
     */
    public record Found(long forceDelaySeconds, long timeSpeed, long batches, dev.clearline.engine.order.Hash32 tipRoot) {
        /**
         * Why an op could wait in this node longer than the rollup keeps batches for it, or empty: an op taken just after
         * a batch opened waits up to {@code batchSeconds} for it to seal and a poster round more for the post. Once it has
         * waited {@code forceDelay / 2} another bonded proposer may post ahead of the node, whose next batch then no
         * longer continues the tip (the node halts); refused from there, and warned of from a quarter, where the node
         * warns of every op.
         */
        /** L1 seconds an op may wait in the node: a batch open {@code batchSeconds}, then a poster round. */
        private long waitL1(long batchSeconds, long intervalMillis) {
            return (batchSeconds * 1_000 + intervalMillis) * timeSpeed / 1_000;
        }

        /** The longest {@code --batch-seconds} (at least 1) whose wait stays under {@code bound} L1 seconds: what the messages offer. */
        private long longestBelow(long bound, long intervalMillis) {
            long b = Math.max(1, (bound * 1_000 / timeSpeed - intervalMillis) / 1_000);
            while (b > 1 && waitL1(b, intervalMillis) >= bound) b--;
            while (waitL1(b + 1, intervalMillis) < bound) b++;
            return b;
        }

        public java.util.Optional<String> tooSlow(long batchSeconds, long intervalMillis, boolean refusal) {
            long waitL1 = waitL1(batchSeconds, intervalMillis);
            long bound = refusal ? forceDelaySeconds / 2 : forceDelaySeconds / 4;
            if (waitL1 < bound) return java.util.Optional.empty();
            long accepted = longestBelow(forceDelaySeconds / 2, intervalMillis);
            long most = longestBelow(forceDelaySeconds / 4, intervalMillis);
            String wait = "an op may wait up to " + waitL1 + " L1 second(s) in this node (--batch-seconds " + batchSeconds
                    + " and --l1-interval-ms " + intervalMillis + (timeSpeed > 1 ? ", L1 time running " + timeSpeed + "x" : "") + ")";
            String ahead = "another proposer may post ahead of this node once an op has waited " + forceDelaySeconds / 2 + " s, and the node then halts";
            // a refusal says what breaks; a warning that the margin is thin, or it reads like the refusal it is not
            return java.util.Optional.of(refusal
                    ? wait + ", but the rollup's force delay is " + forceDelaySeconds + " s: " + ahead + "; pass --batch-seconds " + accepted
                            + " or less (" + most + " or less keeps a margin)"
                    : wait + ", over a quarter of the rollup's force delay of " + forceDelaySeconds + " s: " + ahead + ", so one slow L1 round"
                            + " could halt it; --batch-seconds " + most + " or less keeps a margin");
        }
    }

    /** The rollup takes batches from another key than the operator's (governance may hand the role back). */
    public static final class NotTheSequencer extends IOException {
        NotTheSequencer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The L1 endpoint did not answer: nothing about the settings is known to be wrong. */
    public static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Checks the endpoint serves the manifest's chain and rollup, then starts the loop; IOException says what does not match. */
    public static L1Side start(Settings s, SequencerLink sequencer) throws IOException {
        Checked c = check(s);
        Web3j web3j = c.web3j();
        try {
            TxSender sender = new TxSender(web3j, s.operator(), c.chain(), s.fees(), TxSender.Time.SYSTEM);
            BatchPoster poster = new BatchPoster(web3j, s.deployment().rollup(), sender, sequencer);
            PriorityOpFeed feed = new PriorityOpFeed(new RollupLog(web3j, s.deployment().rollup()), sequencer, s.deployment().blockNumber(),
                    c.confirmations());
            L1Loop loop = new L1Loop(web3j, s.deployment().rollup(), feed, poster, s.intervalMillis()).start();
            log.info("event=l1_attached rpc={} chain={} rollup={} operator={} fromBlock={}", s.rpcUrl(), c.chain(), s.deployment().rollup(),
                    sender.address(), s.deployment().blockNumber());
            return new L1Side(web3j, loop);
        } catch (RuntimeException e) {
            web3j.shutdown();
            throw e;
        }
    }

    private static Checked check(Settings s) throws IOException {
        Web3j web3j = Web3j.build(new HttpService(s.rpcUrl()));
        try {
            long chain;
            try {
                chain = web3j.ethChainId().send().getChainId().longValueExact();
            } catch (IOException e) {
                throw new Unreachable("the L1 RPC at " + s.rpcUrl() + " does not answer (" + dev.clearline.contracts.ConnectionFailure.describe(e)
                        + "); is the node running?", e);
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
            Rollup rollup = Rollup.load(d.rollup(), web3j, new ReadonlyTransactionManager(web3j, d.rollup()), new DefaultGasProvider());
            // a frozen rollup takes nothing more, for good: a node started on it would take orders that never settle
            var frozen = BatchPoster.Frozen.of(rollup);
            if (frozen.isPresent()) throw new FrozenRollup(frozen.get().getMessage());
            var client = web3j.web3ClientVersion().send();
            boolean devNode = PublicKeys.isDevNode(chain, client.hasError() ? "" : client.getWeb3ClientVersion());
            int confirmations = confirmations(s.confirmations(), devNode, chain);
            if (PublicKeys.isPublic(s.operator().getAddress()) && !devNode) {
                throw new IOException("the operator key " + s.operator().getAddress() + " is one of the publicly known keys of the test mnemonic"
                        + " (\"test test ... junk\"); on chain " + chain + " anyone holds it and could take its bond or post as it: pass a key of"
                        + " your own (--operator-key-file FILE or CLEARLINE_OPERATOR_KEY)");
            }
            try {
                // before the node takes an order it could never post
                BatchPoster.requireSequencer(rollup, s.operator().getAddress(), "");
            } catch (BatchPoster.NotSequencer e) {
                throw new NotTheSequencer(e.getMessage(), e);
            }
            return new Checked(web3j, chain, confirmations);
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
