package dev.clearline.cli;

import dev.clearline.prover.l1.BatchReads;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;

/**
 * Whether L1 paid each of a trader's final withdrawals ({@code Rollup.withdrawalClaimed}), asked in
 * JSON-RPC batch requests: `status` lists up to 200 recent withdrawals, and one call after another
 * (web3j's HTTP client runs a few at a time) costs a round trip each on a distant node. What a batch
 * does not answer, or an endpoint that takes no batches, is asked one call at a time.
 */
final class ClaimReads {
    /** Calls per batch request: hosted endpoints cap a batch (some at 100), and 200 ids need two. */
    static final int CALLS_PER_REQUEST = 100;

    /** One read of {@code withdrawalClaimed}, as the fallback makes it (the generated contract's call). */
    interface OneRead {
        boolean claimed(long withdrawalId) throws Exception;
    }

    private ClaimReads() {}

    /** {@code withdrawalClaimed} of each id, read at L1's latest block; {@code one} for what the batches leave. */
    static Map<Long, Boolean> claimed(Web3j web3j, String rollup, List<Long> ids, OneRead one) throws Exception {
        // a revert or a malformed word is no answer: that id is asked alone
        List<Optional<Boolean>> got = new BatchReads(web3j, CALLS_PER_REQUEST).read(ids.stream().map(id -> call(web3j, rollup, id)).toList(),
                EthCall.class, c -> c.isReverted() ? Optional.empty() : decode(c.getValue()));
        Map<Long, Boolean> out = new HashMap<>();
        for (int k = 0; k < ids.size(); k++) {
            long id = ids.get(k);
            out.put(id, got.get(k).isPresent() ? got.get(k).get() : one.claimed(id));
        }
        return out;
    }

    private static Request<?, EthCall> call(Web3j web3j, String rollup, long id) {
        Function f = new Function("withdrawalClaimed", List.of(new Uint64(BigInteger.valueOf(id))), List.of(new TypeReference<Bool>() {}));
        return web3j.ethCall(Transaction.createEthCallTransaction(rollup, rollup, FunctionEncoder.encode(f)), DefaultBlockParameterName.LATEST);
    }

    @SuppressWarnings("rawtypes")
    private static Optional<Boolean> decode(String value) {
        if (value == null || value.length() != 2 + 64) return Optional.empty();
        List<Type> decoded = FunctionReturnDecoder.decode(value, List.of((TypeReference) new TypeReference<Bool>() {}));
        return decoded.size() == 1 ? Optional.of(((Bool) decoded.getFirst()).getValue()) : Optional.empty();
    }
}
