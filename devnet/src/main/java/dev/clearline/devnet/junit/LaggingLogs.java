package dev.clearline.devnet.junit;

import java.io.IOException;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthLog;

/**
 * A real node behind a load balancer whose log queries reach a node a block behind: the first
 * {@code answers} {@code eth_getLogs} answers (for {@code topic} only, when one is given) leave
 * out the logs of the newest block they hold, with no error, as such a node answers. Closing it
 * leaves the node open.
 */
public final class LaggingLogs extends ForwardingTransport {
    private final String topic;
    private int answers;

    /** @param topic the event topic whose queries lag (0x-prefixed), or null for every log query */
    public LaggingLogs(Web3jService node, int answers, String topic) {
        super(node);
        this.answers = answers;
        this.topic = topic;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> type) throws IOException {
        T answer = super.send(request, type);
        if (answers == 0 || !"eth_getLogs".equals(request.getMethod()) || answer.hasError()) return answer;
        if (topic != null && !ObjectMapperFactory.getObjectMapper().valueToTree(request.getParams()).toString().contains(topic)) return answer;
        answers--;
        EthLog logs = (EthLog) answer;
        long newest = logs.getLogs().stream().mapToLong(r -> ((EthLog.LogObject) r).getBlockNumber().longValueExact()).max().orElse(-1);
        logs.getResult().removeIf(r -> ((EthLog.LogObject) r).getBlockNumber().longValueExact() == newest);
        return answer;
    }

    @Override
    public void close() {
        // the node is the test's
    }
}
