package dev.clearline.devnet.junit;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlockNumber;

/**
 * A real node behind a load balancer that, while {@link #lag lagging}, sends reads to a node one
 * block behind, as hosted endpoints do: {@code eth_blockNumber} says one less (unless only the
 * calls lag), {@code eth_call} and {@code eth_estimateGas} without a block or at
 * {@code latest}/{@code pending} run on the block before the head, and a call pinned to a block
 * that node has not reached is refused with "header not found". Every other call, and every
 * answer once the lag is over, is the node's own. Closing it leaves the node open.
 */
public final class BlockBehind extends ForwardingTransport {
    private int answers;
    private boolean blockNumberToo;

    public BlockBehind(Web3jService node) {
        super(node);
    }

    /**
     * Lags the next {@code answers} reads; {@code blockNumberToo} false leaves {@code eth_blockNumber}
     * to the up-to-date node (the balancer sent it elsewhere).
     */
    public BlockBehind lag(int answers, boolean blockNumberToo) {
        this.answers = answers;
        this.blockNumberToo = blockNumberToo;
        return this;
    }

    /** Lagged answers still to give. */
    public int lagging() {
        return answers;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> type) throws IOException {
        String method = request.getMethod();
        boolean read = "eth_call".equals(method) || "eth_estimateGas".equals(method) || ("eth_blockNumber".equals(method) && blockNumberToo);
        if (answers == 0 || !read) return super.send(request, type);
        answers--;
        BigInteger behind = ((EthBlockNumber) node.send(new Request<>("eth_blockNumber", List.of(), node, EthBlockNumber.class),
                EthBlockNumber.class)).getBlockNumber().subtract(BigInteger.ONE);
        if ("eth_blockNumber".equals(method)) {
            EthBlockNumber answer = new EthBlockNumber();
            answer.setResult("0x" + behind.toString(16));
            return (T) answer;
        }
        List<Object> params = new ArrayList<>(request.getParams());
        Object block = params.size() > 1 ? params.get(1) : null;
        String tag = block instanceof DefaultBlockParameter p ? p.getValue() : block == null ? "latest" : block.toString();
        if (tag.startsWith("0x") && new BigInteger(tag.substring(2), 16).compareTo(behind) > 0) {
            T refused;
            try {
                refused = type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IOException(e);
            }
            refused.setError(new Response.Error(-32000, "header not found"));
            return refused;
        }
        if (!tag.startsWith("0x")) {
            DefaultBlockParameter at = DefaultBlockParameter.valueOf(behind);
            if (params.size() > 1) params.set(1, at);
            else params.add(at);
        }
        return (T) node.send(new Request<>(method, params, node, type), type);
    }

    @Override
    public void close() {
        // the node is the test's
    }
}
