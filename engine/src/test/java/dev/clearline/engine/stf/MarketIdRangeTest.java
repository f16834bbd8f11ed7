package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition.MarketConfig;
import org.junit.jupiter.api.Test;

/**
 * Market ids are full-range uint32 (docs/protocol.md section 5), though Java holds them in an int:
 * a market above 2^31 - 1 is created like any other, and only market 0 is refused. The Solidity
 * twin always did this; the differential test found the Java rule comparing the id as signed.
 */
class MarketIdRangeTest {

    @Test
    void aMarketIdAboveTheSignedIntRangeCreatesTheMarket() {
        World w = new World();
        int id = (int) 0xFFFF_FFFFL;
        MarketConfig c = new MarketConfig(0, 0, id, World.TICK, World.LOT, World.IMF, World.MMF, World.MAKER_FEE,
                World.TAKER_FEE, 0, w.oracle.address());
        w.ok(c);
        assertThat(StateReads.market(w.state, id)).isNotNull();
        GlobalLeaf g = StateReads.global(w.state);
        assertThat(g.forcedRejections()).isZero();
    }

    @Test
    void marketZeroIsStillRefusedAsAForcedRejection() {
        World w = new World();
        w.ok(new MarketConfig(0, 0, 0, World.TICK, World.LOT, World.IMF, World.MMF, World.MAKER_FEE, World.TAKER_FEE, 0,
                w.oracle.address()));
        assertThat(StateReads.market(w.state, 0)).isNull();
        assertThat(StateReads.global(w.state).forcedRejections()).isEqualTo(1);
    }
}
