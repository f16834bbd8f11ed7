package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition.Deposit;
import dev.clearline.engine.transition.Transition.Trade;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How far a replay of calldata goes and what it reports, for the two ways of meeting a refused step: a judge
 * stops there (the step alone proves the batch wrong), the roots of a bisection or a trace go on with the state
 * unchanged, as the Solidity step does. Over random runs of deposits, some refused (out of the queue's order) and
 * some that do not decode: the first refused step and its reason are the first bad step's, later refusals never
 * replace them, and the steps told applied are exactly those that leave a state.
 */
class CalldataReplayProperties {
    @Test
    void aReplayReportsTheFirstRefusalAndTellsEveryStepThatLeavesAState() {
        Property.forAll(Gens.seeds()).tries(200).check(seed -> {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(12);
            ByteArrayOutputStream calldata = new ByteArrayOutputStream();
            List<Reject> expected = new ArrayList<>(); // null: applies
            long next = 0;
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(4)) {
                    case 0 -> { // a deposit out of the queue's order
                        calldata.writeBytes(TransitionCodec.encode(new Deposit(next + 5, 0, owner(i), 1_000)));
                        expected.add(Reject.PRIORITY_OUT_OF_ORDER);
                    }
                    case 1 -> { // a piece of a fill's length whose size has its top bit set
                        byte[] bad = TransitionCodec.encode(new Trade(1, 2, 3));
                        bad[13] |= (byte) 0x80;
                        calldata.writeBytes(bad);
                        expected.add(Reject.MALFORMED);
                    }
                    default -> {
                        calldata.writeBytes(TransitionCodec.encode(new Deposit(next++, 0, owner(i), 1_000)));
                        expected.add(null);
                    }
                }
            }
            CalldataReplay.Decoded decoded = CalldataReplay.decode(calldata.toByteArray());
            assertThat(decoded.tail()).isEmpty();
            assertThat(decoded.steps()).hasSize(n);
            int firstBad = -1;
            for (int i = 0; i < n && firstBad < 0; i++) if (expected.get(i) != null) firstBad = i;
            int count = r.nextInt(n + 1); // a prefix, as a bisection asks
            int firstBadInPrefix = firstBad >= 0 && firstBad < count ? firstBad : -1;

            List<Integer> told = new ArrayList<>();
            CalldataReplay.Applied skip = CalldataReplay.apply(TestBatches.stf(), store(), decoded.steps(), count, 0,
                    CalldataReplay.OnRefusal.SKIP, told::add);
            assertThat(skip.steps()).isEqualTo(count);
            assertThat(skip.firstRefused()).isEqualTo(firstBadInPrefix);
            assertThat(skip.reason()).isEqualTo(firstBadInPrefix < 0 ? null : expected.get(firstBadInPrefix));
            assertThat(told).as("skipping: every step leaves a state").containsExactlyElementsOf(range(count));

            told.clear();
            CalldataReplay.Applied stop = CalldataReplay.apply(TestBatches.stf(), store(), decoded.steps(), count, 0,
                    CalldataReplay.OnRefusal.STOP, told::add);
            int ran = firstBadInPrefix < 0 ? count : firstBadInPrefix;
            assertThat(stop.steps()).isEqualTo(ran);
            assertThat(stop.firstRefused()).isEqualTo(firstBadInPrefix);
            assertThat(stop.allApplied()).isEqualTo(firstBadInPrefix < 0);
            assertThat(stop.reason()).isEqualTo(skip.reason());
            assertThat(told).as("stopping: the steps before the first refusal").containsExactlyElementsOf(range(ran));
            assertThat(decoded.firstMalformed()).isEqualTo(expected.indexOf(Reject.MALFORMED));
        });
    }

    private static TreeLeafStore store() {
        return new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore(), 0));
    }

    private static Address owner(int i) {
        return Address.fromHex(String.format("0x%040x", 0xabc00 + i));
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(i);
        return out;
    }
}
