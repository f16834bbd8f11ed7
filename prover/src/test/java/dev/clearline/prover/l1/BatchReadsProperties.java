package dev.clearline.prover.l1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.ForwardingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlockNumber;
import org.web3j.protocol.core.methods.response.EthGetBalance;

/**
 * The batch reads under every answer a node can give (balances of the devnet's funded keys and of empty addresses):
 * a place answered rightly is taken and equals what a single call reads; an error object, an answer carrying another
 * request's id, an answer of another kind or one the caller's check refuses comes back empty at that place only; a
 * batch refused, or answered with another number of answers, leaves its places and every later one empty and no batch
 * is sent after it; one call alone is never sent as a batch.
 */
@WithDevnet
class BatchReadsProperties {
    /** What a node does to one place of a batch. */
    private enum PlaceFault { NONE, ERROR, OTHER_ID, OTHER_KIND }

    @Test
    void eachPlaceIsTakenExactlyWhenItsAnswerIsRightAndARefusedBatchEndsTheBatches(DevnetContext l1) throws Exception {
        Map<String, BigInteger> truth = new HashMap<>();
        Web3j direct = Web3j.build(new Quiet(l1));
        Property.forAll(Gens.seeds()).tries(150).check(seed -> {
            Random r = new Random(seed);
            int n = r.nextInt(260);
            int perRequest = 2 + r.nextInt(120);
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                addresses.add(r.nextInt(3) == 0 ? l1.key(r.nextInt(10)).getAddress() : String.format("0x%040x", 1 + r.nextInt(1_000_000)));
            }
            PlaceFault[] faults = new PlaceFault[n];
            for (int i = 0; i < n; i++) faults[i] = r.nextInt(6) == 0 ? PlaceFault.values()[1 + r.nextInt(3)] : PlaceFault.NONE;
            int batchesBeforeRefusal = r.nextInt(4) == 0 ? r.nextInt(3) : Integer.MAX_VALUE;
            boolean refuseByLength = r.nextBoolean();
            // the caller's own check: it refuses the balance of one funded key
            String refusedByCaller = l1.key(r.nextInt(10)).getAddress();

            Faulty node = new Faulty(l1, faults, batchesBeforeRefusal, refuseByLength);
            Web3j web3j = Web3j.build(node);
            BatchReads reads = new BatchReads(web3j, perRequest);
            List<? extends Request<?, EthGetBalance>> requests = addresses.stream()
                    .map(a -> web3j.ethGetBalance(a, DefaultBlockParameterName.LATEST)).toList();
            List<Optional<BigInteger>> got = reads.read(requests, EthGetBalance.class,
                    b -> refusedByCaller.equals(addressOf(requests, b)) ? Optional.empty() : Optional.of(b.getBalance()));

            assertThat(got).as("seed %d: one answer per request, in order", seed).hasSize(n);
            int chunks = (n + perRequest - 1) / perRequest;
            int sentBatches = 0;
            boolean refused = false;
            for (int c = 0; c < chunks; c++) {
                int from = c * perRequest;
                int to = Math.min(n, from + perRequest);
                boolean batched = !refused && to - from >= 2;
                if (batched) {
                    sentBatches++;
                    refused = sentBatches > batchesBeforeRefusal;
                }
                for (int i = from; i < to; i++) {
                    boolean taken = batched && !refused && faults[i] == PlaceFault.NONE && !addresses.get(i).equals(refusedByCaller);
                    if (taken) {
                        BigInteger want = truth.computeIfAbsent(addresses.get(i), a -> balance(direct, a));
                        assertThat(got.get(i)).as("seed %d: place %d", seed, i).contains(want);
                    } else {
                        assertThat(got.get(i)).as("seed %d: place %d (%s)", seed, i, faults[i]).isEmpty();
                    }
                }
            }
            assertThat(node.batches).as("seed %d: batches sent", seed).isEqualTo(sentBatches);
            assertThat(reads.batching()).as("seed %d: still batching", seed).isEqualTo(!refused);
        });
    }

    private static String addressOf(List<? extends Request<?, EthGetBalance>> requests, EthGetBalance answer) {
        for (Request<?, EthGetBalance> q : requests) if (q.getId() == answer.getId()) return (String) q.getParams().getFirst();
        throw new AssertionError("an answer with no request's id was handed to the caller: " + answer.getId());
    }

    private static BigInteger balance(Web3j web3j, String address) {
        try {
            return web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The devnet, whose batch answers go wrong at the places and from the batch the plan names. */
    private static final class Faulty extends Quiet {
        private final PlaceFault[] faults;
        private final int batchesBeforeRefusal;
        private final boolean refuseByLength;
        int batches;
        private int placesSeen;

        Faulty(DevnetContext l1, PlaceFault[] faults, int batchesBeforeRefusal, boolean refuseByLength) {
            super(l1);
            this.faults = faults;
            this.batchesBeforeRefusal = batchesBeforeRefusal;
            this.refuseByLength = refuseByLength;
        }

        @Override
        public BatchResponse sendBatch(BatchRequest batch) throws IOException {
            batches++;
            int first = placesSeen;
            placesSeen += batch.getRequests().size();
            if (batches > batchesBeforeRefusal && !refuseByLength) throw new IOException("Invalid response received: 400; batch requests are not supported");
            BatchResponse real = super.sendBatch(batch);
            List<Response<?>> answers = new ArrayList<>(real.getResponses());
            if (batches > batchesBeforeRefusal) {
                answers.removeLast(); // one answer short, as a node capping batches below the request's size may answer
                return new BatchResponse(batch.getRequests(), answers);
            }
            for (int k = 0; k < answers.size(); k++) {
                long id = batch.getRequests().get(k).getId();
                answers.set(k, switch (faults[first + k]) {
                    case NONE -> answers.get(k);
                    case ERROR -> {
                        EthGetBalance e = new EthGetBalance();
                        e.setId(id);
                        e.setError(new Response.Error(-32000, "header not found"));
                        yield e;
                    }
                    case OTHER_ID -> {
                        EthGetBalance moved = new EthGetBalance();
                        moved.setId(id + 1_000_000_000L);
                        moved.setResult("0x1");
                        yield moved;
                    }
                    case OTHER_KIND -> {
                        EthBlockNumber other = new EthBlockNumber();
                        other.setId(id);
                        other.setResult("0x1");
                        yield other;
                    }
                });
            }
            return new BatchResponse(batch.getRequests(), answers);
        }
    }

    /** The devnet as it is, left open when a test's client closes. */
    private static class Quiet extends ForwardingTransport {
        Quiet(DevnetContext l1) {
            super(l1.service());
        }

        @Override
        public void close() {
            // the devnet is the harness's
        }
    }
}
