package dev.clearline.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ConnectionFailureTest {
    @Test
    void eachKindOfUnreachedEndpointIsNamedInAFewWordsWhereverItIsInTheCauses() {
        assertThat(ConnectionFailure.describe(new java.net.ConnectException("Failed to connect to /127.0.0.1:8555"))).isEqualTo("connection refused");
        assertThat(ConnectionFailure.describe(new IOException("request failed", new java.net.ConnectException("x")))).isEqualTo("connection refused");
        assertThat(ConnectionFailure.describe(new java.net.UnknownHostException("l1.example"))).isEqualTo("unknown host");
        assertThat(ConnectionFailure.describe(new java.nio.channels.UnresolvedAddressException())).isEqualTo("unknown host");
        assertThat(ConnectionFailure.describe(new java.net.NoRouteToHostException("x"))).isEqualTo("no route to the host");
        assertThat(ConnectionFailure.describe(new java.net.SocketTimeoutException("timeout"))).isEqualTo("no answer in time");
        assertThat(ConnectionFailure.describe(new java.io.EOFException())).isEqualTo("the connection closed before an answer");
    }

    @Test
    void anyOtherFailureKeepsItsOwnWords() {
        assertThat(ConnectionFailure.describe(new IOException("eth_getLogs: query returned more than 10000 results")))
                .isEqualTo("eth_getLogs: query returned more than 10000 results");
        assertThat(ConnectionFailure.describe(new IOException())).isEqualTo("IOException");
        assertThat(ConnectionFailure.describe(new IOException(" "))).isEqualTo("IOException");
    }
}
