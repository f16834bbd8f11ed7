package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.sequencer.state.Genesis;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node's batches fit what L1 takes: the largest batch the default policy can seal, every
 * transition the longest kind, signed as the poster sends it (EIP-1559, with fields at their widest),
 * is within geth's largest pooled transaction; and one IOC order's run fits in one batch.
 */
class BatchLimitsTest {
    /** geth's txpool refuses a transaction over this ("oversized data"): four 32 KiB slots. */
    private static final int GETH_TX_MAX_SIZE = 4 * 32 * 1024;

    @Test
    void theLargestBatchOfTheDefaultPolicyPostsAsOnePooledTransaction() {
        BatchPolicy policy = Genesis.devnet(Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3")).batches();
        byte[] transitions = new byte[policy.maxTransitions() * TransitionCodec.MAX_LENGTH];
        java.util.Arrays.fill(transitions, (byte) 0xff); // no zero bytes for an encoder to save on
        Rollup.BatchHeader header = new Rollup.BatchHeader(BigInteger.TWO.pow(64).subtract(BigInteger.ONE), new byte[32], new byte[32],
                BigInteger.valueOf(policy.maxTransitions()), new byte[32], BigInteger.TWO.pow(64).subtract(BigInteger.ONE));
        String data = FunctionEncoder.encode(new Function(Rollup.FUNC_SUBMITBATCH, List.of(header, new DynamicBytes(transitions)), List.of()));
        BigInteger wide = BigInteger.TWO.pow(128);
        RawTransaction raw = RawTransaction.createTransaction(Long.MAX_VALUE, BigInteger.valueOf(Long.MAX_VALUE), BigInteger.valueOf(30_000_000),
                "0x5FbDB2315678afecb367f032d93F642f64180aa3", BigInteger.ZERO, data, wide, wide);
        byte[] signed = TransactionEncoder.signMessage(raw, Long.MAX_VALUE, Credentials.create("0x" + "11".repeat(32)));
        assertThat(signed.length).as("a signed submitBatch of %d transitions of %d bytes", policy.maxTransitions(), TransitionCodec.MAX_LENGTH)
                .isLessThanOrEqualTo(GETH_TX_MAX_SIZE)
                .isGreaterThan(GETH_TX_MAX_SIZE - 2 * TransitionCodec.MAX_LENGTH - 1_024); // and not needlessly small
        assertThat(policy.worstCaseCalldataBytes()).isLessThanOrEqualTo(BatchPolicy.POOLED_CALLDATA_BYTES);
    }

    @Test
    void oneOrdersRunFitsInOneBatchOfTheDefaultPolicy() {
        assertThat(Exchange.LONGEST_ORDER_RUN).isEqualTo(1 + 2 * Exchange.MAX_FILLS_PER_ORDER)
                .isLessThanOrEqualTo(Genesis.devnet(Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3")).batches().maxTransitions());
    }
}
