package dev.clearline.prover.l1;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends one key's transactions to any JSON-RPC endpoint, one at a time, until each is mined:
 * it keeps the key's nonce itself (read once from the node, then counted), prices each attempt
 * from the latest base fee, and when an attempt is refused as underpriced, or L1 mined a block
 * after it without it and {@link FeePolicy#resendAfterMillis()} passed (the fee market moved past
 * it), sends it again under the same nonce with both fees raised by {@link FeePolicy#bumpPercent()}.
 * An attempt still unmined after that time while no block came at all is sent again unchanged:
 * it was not passed over (on a chain with 12 s blocks the next one simply had not come, and a
 * raise would only cost its sender), but a node may have dropped it, and the same signed bytes
 * put it back in the pool for free. Every attempt shares the nonce, so at most one of them is ever
 * mined; the receipts of all of them are watched, since the one that lands may be an earlier one.
 *
 * <p>A call the node's gas estimate says would revert is not sent at all ({@link WouldRevert}):
 * the caller re-reads the chain instead of paying for a failure. Once a transaction of this sender
 * is mined, the next estimate runs at that block or later: a load-balanced endpoint may answer
 * from a node a block behind, where a call that needs the previous transaction (a deposit after
 * its approve) would seem to revert. A node that has not reached the block refuses the estimate
 * ("header not found") and it is asked again, for up to {@link #BEHIND_PATIENCE_MILLIS}.
 *
 * <p>When L1 used the nonce but no attempt of the call has a receipt (another program sent with
 * this key after a node dropped ours), the send fails after {@link #NONCE_USED_PATIENCE_MILLIS}
 * with an error saying so: resending under a fresh nonce could do the call twice.
 *
 * <p>Thread-safe: threads sharing one key share one sender, whose sends run one at a time (each
 * holds the sender until its transaction is mined), so they never race for a nonce or replace each
 * other's pooled transactions. The local stack's batch poster and its watcher (defending the
 * poster's batches) share the operator's sender this way.
 */
public final class TxSender {
    private static final Logger log = LoggerFactory.getLogger(TxSender.class);

    /** How fees start and grow, and how long an attempt may stay unmined before it is re-sent. */
    public record FeePolicy(BigInteger minTipWei, int bumpPercent, long resendAfterMillis, BigInteger maxFeeCapWei, long pollMillis) {
        public FeePolicy {
            if (bumpPercent < 10) throw new IllegalArgumentException("a replacement must raise its fees by at least 10% (nodes refuse less), got " + bumpPercent);
        }

        /** Devnet-friendly: 1 gwei tip at least, +25% per re-send after 6 s unmined with a block since, fees capped at 500 gwei. */
        public static FeePolicy defaults() {
            return new FeePolicy(BigInteger.valueOf(1_000_000_000L), 25, 6_000, BigInteger.valueOf(500_000_000_000L), 50);
        }

        public FeePolicy withResendAfter(long millis) {
            return new FeePolicy(minTipWei, bumpPercent, millis, maxFeeCapWei, pollMillis);
        }

        public FeePolicy withPollMillis(long millis) {
            return new FeePolicy(minTipWei, bumpPercent, resendAfterMillis, maxFeeCapWei, millis);
        }

        public FeePolicy withMaxFeeCap(BigInteger wei) {
            return new FeePolicy(minTipWei, bumpPercent, resendAfterMillis, wei, pollMillis);
        }

        public FeePolicy withMinTip(BigInteger wei) {
            return new FeePolicy(wei, bumpPercent, resendAfterMillis, maxFeeCapWei, pollMillis);
        }
    }

    /** What a sent transaction became: its receipt, and every attempt's hash (the mined one among them). */
    public record Sent(TransactionReceipt receipt, long nonce, List<String> attempts, BigInteger maxFeePerGas) {}

    /** The node's gas estimate says the call reverts: nothing was sent. */
    public static final class WouldRevert extends Exception {
        public WouldRevert(String message) {
            super(message, null, false, false);
        }
    }

    /** Clock and pause, given so tests and callers control time. */
    public interface Time {
        long millis();

        void sleep(long millis) throws InterruptedException;

        Time SYSTEM = new Time() {
            @Override
            public long millis() {
                return System.currentTimeMillis();
            }

            @Override
            public void sleep(long millis) throws InterruptedException {
                Thread.sleep(millis);
            }
        };
    }

    private final Web3j web3j;
    private final Credentials key;
    private final long chainId;
    private final FeePolicy fees;
    private final Time time;
    /** How long an estimate waits for a node behind this sender's last mined transaction before giving up. */
    static final long BEHIND_PATIENCE_MILLIS = 30_000;
    /**
     * How long the key's nonce may stand used on L1 with no receipt for any attempt of the call
     * before the send fails: a node may serve a receipt a little after the count, never this late.
     */
    static final long NONCE_USED_PATIENCE_MILLIS = 30_000;

    private Long nextNonce;
    /** The block of this sender's newest mined transaction, -1 before its first. */
    private long lastMinedBlock = -1;
    /**
     * The lowest fork block a caller reported since the last send ({@link #reorganised}), {@link Long#MAX_VALUE} for none:
     * set from any thread without waiting for a send in progress, applied by the next send and by an estimate waiting
     * for a block the reorg took away.
     */
    private final java.util.concurrent.atomic.AtomicLong forkBlock = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    private volatile long resends;

    public TxSender(Web3j web3j, Credentials key, long chainId, FeePolicy fees, Time time) {
        this.web3j = web3j;
        this.key = key;
        this.chainId = chainId;
        this.fees = fees;
        this.time = time;
    }

    public String address() {
        return key.getAddress();
    }

    /**
     * L1 reorganised: every block after {@code forkBlock} was replaced. A transaction of this sender's mined there may
     * be gone (a node that does not put it back in its pool forgets it): the next send reads the key's nonce afresh, and
     * its estimate no longer waits for the block that held this sender's last transaction. Without this, a chain left
     * shorter than that block (a devnet that mines only on a transaction) held every send for 30 s and then failed it
     * as if the node were behind. Safe from any thread, and does not wait for a send in progress.
     */
    public void reorganised(long forkBlock) {
        this.forkBlock.accumulateAndGet(forkBlock, Math::min);
    }

    /** Applies a reported reorg: forgets what it may have taken away. */
    private void applyReorg() {
        long fork = forkBlock.getAndSet(Long.MAX_VALUE);
        if (fork == Long.MAX_VALUE || lastMinedBlock <= fork) return;
        log.info("event=tx_sender_reorganised forkBlock={} lastMinedBlock={} action=\"read the nonce again\"", fork, lastMinedBlock);
        lastMinedBlock = fork;
        nextNonce = null;
    }

    /** Attempts sent again (after a drop, a refusal as underpriced, or a stall) since this sender started. */
    public long resends() {
        return resends;
    }

    /**
     * Waits until every transaction this key has in the node's pool is mined (a previous run's
     * last attempt, say), so what the chain shows afterwards includes it. Gives up after
     * {@code timeoutMillis} and returns false.
     */
    public synchronized boolean awaitIdle(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = time.millis() + timeoutMillis;
        while (true) {
            BigInteger pending = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING).send())
                    .getTransactionCount();
            BigInteger mined = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send())
                    .getTransactionCount();
            if (pending.compareTo(mined) <= 0) return true;
            if (time.millis() > deadline) return false;
            time.sleep(fees.pollMillis());
        }
    }

    /**
     * Sends a call of {@code data} to {@code to} with {@code value} wei and returns once it is
     * mined (successfully or reverted: see the receipt's status).
     *
     * @throws WouldRevert when the gas estimate fails: nothing was sent
     * @throws IOException when the node cannot be reached or refuses for a reason re-sending cannot fix
     */
    public synchronized Sent send(String to, String data, BigInteger value) throws IOException, InterruptedException, WouldRevert {
        applyReorg();
        BigInteger gas = estimate(to, data, value);
        if (nextNonce == null) syncNonce(); // after the estimate, which may have applied a reorg
        long nonce = nextNonce;
        BigInteger tip = currentTip();
        BigInteger maxFee = baseFee().multiply(BigInteger.TWO).add(tip);
        List<String> attempts = new ArrayList<>();
        long nonceUsedSince = -1;
        while (true) {
            maxFee = maxFee.min(fees.maxFeeCapWei());
            tip = tip.min(maxFee);
            RawTransaction raw = RawTransaction.createTransaction(chainId, BigInteger.valueOf(nonce), gas, to, value, data, tip, maxFee);
            String signed = Numeric.toHexString(TransactionEncoder.signMessage(raw, chainId, key));
            String hash = org.web3j.crypto.Hash.sha3(signed);
            EthSendTransaction r = web3j.ethSendRawTransaction(signed).send();
            // read after the send: a block that came before it could not have taken it, so it must not count as passing it over
            long sentAtBlock = headBlock();
            boolean retryNow = false;
            if (r.hasError()) {
                String msg = r.getError().getMessage() == null ? "" : r.getError().getMessage();
                switch (classify(msg)) {
                    case KNOWN -> { if (!attempts.contains(hash)) attempts.add(hash); }
                    case UNDERPRICED -> {
                        if (maxFee.compareTo(fees.maxFeeCapWei()) >= 0) {
                            throw new IOException("the node refuses the transaction as underpriced even at the fee cap of "
                                    + fees.maxFeeCapWei() + " wei per gas: " + msg + "; raise the cap or wait for fees to fall");
                        }
                        log.info("event=tx_underpriced nonce={} maxFee={} tip={} node=\"{}\"", nonce, maxFee, tip, msg);
                        retryNow = true;
                    }
                    case NONCE_TOO_LOW -> {
                        Optional<TransactionReceipt> mined = minedAmong(attempts);
                        if (mined.isPresent()) return done(mined.get(), nonce, attempts, maxFee);
                        BigInteger onChain = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send())
                                .getTransactionCount();
                        if (onChain.longValueExact() > nonce && attempts.isEmpty()) {
                            // another sender used this key: take the next free nonce and start over
                            log.warn("event=nonce_taken nonce={} chainNonce={} action=resync", nonce, onChain);
                            nextNonce = onChain.longValueExact();
                            nonce = nextNonce;
                            continue;
                        }
                        if (onChain.longValueExact() > nonce) {
                            // L1 used the nonce: ours, whose receipt this node may not serve yet, or another
                            // program's after ours was dropped. Sending on would spin forever, and resyncing
                            // could send the call twice; past the patience it is reported, not guessed at.
                            if (nonceUsedSince < 0) nonceUsedSince = time.millis();
                            else if (time.millis() - nonceUsedSince > NONCE_USED_PATIENCE_MILLIS) {
                                nextNonce = null; // the next call reads the key's nonce afresh
                                throw new IOException("nonce " + nonce + " of " + key.getAddress() + " was used on L1, but by none of the "
                                        + attempts.size() + " transactions sent for this call " + attempts + " (no receipt for "
                                        + NONCE_USED_PATIENCE_MILLIS / 1000 + " s): another program sends with this key. This call is"
                                        + " not known to be mined; check the key's recent transactions before trying it again, and"
                                        + " give each program its own key");
                            }
                        }
                        // one of our attempts (or the node's copy of it) is still pooled, or mined and not yet served: wait below
                    }
                    case NONCE_TOO_HIGH -> {
                        syncNonce();
                        nonce = nextNonce;
                        continue;
                    }
                    case OTHER -> throw new IOException("the node refused the transaction (nonce " + nonce + "): " + msg);
                }
            } else {
                attempts.add(r.getTransactionHash() == null ? hash : r.getTransactionHash());
            }
            if (!retryNow) {
                while (true) {
                    long resendAt = time.millis() + fees.resendAfterMillis();
                    while (time.millis() < resendAt) {
                        Optional<TransactionReceipt> mined = minedAmong(attempts);
                        if (mined.isPresent()) return done(mined.get(), nonce, attempts, maxFee);
                        time.sleep(fees.pollMillis());
                    }
                    if (headBlock() > sentAtBlock) break;
                    // no block since it was sent: nothing passed it over, so the same bytes go again (a dropped copy returns)
                    resends++;
                    EthSendTransaction again = web3j.ethSendRawTransaction(signed).send();
                    String why = again.hasError() && again.getError().getMessage() != null ? again.getError().getMessage() : "";
                    log.info("event=tx_not_mined nonce={} attempts={} waitedMs={} blocksSince=0 action=send_again_unchanged node=\"{}\"",
                            nonce, attempts.size(), fees.resendAfterMillis(), why);
                    // this node wants more (raise below), or L1 used the nonce (the check above runs on the next attempt)
                    if (again.hasError() && (classify(why) == Refusal.UNDERPRICED || classify(why) == Refusal.NONCE_TOO_LOW)) break;
                }
                log.info("event=tx_not_mined nonce={} attempts={} waitedMs={} action=resend_with_higher_fees", nonce, attempts.size(),
                        fees.resendAfterMillis());
                fillNonceGap(nonce, tip, maxFee);
            }
            if (maxFee.compareTo(fees.maxFeeCapWei()) >= 0 && !retryNow) {
                log.warn("event=tx_fee_cap_reached nonce={} maxFee={} action=keep_waiting_and_resending", nonce, maxFee);
            }
            resends++;
            BigInteger bump = BigInteger.valueOf(100 + fees.bumpPercent());
            tip = tip.multiply(bump).divide(BigInteger.valueOf(100)).add(BigInteger.ONE);
            maxFee = maxFee.multiply(bump).divide(BigInteger.valueOf(100)).add(BigInteger.ONE)
                    .max(baseFee().multiply(BigInteger.TWO).add(tip));
        }
    }

    /**
     * A transaction of this key's that L1 had and lost (a reorg into a branch without it that no pool put back, told to no
     * one: {@link #reorganised} was not called) leaves a gap below {@code nonce}, and a node pools ours behind it (geth does,
     * and the devnet without automine), where no fee bump reaches it. The gap is filled with transfers of nothing to the
     * key itself, so that ours runs, once, under the nonce it was signed with; sending this call again under the lower
     * nonce would run it twice once the gap closed. A node behind the others may count fewer: its fillers are refused as
     * "nonce too low" by the rest, which costs nothing.
     */
    private void fillNonceGap(long nonce, BigInteger tip, BigInteger maxFee) throws IOException {
        long pending = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING).send())
                .getTransactionCount().longValueExact();
        if (pending >= nonce) return;
        log.warn("event=nonce_gap nonce={} nodePendingNonce={} action=fill_with_empty_transfers", nonce, pending);
        for (long n = pending; n < nonce; n++) {
            RawTransaction filler = RawTransaction.createTransaction(chainId, BigInteger.valueOf(n), BigInteger.valueOf(21_000),
                    key.getAddress(), BigInteger.ZERO, "0x", tip, maxFee);
            EthSendTransaction r = web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(filler, chainId, key))).send();
            if (r.hasError()) log.info("event=nonce_gap_filler_refused nonce={} node=\"{}\"", n, r.getError().getMessage());
        }
    }

    private Sent done(TransactionReceipt receipt, long nonce, List<String> attempts, BigInteger maxFee) {
        nextNonce = nonce + 1;
        if (receipt.getBlockNumber() != null) lastMinedBlock = Math.max(lastMinedBlock, receipt.getBlockNumber().longValueExact());
        if (attempts.size() > 1) {
            log.info("event=tx_mined_after_resends nonce={} attempts={} hash={}", nonce, attempts.size(), receipt.getTransactionHash());
        }
        return new Sent(receipt, nonce, List.copyOf(attempts), maxFee);
    }

    private Optional<TransactionReceipt> minedAmong(List<String> hashes) throws IOException {
        for (String h : hashes) {
            Optional<TransactionReceipt> r = check(web3j.ethGetTransactionReceipt(h).send()).getTransactionReceipt();
            if (r.isPresent()) return r;
        }
        return Optional.empty();
    }

    /**
     * Makes the next send use the key's first unmined nonce, so it replaces whatever a previous
     * run left pooled under it rather than queueing behind it.
     */
    public synchronized void replacePooled() throws IOException {
        nextNonce = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send())
                .getTransactionCount().longValueExact();
    }

    private void syncNonce() throws IOException {
        nextNonce = check(web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING).send())
                .getTransactionCount().longValueExact();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private BigInteger estimate(String to, String data, BigInteger value) throws IOException, WouldRevert, InterruptedException {
        Transaction call = Transaction.createFunctionCallTransaction(key.getAddress(), null, null, null, to, value, data);
        long deadline = time.millis() + BEHIND_PATIENCE_MILLIS;
        while (true) {
            Request<?, EthEstimateGas> request = web3j.ethEstimateGas(call);
            long at = -1;
            if (lastMinedBlock >= 0) {
                at = Math.max(lastMinedBlock, headBlock());
                ((Request) request).setParams(List.of(call, Numeric.toHexStringWithPrefix(BigInteger.valueOf(at))));
            }
            EthEstimateGas e = request.send();
            if (!e.hasError()) return e.getAmountUsed().multiply(BigInteger.valueOf(13)).divide(BigInteger.TEN);
            String why = e.getError().getMessage() == null ? "" : e.getError().getMessage();
            if (at >= 0 && behind(why)) {
                applyReorg(); // the block waited for may have been taken away meanwhile
                if (time.millis() > deadline) {
                    throw new IOException("the node has not reached block " + at + ", where this key's last transaction was mined, after "
                            + BEHIND_PATIENCE_MILLIS / 1000 + " s (" + why + "): it is behind the chain; use another RPC endpoint");
                }
                time.sleep(fees.pollMillis());
                continue;
            }
            if (e.getError().getData() != null) why += " (data " + e.getError().getData() + ")";
            throw new WouldRevert(why);
        }
    }

    /** A node's refusal of a block it has not reached (geth and the devnet, Erigon and Nethermind, Hardhat). */
    static boolean behind(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("header not found") || m.contains("unknown block") || m.contains("invalid block tag")
                || m.contains("block not found");
    }

    private long headBlock() throws IOException {
        return check(web3j.ethBlockNumber().send()).getBlockNumber().longValueExact();
    }

    private BigInteger baseFee() throws IOException {
        BigInteger b = check(web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send()).getBlock().getBaseFeePerGas();
        return b == null ? BigInteger.ZERO : b;
    }

    private BigInteger currentTip() throws IOException {
        var r = web3j.ethMaxPriorityFeePerGas().send();
        BigInteger node = r.hasError() ? BigInteger.ZERO : r.getMaxPriorityFeePerGas();
        return node.max(fees.minTipWei());
    }

    enum Refusal { KNOWN, UNDERPRICED, NONCE_TOO_LOW, NONCE_TOO_HIGH, OTHER }

    /** Nodes word these differently (geth, Hardhat, the devnet); the phrases below are what they share. */
    static Refusal classify(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("already known") || m.contains("known transaction") || m.contains("already imported")) return Refusal.KNOWN;
        if (m.contains("underpriced") || m.contains("fee too low") || m.contains("less than block base fee")
                || m.contains("max fee per gas less than")) return Refusal.UNDERPRICED;
        if (m.contains("nonce too low") || m.contains("nonce has already been used")) return Refusal.NONCE_TOO_LOW;
        if (m.contains("nonce too high")) return Refusal.NONCE_TOO_HIGH;
        return Refusal.OTHER;
    }

    private static <T extends Response<?>> T check(T response) throws IOException {
        if (response.hasError()) throw new IOException("the node answered an error: " + response.getError().getMessage());
        return response;
    }
}
