package dev.clearline.prover.l1;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * eth_getLogs over a block range, as any node answers it. Hosted RPCs cap an answer (Infura:
 * 10,000 logs; Alchemy and others: a few thousand blocks), and a rollup posting a batch every few
 * seconds has more than that within a day: a query the node refuses for its size is asked again
 * in halves, down to one block. The halves go depth first, so a refusal that is not about size
 * after all costs one query per halving (about 25 over a mainnet's history), not one per block.
 */
public final class LogQuery {
    private LogQuery() {
    }

    /** The logs of {@code address} in blocks {@code [from, to]} matching the topics {@code filter} adds, in block and log order. */
    public static List<Log> logs(Web3j web3j, String address, Consumer<EthFilter> topics, long from, long to) throws IOException {
        // an empty range holds no logs; nodes refuse it as invalid params instead (a cache made on a longer chain asks for one)
        if (from > to) return List.of();
        List<Log> out = new ArrayList<>();
        collect(web3j, address, topics, from, to, out);
        return out;
    }

    private static void collect(Web3j web3j, String address, Consumer<EthFilter> topics, long from, long to, List<Log> out) throws IOException {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)), DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                address);
        topics.accept(filter);
        EthLog response = web3j.ethGetLogs(filter).send();
        if (response.hasError()) {
            if (from < to && tooLarge(response.getError())) {
                long mid = from + (to - from) / 2;
                collect(web3j, address, topics, from, mid, out);
                collect(web3j, address, topics, mid + 1, to, out);
                return;
            }
            throw new IOException("eth_getLogs failed: " + response.getError().getMessage());
        }
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> r : response.getLogs()) logs.add((Log) r.get());
        logs.sort(Comparator.comparing(Log::getBlockNumber).thenComparing(Log::getLogIndex));
        out.addAll(logs);
    }

    /** Whether a refused eth_getLogs names its size (too many logs, too wide a range, a limit exceeded), not a fault. */
    static boolean tooLarge(Response.Error error) {
        if (error.getCode() == -32005) return true; // "limit exceeded" in EIP-1474, Infura's code for too many results
        String m = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
        return Stream.of("more than", "too many", "too large", "too big", "too wide", "exceed", "range", "limit", "response size")
                .anyMatch(m::contains);
    }
}
