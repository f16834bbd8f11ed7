package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.ForwardingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthCall;

/**
 * `status`'s reads of whether L1 paid a trader's withdrawals: 250 ids in three batch requests (100 each at most) and no
 * single call; an answer the batch lacks asked alone; an endpoint that refuses batches asked one call at a time, and
 * no batch tried again after the refusal. Whether a withdrawal that was claimed reads true is `HonestRunTest`'s (a
 * real claim on the stack, read through `status` before and after).
 */
@WithDevnet(http = true)
class ClaimReadsTest {
    private static final List<Long> IDS = LongStream.range(0, 250).boxed().toList();

    @Test
    void twoHundredFiftyIdsGoInThreeBatchRequestsAndNoSingleCall(DevnetContext l1) throws Exception {
        Counting node = new Counting(l1);
        AtomicInteger single = new AtomicInteger();
        var claimed = ClaimReads.claimed(Web3j.build(node), l1.address("Rollup"), IDS, id -> {
            single.incrementAndGet();
            return true; // never asked: were it, its answer would show
        });
        assertThat(claimed).hasSize(250).containsOnlyKeys(IDS).doesNotContainValue(true);
        assertThat(node.batches.get()).as("batch requests").isEqualTo(3);
        assertThat(single).as("single reads").hasValue(0);
    }

    @Test
    void anAnswerTheBatchLacksIsAskedAloneAndAnEndpointWithoutBatchesIsAskedOneCallAtATime(DevnetContext l1) throws Exception {
        Counting node = new Counting(l1);
        node.errorOnCall = 7; // the 7th eth_call of the batch is answered with an error object
        List<Long> alone = new ArrayList<>();
        var claimed = ClaimReads.claimed(Web3j.build(node), l1.address("Rollup"), IDS.subList(0, 20), id -> {
            alone.add(id);
            return false;
        });
        assertThat(claimed).hasSize(20).doesNotContainValue(true);
        assertThat(alone).as("only the one the batch did not answer").containsExactly(6L);

        Counting refusing = new Counting(l1);
        refusing.refuseBatches = true;
        alone.clear();
        claimed = ClaimReads.claimed(Web3j.build(refusing), l1.address("Rollup"), IDS, id -> {
            alone.add(id);
            return id % 2 == 0;
        });
        assertThat(alone).as("every id, one call each").containsExactlyElementsOf(IDS);
        assertThat(claimed.get(4L)).isTrue();
        assertThat(claimed.get(5L)).isFalse();
        assertThat(refusing.batches.get()).as("refused once, not tried again for the next hundred").isEqualTo(1);
    }

    /** The devnet, counting batch requests; it may refuse them, or answer one eth_call with an error. */
    private static final class Counting extends ForwardingTransport {
        final AtomicInteger batches = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean refuseBatches;
        volatile int errorOnCall = -1;

        Counting(DevnetContext l1) {
            super(l1.service());
        }

        @Override
        public BatchResponse sendBatch(BatchRequest batch) throws IOException {
            batches.incrementAndGet();
            if (refuseBatches) throw new IOException("batch requests are not supported");
            return super.sendBatch(batch);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public <T extends Response> T send(Request request, Class<T> type) throws IOException {
            if ("eth_call".equals(request.getMethod()) && calls.incrementAndGet() == errorOnCall) {
                EthCall failed = new EthCall();
                failed.setId(request.getId());
                failed.setError(new Response.Error(-32000, "header not found"));
                return type.cast(failed);
            }
            return super.send(request, type);
        }

        @Override
        public void close() {
            // the devnet is the harness's
        }
    }
}
