package dev.clearline.sequencer.state;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The liquidation index against the full walk it replaced (the walk is kept here as the oracle):
 * over random positions, price and funding paths, and positions changing between prices, the
 * positions the index finds liquidatable are exactly those the walk finds, in the same order.
 */
class LiquidationIndexTest {
    private static final int MARKET = 7;

    /** The oracle: every position of the market, in address order, judged exactly. */
    static List<String> walk(Map<Address, PositionLeaf> positions, MarketLeaf m) {
        TreeMap<String, Address> all = new TreeMap<>();
        for (Address a : positions.keySet()) all.put(a.toString(), a);
        List<String> out = new ArrayList<>();
        for (var e : all.entrySet()) {
            if (e.getValue().equals(Address.INSURANCE_FUND)) continue;
            if (LiquidationIndex.liquidatable(positions.get(e.getValue()), m)) out.add(e.getKey());
        }
        return out;
    }

    static List<String> indexed(LiquidationIndex index, Map<Address, PositionLeaf> positions, MarketLeaf m) {
        List<String> out = new ArrayList<>();
        for (var e : index.candidates(MARKET, m).entrySet()) {
            if (LiquidationIndex.liquidatable(positions.get(e.getValue()), m)) out.add(e.getKey());
        }
        return out;
    }

    static MarketLeaf market(long lot, int mmf, long mark, long funding) {
        return new MarketLeaf(1, lot, mmf * 2, mmf, 0, 0, 0, Address.INSURANCE_FUND, mark, funding, 0, 0);
    }

    static Address address(int i) {
        byte[] b = new byte[20];
        b[0] = (byte) (i * 37);
        b[19] = (byte) i;
        b[10] = (byte) (i >> 8);
        return new Address(b);
    }

    /** A position near the edge of liquidation at {@code mark}, or (sometimes) far from it, or of extreme size. */
    static PositionLeaf position(Random r, long lot, long mark, long funding) {
        long lots = 1 + r.nextInt(r.nextInt(8) == 0 ? 1_000_000 : 100);
        long size = lots * lot * (r.nextBoolean() ? 1 : -1);
        if (r.nextInt(20) == 0) size = size > 0 ? size + 1 + r.nextInt((int) Math.min(lot, 1 << 20)) / 2 : size - r.nextInt((int) Math.min(lot, 1 << 20));
        if (r.nextInt(40) == 0) size = size > 0 ? lot - 1 : -(lot - 1); // under one lot
        if (size == 0) size = 1;
        long n = size / lot;
        long entry = Math.max(1, mark + (long) ((r.nextDouble() - 0.5) * mark * 0.4));
        long margin = (long) (Math.abs(n) * entry * (0.01 + r.nextDouble() * 0.3));
        long quote = -n * entry + margin * (r.nextInt(10) == 0 ? -1 : 1);
        long posFunding = funding + r.nextInt(2001) - 1000;
        if (r.nextInt(30) == 0) quote = r.nextBoolean() ? Long.MAX_VALUE / (1 + r.nextInt(4)) : Long.MIN_VALUE / (2 + r.nextInt(4)); // overflow corners
        return new PositionLeaf(size, quote, posFunding);
    }

    @Test
    void theIndexFindsExactlyWhatTheWalkFindsOverRandomPositionsAndPricePaths() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 60)).tries(300).check((seed, count) -> {
            Random r = new Random(seed);
            long lot = new long[] {1, 7, 1_000, 1_000_000}[r.nextInt(4)];
            int mmf = new int[] {0, 1, 50_000, 123_457, 999_999, 1_000_000}[r.nextInt(6)];
            long mark = 1 + r.nextInt(r.nextBoolean() ? 100 : 10_000_000);
            long funding = r.nextInt(2_000_001) - 1_000_000;
            Map<Address, PositionLeaf> positions = new LinkedHashMap<>();
            LiquidationIndex index = new LiquidationIndex();
            MarketLeaf m = market(lot, mmf, mark, funding);
            for (int i = 0; i < count; i++) {
                Address a = i == 0 && r.nextBoolean() ? Address.INSURANCE_FUND : address(i);
                PositionLeaf p = position(r, lot, mark, funding);
                positions.put(a, p);
                index.update(a, MARKET, p, m);
            }
            for (int step = 0; step < 40; step++) {
                // a new mark and funding index, as an oracle price brings them
                mark = Math.max(1, mark + (long) (mark * (r.nextGaussian() * 0.05)));
                funding += r.nextInt(20_001) - 10_000;
                m = market(lot, mmf, mark, funding);
                List<String> expected = walk(positions, m);
                assertThat(indexed(index, positions, m)).as("step %d at mark %d funding %d", step, mark, funding).isEqualTo(expected);
                // the liquidated ones leave, and a few others trade, settle funding or close
                for (String hex : expected) {
                    Address a = Address.fromHex(hex);
                    positions.remove(a);
                    index.update(a, MARKET, null, m);
                }
                for (int k = r.nextInt(4); k > 0 && !positions.isEmpty(); k--) {
                    Address a = new ArrayList<>(positions.keySet()).get(r.nextInt(positions.size()));
                    PositionLeaf p = positions.get(a);
                    PositionLeaf next = switch (r.nextInt(4)) {
                        case 0 -> new PositionLeaf(0, p.quote(), funding); // closed
                        case 1 -> { // funding settled on a touch: same q*, so the same verdict at any price
                            long q = dev.clearline.engine.risk.Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), funding, lot);
                            yield q == dev.clearline.engine.risk.Fixed.OVERFLOW ? p : new PositionLeaf(p.size(), q, funding);
                        }
                        default -> position(r, lot, mark, funding);
                    };
                    positions.put(a, next);
                    index.update(a, MARKET, next, m);
                    if (next.size() == 0) positions.remove(a);
                }
            }
            assertThat(index.size()).isEqualTo((int) positions.keySet().stream().filter(a -> !a.equals(Address.INSURANCE_FUND)).count());
        });
    }

    @Test
    void aPriceLooksOnlyAtThePositionsItMayHaveCrossed() {
        LiquidationIndex index = new LiquidationIndex();
        MarketLeaf m = market(1_000, 50_000, 10_000, 0);
        Map<Address, PositionLeaf> positions = new LinkedHashMap<>();
        // 100 longs of 10 lots entered at 10,000 with margins from 1 % to 100 %: liquidation prices spread from ~9,900 down to ~0
        for (int i = 1; i <= 100; i++) {
            PositionLeaf p = new PositionLeaf(10_000, -100_000 + 1_000L * i, 0);
            positions.put(address(i), p);
            index.update(address(i), MARKET, p, m);
        }
        MarketLeaf drop = market(1_000, 50_000, 9_000, 0);
        var candidates = index.candidates(MARKET, drop);
        assertThat(indexed(index, positions, drop)).isEqualTo(walk(positions, drop)).isNotEmpty();
        assertThat(candidates.size()).as("a 10 %% drop reaches only the thinly margined").isLessThan(20);
        // funding against the longs moves their liquidation price without any re-keying
        MarketLeaf funded = market(1_000, 50_000, 10_000, 500);
        assertThat(indexed(index, positions, funded)).isEqualTo(walk(positions, funded)).isNotEmpty();
    }
}
