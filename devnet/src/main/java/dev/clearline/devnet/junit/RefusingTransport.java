package dev.clearline.devnet.junit;

import java.io.IOException;
import java.math.BigInteger;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.utils.Numeric;

/**
 * A real node whose gas estimate refuses one kind of call, as L1 does when the chain moved on under
 * the sender (a dispute game's clock ran out, a batch was posted first), or as a node behind the
 * chain does: while {@link #refuse} is in force, an {@code eth_estimateGas} of a call with that
 * selector (and, when a first argument is named, that value as its first argument) answers
 * "execution reverted" with the given revert data. Everything else goes through untouched.
 */
public final class RefusingTransport extends ForwardingTransport {
    /** What is refused: a 4-byte selector, the value its first argument must have (0: any), and the revert data. */
    private record Refusal(String selector, long firstArgument, String revertData) {}

    private volatile Refusal refusal;
    /** Estimates refused so far. */
    public volatile int refusals;

    public RefusingTransport(Web3jService node) {
        super(node);
    }

    /**
     * Refuses calls whose data starts with {@code selector} and whose first argument is {@code firstArgument} (a game's
     * id; 0: any call of that selector) with {@code revertData}.
     */
    public RefusingTransport refuse(String selector, long firstArgument, String revertData) {
        refusal = new Refusal(selector, firstArgument, revertData);
        return this;
    }

    /** Lets every call through again. */
    public void allow() {
        refusal = null;
    }

    /** The selector of a function by its canonical signature. */
    public static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    /** The revert data of a custom error with uint arguments. */
    public static String error(String signature, long... arguments) {
        StringBuilder data = new StringBuilder(selector(signature));
        for (long a : arguments) data.append(Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(a), 64));
        return data.toString();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        Refusal r = refusal;
        if (r != null && "eth_estimateGas".equals(request.getMethod()) && request.getParams().getFirst() instanceof Transaction call
                && call.getData() != null && call.getData().startsWith(r.selector())
                && (r.firstArgument() == 0 || BigInteger.valueOf(r.firstArgument()).equals(Numeric.toBigInt(call.getData().substring(10, 74))))) {
            refusals++;
            try {
                T answer = responseType.getDeclaredConstructor().newInstance();
                Response.Error error = new Response.Error(3, "execution reverted");
                error.setData(r.revertData());
                answer.setError(error);
                return answer;
            } catch (ReflectiveOperationException e) {
                throw new IOException(e);
            }
        }
        return (T) node.send(request, responseType);
    }
}
