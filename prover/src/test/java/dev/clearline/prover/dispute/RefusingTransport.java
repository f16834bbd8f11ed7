package dev.clearline.prover.dispute;

import dev.clearline.devnet.junit.ForwardingTransport;
import java.io.IOException;
import java.math.BigInteger;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.utils.Numeric;

/**
 * A real node whose gas estimate refuses one game's bisections, as L1 does when the game moved on
 * under the mover: while {@link #refusedGame} is set, an {@code eth_estimateGas} of
 * {@code bisect(refusedGame, ..)} answers "execution reverted" with the game's
 * {@code ClockExpired(gameId, 0)} error as its data. Everything else goes through untouched.
 */
final class RefusingTransport extends ForwardingTransport {
    private static final String BISECT = Hash.sha3String("bisect(uint256,bytes32[])").substring(0, 10);
    private static final String CLOCK_EXPIRED = Hash.sha3String("ClockExpired(uint256,uint8)").substring(0, 10);

    /** The game whose bisections are refused, or 0 for none. */
    volatile long refusedGame;
    /** Estimates refused so far. */
    volatile int refusals;

    RefusingTransport(Web3jService node) {
        super(node);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        if ("eth_estimateGas".equals(request.getMethod()) && refusedGame != 0
                && request.getParams().getFirst() instanceof Transaction call && call.getData() != null
                && call.getData().startsWith(BISECT) && BigInteger.valueOf(refusedGame).equals(gameOf(call.getData()))) {
            refusals++;
            try {
                T r = responseType.getDeclaredConstructor().newInstance();
                Response.Error error = new Response.Error(3, "execution reverted");
                error.setData(CLOCK_EXPIRED + word(refusedGame) + word(0));
                r.setError(error);
                return r;
            } catch (ReflectiveOperationException e) {
                throw new IOException(e);
            }
        }
        return (T) node.send(request, responseType);
    }

    private static BigInteger gameOf(String data) {
        return Numeric.toBigInt(data.substring(10, 10 + 64));
    }

    private static String word(long value) {
        return Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(value), 64);
    }
}
