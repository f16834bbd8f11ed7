package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.utils.Numeric;

/** The node admits transactions from what it remembers of their senders: that must agree with the chain. */
class SenderAccountsTest {
    static final AtomicLong CLOCK = new AtomicLong(1_700_000_000L);
    static final BigInteger GWEI = BigInteger.valueOf(1_000_000_000L);
    static Devnet devnet;
    static Web3j web3j;

    @BeforeAll
    static void start() {
        devnet = Devnet.inProcess(NodeConfig.defaults(CLOCK::get));
        web3j = devnet.web3j();
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    static EthSendTransaction send(Credentials from, long nonce, String to, BigInteger value) throws Exception {
        RawTransaction tx = RawTransaction.createEtherTransaction(31337, BigInteger.valueOf(nonce), BigInteger.valueOf(21000), to,
                value, GWEI, GWEI.multiply(BigInteger.TWO));
        return web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, 31337, from))).send();
    }

    static BigInteger balance(String address) throws Exception {
        return web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
    }

    static long nonce(String address) throws Exception {
        return web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING).send().getTransactionCount().longValueExact();
    }

    @Test
    void aSenderThatSpentItsFundsIsRefusedWithItsExactBalanceAndAcceptedOnceFundedAgain() throws Exception {
        Credentials alice = devnet.accounts().keys().get(3);
        Credentials carol = Credentials.create("0x" + "5a".repeat(32));
        String bob = devnet.accounts().keys().get(4).getAddress();
        BigInteger milli = BigInteger.TEN.pow(15);
        assertThat(send(alice, nonce(alice.getAddress()), carol.getAddress(), milli).hasError()).isFalse();

        assertThat(send(carol, 0, bob, milli.divide(BigInteger.TWO)).hasError()).isFalse();
        BigInteger left = balance(carol.getAddress());
        EthSendTransaction tooMuch = send(carol, 1, bob, left);
        assertThat(tooMuch.hasError()).isTrue();
        assertThat(tooMuch.getError().getMessage()).contains("insufficient funds", "have " + left + " want ");

        assertThat(send(alice, nonce(alice.getAddress()), carol.getAddress(), milli).hasError()).isFalse();
        EthSendTransaction funded = send(carol, 1, bob, left);
        assertThat(funded.hasError()).as(funded.getError() == null ? "" : funded.getError().getMessage()).isFalse();
        assertThat(nonce(carol.getAddress())).isEqualTo(2);
        assertThat(send(carol, 1, bob, BigInteger.ONE).getError().getMessage()).contains("nonce too low");
    }

    @Test
    void afterEvmRevertTheSendersNoncesAreTheChainsAgain() throws Exception {
        Credentials dave = devnet.accounts().keys().get(5);
        String bob = devnet.accounts().keys().get(6).getAddress();
        long before = nonce(dave.getAddress());
        int snapshot = devnet.node().snapshot();
        assertThat(send(dave, before, bob, BigInteger.ONE).hasError()).isFalse();
        assertThat(send(dave, before + 1, bob, BigInteger.ONE).hasError()).isFalse();
        assertThat(devnet.node().revert(snapshot)).isTrue();

        assertThat(send(dave, before + 2, bob, BigInteger.ONE).getError().getMessage()).contains("nonce too high");
        assertThat(send(dave, before, bob, BigInteger.TWO).hasError()).isFalse();
        assertThat(nonce(dave.getAddress())).isEqualTo(before + 1);
    }
}
