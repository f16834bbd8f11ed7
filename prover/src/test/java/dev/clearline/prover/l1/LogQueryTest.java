package dev.clearline.prover.l1;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.Response;

/** Which refused eth_getLogs answers are about the query's size (asked again in halves) and which are faults (reported). */
class LogQueryTest {
    @Test
    void hostedProvidersRefusalsForSizeAreRecognised() {
        assertThat(LogQuery.tooLarge(new Response.Error(-32005, "query returned more than 10000 results"))).isTrue(); // Infura
        assertThat(LogQuery.tooLarge(new Response.Error(-32602, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K"
                + " block range and no limit on the response size"))).isTrue(); // Alchemy
        assertThat(LogQuery.tooLarge(new Response.Error(-32614, "eth_getLogs is limited to a 10,000 range"))).isTrue(); // QuickNode
        assertThat(LogQuery.tooLarge(new Response.Error(-32000, "block range is too wide"))).isTrue();
        assertThat(LogQuery.tooLarge(new Response.Error(-32000, "query timeout exceeded"))).isTrue();
    }

    @Test
    void faultsAreNotTakenForSize() {
        assertThat(LogQuery.tooLarge(new Response.Error(-32000, "header not found"))).isFalse();
        assertThat(LogQuery.tooLarge(new Response.Error(-32602, "invalid argument 0: hex string without 0x prefix"))).isFalse();
        assertThat(LogQuery.tooLarge(new Response.Error(-32601, "the method eth_getLogs does not exist/is not available"))).isFalse();
        assertThat(LogQuery.tooLarge(new Response.Error(-32000, null))).isFalse();
    }
}
