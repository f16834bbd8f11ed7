package dev.clearline.prover.l1;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.replay.PostedBatch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.utils.Numeric;

/**
 * What the rollup contract recorded on L1, read through any JSON-RPC endpoint: the batches
 * proposers posted (header and calldata, taken from the transaction that posted them) and the
 * priority ops users enqueued. Nothing here trusts the operator: every header is checked against
 * the hash the contract stored in its {@code BatchSubmitted} event.
 *
 * <p>Batches are read from direct {@code submitBatch} calls to the rollup, the only ones it takes
 * ({@code PostedIndirectly} refuses a post from a contract or inside another call); a posting
 * transaction that is not one is reported as unreadable rather than guessed at.
 */
public final class RollupLog {
    /** {@code submitBatch((uint64,bytes32,bytes32,uint32,bytes32,uint64),bytes)}. */
    static final byte[] SUBMIT_BATCH = Arrays.copyOf(
            Hash.sha3("submitBatch((uint64,bytes32,bytes32,uint32,bytes32,uint64),bytes)".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 4);

    private final Web3j web3j;
    private final String rollup;

    public RollupLog(Web3j web3j, String rollupAddress) {
        this.web3j = web3j;
        this.rollup = rollupAddress;
        this.batchReads = new BatchReads(web3j, TRANSACTIONS_PER_REQUEST);
    }

    /** A batch as posted, with where L1 holds it. */
    public record Posted(PostedBatch batch, long submissionId, long blockNumber, String transactionHash) {}

    /**
     * Every batch submitted in blocks {@code [fromBlock, toBlock]}, in L1 order (a batch index may
     * appear again after a successful challenge rewound the chain).
     */
    public List<Posted> batches(long fromBlock, long toBlock) throws IOException {
        List<Posted> out = new ArrayList<>();
        List<Log> logs = logs(Rollup.BATCHSUBMITTED_EVENT, fromBlock, toBlock);
        List<Transaction> txs = postingTransactions(logs);
        for (int i = 0; i < logs.size(); i++) {
            Log log = logs.get(i);
            Rollup.BatchSubmittedEventResponse e = Rollup.getBatchSubmittedEventFromLog(log);
            Transaction tx = txs.get(i);
            PostedBatch b = decodeSubmitBatch(Numeric.hexStringToByteArray(tx.getInput()))
                    .orElseThrow(() -> new UnreadableBatchException(e.batchIndex.longValue(), log.getTransactionHash(),
                            "the transaction is not a direct submitBatch call to the rollup"));
            byte[] headerHash = Hash.sha3(encodeHeader(b.header()));
            if (!Arrays.equals(headerHash, e.headerHash)) {
                throw new UnreadableBatchException(e.batchIndex.longValue(), log.getTransactionHash(),
                        "the decoded header does not hash to the header hash the rollup stored");
            }
            out.add(new Posted(b, e.submissionId.longValue(), log.getBlockNumber().longValue(), log.getTransactionHash()));
        }
        return out;
    }

    /**
     * Posting transactions asked for in JSON-RPC batch requests of this many: a replay from the deployment (a watcher
     * catching up, an escape rebuilding the state) reads one per batch ever posted, and through a remote endpoint a
     * round trip each is most of its time.
     */
    static final int TRANSACTIONS_PER_REQUEST = 100;

    /** Kept across reads: a node that refused a batch request is asked one transaction at a time from then on. */
    private final BatchReads batchReads;

    /** The transactions that wrote {@code logs}, in their order: by batch requests where the node takes them, each checked. */
    private List<Transaction> postingTransactions(List<Log> logs) throws IOException {
        List<Optional<Transaction>> got = batchReads.read(
                logs.stream().map(l -> web3j.ethGetTransactionByBlockHashAndIndex(l.getBlockHash(), l.getTransactionIndex())).toList(),
                EthTransaction.class, EthTransaction::getTransaction);
        List<Transaction> out = new ArrayList<>(logs.size());
        for (int k = 0; k < logs.size(); k++) {
            String wanted = logs.get(k).getTransactionHash();
            // the block's transaction at that place is taken only when it is the log's own; anything else is asked alone
            Optional<Transaction> tx = got.get(k).filter(t -> wanted.equalsIgnoreCase(t.getHash()));
            out.add(tx.isPresent() ? tx.get() : postingTransaction(logs.get(k)));
        }
        return out;
    }

    /**
     * The transaction that wrote {@code log}, read by its place in its block: a node keeps the
     * block bodies of its whole chain but, by default (geth), an index by transaction hash only for
     * about the last year, and an escape years after the rollup began must still read its first
     * batches. By hash when the node answers nothing by place.
     */
    private Transaction postingTransaction(Log log) throws IOException {
        var byPlace = web3j.ethGetTransactionByBlockHashAndIndex(log.getBlockHash(), log.getTransactionIndex()).send();
        Optional<Transaction> tx = byPlace.hasError() ? Optional.empty()
                : byPlace.getTransaction().filter(t -> log.getTransactionHash().equalsIgnoreCase(t.getHash()));
        if (tx.isEmpty()) tx = web3j.ethGetTransactionByHash(log.getTransactionHash()).send().getTransaction();
        return tx.orElseThrow(() -> new IOException("the node knows neither transaction " + log.getTransactionHash() + " of its own log nor"
                + " the transaction at index " + log.getTransactionIndex() + " of block " + log.getBlockHash()
                + "; if it is a pruned node, point --rpc-url at one that keeps the rollup's blocks (an archive or a full node)"));
    }

    /** The priority ops enqueued in blocks {@code [fromBlock, toBlock]}, decoded, in queue order. */
    public List<Transition> priorityOps(long fromBlock, long toBlock) throws IOException {
        List<Transition> out = new ArrayList<>();
        for (Log log : logs(Rollup.PRIORITYOPENQUEUED_EVENT, fromBlock, toBlock)) {
            Rollup.PriorityOpEnqueuedEventResponse e = Rollup.getPriorityOpEnqueuedEventFromLog(log);
            try {
                out.add(TransitionCodec.decode(e.encoding));
            } catch (MalformedTransitionException ex) {
                throw new IOException("priority op " + e.index + " does not decode: " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    /**
     * Queued ops {@code [first, first + count)}, decoded, in queue order: what a batch consuming them
     * holds (a proposer who is not the operator builds it from these).
     *
     * @throws IOException when the node's logs hold fewer of them (a node that does not keep the rollup's logs)
     */
    public List<Transition> priorityOps(long first, int count, long fromBlock, long toBlock) throws IOException {
        List<Transition> out = new ArrayList<>(count);
        for (Transition t : priorityOps(fromBlock, toBlock)) {
            long index = ((Transition.PriorityOp) t).priorityIndex();
            if (index >= first && index < first + count) out.add(t);
        }
        if (out.size() != count) {
            throw new IOException("the L1 node's logs hold " + out.size() + " of queued ops " + first + " to " + (first + count - 1)
                    + " (read from block " + fromBlock + "); is it a node that keeps the rollup's logs?");
        }
        return out;
    }

    /**
     * The L1 block the rollup was deployed in ({@code Rollup.deploymentBlock()}): none of its logs
     * is older, so every read of its history starts there. 0 (read from genesis, correct but slow
     * on a long chain) when the contract does not answer the call with one word.
     */
    public long deploymentBlock() throws IOException {
        var call = web3j.ethCall(org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(null, rollup, DEPLOYMENT_BLOCK),
                org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send();
        if (call.hasError() || call.getValue() == null) return 0;
        byte[] word = Numeric.hexStringToByteArray(call.getValue());
        return word.length == 32 ? new BigInteger(1, word).longValue() : 0;
    }

    /**
     * The rollup's {@code submissions()} at the end of block {@code block}: how many batches had
     * been submitted by then. Fails when the node does not answer for that block (it is behind it,
     * or no longer keeps its state).
     */
    public long submissionsAt(long block) throws IOException {
        return CounterAt.read(web3j, rollup, "submissions()", block);
    }

    /**
     * The rollup's {@code queueLength()} at the end of block {@code block}: how many priority ops
     * had been enqueued by then. Fails as {@link #submissionsAt} does.
     */
    public long queueLengthAt(long block) throws IOException {
        return CounterAt.read(web3j, rollup, "queueLength()", block);
    }

    private static final String DEPLOYMENT_BLOCK = Numeric.toHexString(Arrays.copyOf(Hash.sha3("deploymentBlock()".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 4));

    public long latestBlock() throws IOException {
        return web3j.ethBlockNumber().send().getBlockNumber().longValue();
    }

    private List<Log> logs(org.web3j.abi.datatypes.Event event, long fromBlock, long toBlock) throws IOException {
        return LogQuery.logs(web3j, rollup, f -> f.addSingleTopic(EventEncoder.encode(event)), fromBlock, toBlock);
    }

    /** Every log of the rollup's {@code event} in blocks {@code [fromBlock, toBlock]}, in L1 order (a capped node's range split). */
    public List<Log> events(org.web3j.abi.datatypes.Event event, long fromBlock, long toBlock) throws IOException {
        return logs(event, fromBlock, toBlock);
    }

    /**
     * The encoding of queued op {@code index} (its PriorityOpEnqueued event, found by its indexed
     * index from {@code fromBlock} on), or empty when the node has no such event.
     */
    public Optional<byte[]> priorityOpEncoding(long index, long fromBlock) throws IOException {
        List<Log> logs = LogQuery.logs(web3j, rollup, f -> f.addSingleTopic(EventEncoder.encode(Rollup.PRIORITYOPENQUEUED_EVENT))
                .addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(index), 64)), fromBlock, latestBlock());
        return logs.isEmpty() ? Optional.empty() : Optional.of(Rollup.getPriorityOpEnqueuedEventFromLog(logs.getFirst()).encoding);
    }

    /**
     * The header and calldata of a {@code submitBatch} call: selector, six header words, the
     * offset of the bytes, then their length and content (standard ABI).
     */
    static Optional<PostedBatch> decodeSubmitBatch(byte[] input) {
        if (input.length < 4 + 8 * 32 || !Arrays.equals(Arrays.copyOf(input, 4), SUBMIT_BATCH)) return Optional.empty();
        ByteBuffer args = ByteBuffer.wrap(input, 4, input.length - 4).slice();
        long index = word(args, 0).longValueExact();
        Hash32 prev = new Hash32(bytes32(args, 1));
        Hash32 post = new Hash32(bytes32(args, 2));
        int count = word(args, 3).intValueExact();
        Hash32 transitionsRoot = new Hash32(bytes32(args, 4));
        long consumed = word(args, 5).longValueExact();
        BigInteger offset = word(args, 6);
        if (offset.bitLength() > 31 || offset.intValue() + 32 > args.limit()) return Optional.empty();
        BigInteger length = new BigInteger(1, slice(args, offset.intValue(), 32));
        if (length.bitLength() > 31 || offset.intValue() + 32 + length.intValue() > args.limit()) return Optional.empty();
        byte[] calldata = slice(args, offset.intValue() + 32, length.intValue());
        return Optional.of(new PostedBatch(new BatchHeader(index, prev, post, count, transitionsRoot, consumed), calldata));
    }

    /** The 116-byte header encoding whose keccak the rollup stores (docs/protocol.md section 6). */
    /** The hash the rollup stores for a batch header ({@code Rollup.batch(i).headerHash}): keccak256 of its packed fields. */
    public static byte[] headerHash(BatchHeader h) {
        return Hash.sha3(encodeHeader(h));
    }

    static byte[] encodeHeader(BatchHeader h) {
        return ByteBuffer.allocate(116).putLong(h.batchIndex()).put(h.prevStateRoot().bytes()).put(h.postStateRoot().bytes())
                .putInt(h.transitionCount()).put(h.transitionsRoot().bytes()).putLong(h.priorityOpsConsumed()).array();
    }

    private static BigInteger word(ByteBuffer b, int i) {
        return new BigInteger(1, slice(b, 32 * i, 32));
    }

    private static byte[] bytes32(ByteBuffer b, int i) {
        return slice(b, 32 * i, 32);
    }

    private static byte[] slice(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }
}
