package dev.clearline.prover.l1;

import java.io.IOException;
import java.math.BigInteger;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * The L1 time a transaction sent now would meet: what a deadline (a forced op's, a challenge
 * window, the escape hatch's claim window) is judged against before anything is sent.
 *
 * <p>The latest block's timestamp alone is not it on a development chain that mines a block only
 * for a transaction (Hardhat's node, the devnet): while nobody sends, no block comes and the
 * latest block's time stands still, though the chain's clock runs on (and {@code evm_increaseTime}
 * moves it without a block). An operator gone quiet is exactly such a chain: a trader waiting for a
 * forced withdrawal's deadline would read "not overdue yet" for ever. So this asks for the block
 * the node is building ({@code pending}), whose timestamp is the one the next block gets, and
 * keeps the later of the two: a node that answers {@code pending} with its latest block, or not at
 * all, gives the latest block's time as before.
 */
public final class L1Clock {
    private L1Clock() {
    }

    /** The later of the latest and the pending block's timestamps, in L1 seconds. */
    public static long now(Web3j web3j) throws IOException {
        long latest = timestamp(web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send(), "latest");
        long pending;
        try {
            pending = timestamp(web3j.ethGetBlockByNumber(DefaultBlockParameterName.PENDING, false).send(), "pending");
        } catch (IOException | RuntimeException e) {
            // some nodes keep no pending block (or refuse the tag): the latest block's time is all there is
            return latest;
        }
        return Math.max(latest, pending);
    }

    /**
     * L1 seconds per real second on the node at {@code rpcUrl}: the devnet says (its {@code clearline_nodeInfo}; the one
     * {@code ./clearline up} starts runs fast), any other node, or one that does not answer it, runs at 1.
     */
    public static long speed(String rpcUrl) {
        try {
            NodeInfo info = new org.web3j.protocol.core.Request<>("clearline_nodeInfo", java.util.List.of(),
                    new org.web3j.protocol.http.HttpService(rpcUrl), NodeInfo.class).send();
            com.fasterxml.jackson.databind.JsonNode speed = info.hasError() || info.getResult() == null ? null : info.getResult().path("timeSpeed");
            return speed != null && speed.canConvertToLong() && speed.asLong() > 1 ? speed.asLong() : 1;
        } catch (IOException | RuntimeException e) {
            return 1; // a node that does not know the method keeps real time
        }
    }

    /** The answer to {@code clearline_nodeInfo}. */
    public static final class NodeInfo extends org.web3j.protocol.core.Response<com.fasterxml.jackson.databind.JsonNode> {}

    private static long timestamp(EthBlock answer, String tag) throws IOException {
        if (answer.hasError()) throw new IOException("the " + tag + " block: " + answer.getError().getMessage());
        EthBlock.Block b = answer.getBlock();
        if (b == null || b.getTimestampRaw() == null) throw new IOException("the node has no " + tag + " block");
        BigInteger t = b.getTimestamp();
        return t.longValueExact();
    }
}
