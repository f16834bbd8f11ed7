package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.stf.MemoryLeafStore;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * `configure-market` refuses a listing exactly when the STF would consume it as a forced rejection:
 * random parameters, crowded at each rule's boundary, with and without the market listed before,
 * judged by {@link MarketParams#problem} and by the STF itself.
 */
class MarketParamsProperties {
    static final Stf STF = new Stf(new Eip712(31337, Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3")), new BouncyCastleVerifier());
    static final Address ORACLE = Address.fromHex("0x00000000000000000000000000000000000000aa");

    /** One of 0, 1, near {@code edge}, or anywhere up to {@code max}: most of a rule's verdicts change at those. */
    static long near(Random r, long edge, long max) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> Math.max(0, edge - 1);
            case 3 -> edge;
            case 4 -> Math.min(max, edge + 1);
            default -> r.nextLong(max + 1);
        };
    }

    record Case(MarketParams params, long existingLot) {
        static Case from(long seed) {
            Random r = new Random(seed);
            long imf = near(r, 1_000_000, 1_100_000);
            if (r.nextBoolean()) imf = 1 + r.nextInt(500_000);
            long mmf = r.nextInt(3) == 0 ? near(r, imf, 1_100_000) : r.nextLong(imf + 1);
            long liq = r.nextInt(3) == 0 ? near(r, mmf, 1_100_000) : r.nextLong(mmf + 1);
            long lot = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(100_000);
            long existing = r.nextBoolean() ? 0 : r.nextBoolean() ? Math.max(1, lot) : 1 + r.nextInt(100_000);
            MarketParams p = new MarketParams(r.nextInt(8) == 0 ? 0 : r.nextBoolean() ? 1 : 1 + r.nextLong(0xffff_ffffL),
                    r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(1_000_000), lot, imf, mmf,
                    near(r, MarketParams.MAX_FEE_PPM, 200_000), near(r, MarketParams.MAX_FEE_PPM, 200_000), liq,
                    r.nextInt(8) == 0 ? new Address(new byte[20]) : ORACLE);
            return new Case(p, existing);
        }

        /** Whether the STF lists (or changes) the market with these parameters, after listing it with {@code existingLot} first if any. */
        boolean stfLists() {
            MemoryLeafStore s = new MemoryLeafStore();
            long op = 0;
            if (existingLot != 0) {
                Transition.MarketConfig first = new Transition.MarketConfig(op++, 0, (int) params.market(), 1, existingLot, 100_000, 50_000, 0, 0, 0, ORACLE);
                assertThat(STF.apply(s, first).applied()).isTrue();
                if (StateReads.global(s).forcedRejections() != 0) return stfListsFresh(); // market 0 cannot be listed before
            }
            return applyAndCheck(s, op);
        }

        private boolean stfListsFresh() {
            return applyAndCheck(new MemoryLeafStore(), 0);
        }

        private boolean applyAndCheck(MemoryLeafStore s, long op) {
            long rejectedBefore = StateReads.global(s).forcedRejections();
            Transition.MarketConfig c = new Transition.MarketConfig(op, 0, (int) params.market(), params.tickSize(), params.lotSize(),
                    (int) params.imfPpm(), (int) params.mmfPpm(), (int) params.makerFeePpm(), (int) params.takerFeePpm(),
                    (int) params.liquidationFeePpm(), params.oracle());
            assertThat(STF.apply(s, c).applied()).as("a priority op is always consumed").isTrue();
            boolean listed = StateReads.global(s).forcedRejections() == rejectedBefore;
            if (listed) {
                MarketLeaf m = StateReads.market(s, (int) params.market());
                assertThat(m.tickSize()).isEqualTo(params.tickSize());
                assertThat(m.imfPpm()).isEqualTo((int) params.imfPpm());
            }
            return listed;
        }

        /** The lot the CLI sees listed: none when the market could not be listed before (market 0). */
        long seenLot() {
            return params.market() == 0 ? 0 : existingLot;
        }
    }

    @Test
    void theCommandRefusesExactlyWhatTheStfWouldNotList() {
        Property.forAll(Gens.seeds()).tries(4_000).check(seed -> {
            Case c = Case.from(seed);
            String problem = c.params().problem(c.seenLot());
            assertThat(problem == null).as("%s: problem %s", c, problem).isEqualTo(c.stfLists());
        });
    }

    @Test
    void eachRefusalNamesTheOptionToChange() {
        MarketParams ok = new MarketParams(3, 1_000, 1_000, 100_000, 50_000, 200, 500, 10_000, ORACLE);
        assertThat(ok.problem(0)).isNull();
        assertThat(ok.problem(1_000)).isNull();
        assertThat(new MarketParams(3, 1_000, 1_000, 50_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).contains("--maintenance-margin", "less than --initial-margin");
        assertThat(new MarketParams(3, 1_000, 1_000, 100_000, 50_000, 200, 500, 60_000, ORACLE).problem(0)).contains("--liquidation-fee");
        assertThat(new MarketParams(3, 1_000, 1_000, 100_000, 50_000, 200, 100_001, 10_000, ORACLE).problem(0)).contains("at most 10%");
        assertThat(new MarketParams(3, 1_000, 1_000, 100_000, 50_000, 200, 500, 10_000, new Address(new byte[20])).problem(0)).contains("--oracle");
        assertThat(new MarketParams(0, 1_000, 1_000, 100_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).contains("--market");
        assertThat(ok.problem(10)).contains("lot of 10 base units, which never changes", "pass --lot 10");
        assertThat(new MarketParams(3, 0, 1_000, 100_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).contains("--tick must be more than 0");
        assertThat(new MarketParams(3, 1_000, 0, 100_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).contains("--lot must be 1 base unit or more");
        assertThat(new MarketParams(3, 1_000, 1_000, 100_000, 0, 200, 500, 0, ORACLE).problem(0)).contains("--maintenance-margin must be more than 0%");
        assertThat(new MarketParams(3, 1_000, 1_000, 1_000_001, 50_000, 200, 500, 10_000, ORACLE).problem(0)).contains("--initial-margin must be at most 100%");
        assertThat(new MarketParams(3, 1_000, 1_000, 1_000_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).as("100%% initial margin").isNull();
        // market ids are L1's uint32: the largest lists, one past it does not
        assertThat(new MarketParams(0xffff_ffffL, 1_000, 1_000, 100_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).isNull();
        assertThat(new MarketParams(0x1_0000_0000L, 1_000, 1_000, 100_000, 50_000, 200, 500, 10_000, ORACLE).problem(0)).contains("--market must be 1 to 4294967295");
    }
}
