package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The bounds and the order of what waits behind nonce gaps, without a node (the node's use of it: {@code TransactionPoolTest}). */
class NonceGapQueueTest {
    private static SignedTx tx(int sender, long nonce, long fee) {
        String from = String.format("0x%040x", sender);
        BigInteger f = BigInteger.valueOf(fee);
        return new SignedTx(String.format("0x%056x%08x", sender * 1_000_000L + nonce, fee), new byte[0], 2, from, null,
                BigInteger.valueOf(nonce), BigInteger.valueOf(21_000), f, f, BigInteger.ZERO, new byte[0], 31337L, 0, 0,
                BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE);
    }

    @Test
    void aReplacementTakesNoMoreRoomAndTheGapHandsBackOnlyTheRunThatFollowsIt() {
        NonceGapQueue q = new NonceGapQueue();
        assertThat(q.park(tx(1, 5, 10), BigInteger.ONE)).isNull();
        assertThat(q.park(tx(1, 3, 10), BigInteger.ONE)).isNull();
        assertThat(q.park(tx(1, 2, 10), BigInteger.ONE)).isNull();
        assertThat(q.park(tx(1, 3, 20), BigInteger.ONE)).as("the same nonce again replaces").isNull();
        assertThat(q.all()).hasSize(3);
        assertThat(q.at(tx(1, 3, 0).from(), BigInteger.valueOf(3))).hasValueSatisfying(t -> assertThat(t.maxFeePerGas()).isEqualTo(20));

        assertThat(q.takeFrom(tx(1, 0, 0).from(), BigInteger.TWO)).extracting(t -> t.nonce().intValue()).containsExactly(2, 3);
        assertThat(q.takeFrom(tx(1, 0, 0).from(), BigInteger.valueOf(4))).as("nonce 4 is still missing").isEmpty();
        assertThat(q.all()).extracting(t -> t.nonce().intValue()).containsExactly(5);
        assertThat(q.remove(tx(1, 5, 10).hash())).isTrue();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.holds(tx(1, 0, 0).from())).isFalse();
    }

    @Test
    void atMostSixtyFourWaitPerSenderAndTenTwentyFourInAll() {
        NonceGapQueue q = new NonceGapQueue();
        int senders = NonceGapQueue.TOTAL / NonceGapQueue.PER_SENDER;
        for (int s = 0; s < senders; s++) {
            for (int n = 1; n <= NonceGapQueue.PER_SENDER; n++) assertThat(q.park(tx(s, n, 1), BigInteger.ZERO)).isNull();
        }
        assertThat(q.all()).hasSize(NonceGapQueue.TOTAL);
        assertThat(q.park(tx(0, NonceGapQueue.PER_SENDER + 1, 1), BigInteger.ZERO).message())
                .startsWith("txpool is full: " + NonceGapQueue.PER_SENDER + " transactions of ");
        assertThat(q.park(tx(senders, 1, 1), BigInteger.ZERO).message()).startsWith("txpool is full: " + NonceGapQueue.TOTAL);
        assertThat(q.park(tx(0, 1, 2), BigInteger.ZERO)).as("a replacement needs no room").isNull();
        assertThat(q.remove(tx(0, 1, 2).hash())).isTrue();
        assertThat(q.park(tx(senders, 1, 1), BigInteger.ZERO)).as("room again").isNull();

        NonceGapQueue copy = new NonceGapQueue();
        copy.restore(q.all());
        assertThat(copy.all()).containsExactlyElementsOf(q.all());
        assertThat(copy.park(tx(senders + 1, 1, 1), BigInteger.ZERO)).as("the restored count is the full one").isNotNull();
    }
}
