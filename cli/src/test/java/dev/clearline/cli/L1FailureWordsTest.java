package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The CLI tells a node it cannot reach from a node that answered with something wrong. Both were
 * "the L1 node does not answer; is it running?", which sent a user whose finalized batch replays to
 * another root off to check a node that was running fine.
 */
class L1FailureWordsTest {
    private static String failure(UserOptions o, Callable<Object> call) {
        try {
            o.l1("claim", call::call);
        } catch (UserError e) {
            return e.getMessage();
        }
        throw new AssertionError("no UserError");
    }

    private static UserOptions options(String url) {
        UserOptions o = new UserOptions();
        o.rpcUrl = URI.create(url);
        return o;
    }

    @Test
    void aNodeThatCannotBeReachedIsSaidToNotAnswer() throws Exception {
        UserOptions o = options("http://127.0.0.1:1");
        for (IOException unreachable : List.of(new ConnectException("Connection refused"), new UnknownHostException("l1.example"),
                new java.net.SocketTimeoutException("timeout"), new IOException("request failed", new ConnectException("refused")))) {
            assertThat(failure(o, () -> { throw unreachable; })).contains("cannot claim").contains("does not answer").contains("--rpc-url");
        }
        assertThat(failure(o, () -> { throw new UnknownHostException("l1.example"); })).contains("does not answer (unknown host)");
        assertThat(failure(o, () -> { throw new java.net.SocketTimeoutException("timeout"); })).contains("does not answer (no answer in time)");
        // and what web3j really throws at a closed port
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        UserOptions real = options("http://127.0.0.1:" + closed);
        Web3j web3j = Web3j.build(new HttpService(real.rpcUrl.toString()));
        try {
            // in the user's words, not the HTTP client's ("Failed to connect to /127.0.0.1:port")
            assertThat(failure(real, () -> web3j.ethBlockNumber().send())).contains("does not answer (connection refused)")
                    .doesNotContain("connect to /");
        } finally {
            web3j.shutdown();
        }
    }

    @Test
    void aNodeThatAnsweredWithSomethingWrongIsNotSaidToBeDown() {
        UserOptions o = options("http://127.0.0.1:8545");
        String replays = "finalized batch 12 replays to root 0x01 but L1 holds 0x02";
        assertThat(failure(o, () -> { throw new IOException(replays); })).isEqualTo("cannot claim: " + replays);
        assertThat(failure(o, () -> { throw new IOException("eth_getLogs failed: query returned more than 10000 results"); }))
                .contains("query returned more than 10000 results").doesNotContain("does not answer").doesNotContain("is it running");
        assertThat(failure(o, () -> { throw new IOException(); })).isEqualTo("cannot claim: the L1 node's answer cannot be read");
        assertThatThrownBy(() -> o.l1("claim", () -> { throw new UserError("already said"); })).hasMessage("already said");
    }

    @Test
    void aUrlThatAnswersHttpButNotJsonRpc_isSaidToBeNoL1Node() {
        UserOptions o = options("http://127.0.0.1:8480");
        // web3j's words when the trader API (or any web server) answers its POST with an error status
        assertThat(failure(o, () -> { throw new org.web3j.protocol.exceptions.ClientConnectionException("Invalid response received: 404; {\"error\":\"NOT_FOUND\"}"); }))
                .isEqualTo("cannot claim: http://127.0.0.1:8480 answered HTTP 404, not as an Ethereum JSON-RPC node; is --rpc-url the L1 node?"
                        + " (the sequencer's trader API goes to --api)");
    }
}
