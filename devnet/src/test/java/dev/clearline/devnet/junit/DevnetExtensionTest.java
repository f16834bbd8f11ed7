package dev.clearline.devnet.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.compat.Chain;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The harness gives each test the deployed contracts on a chain no other test has touched. */
@WithDevnet
class DevnetExtensionTest {
    private final DevnetContext ctx;

    DevnetExtensionTest(DevnetContext ctx) {
        this.ctx = ctx;
    }

    @RepeatedTest(3)
    void eachTestStartsFromTheDeployedStateWhateverTheOthersMinted() throws Exception {
        Chain chain = new Chain(ctx.web3j(), 31337);
        String token = ctx.address("TestCollateral");
        String holder = ctx.key(3).getAddress();
        assertThat(chain.tokenBalance(token, holder)).isZero();
        assertThat(chain.blockNumber()).isEqualTo(ctx.manifest().blockNumber());
        chain.mined(ctx.deployer(), token, Chain.mint(holder, 1_000_000), 200_000);
        assertThat(chain.tokenBalance(token, holder)).isEqualTo(1_000_000);
    }

    @Test
    void timeTravelCrossesAChallengeWindowWithoutSleeping() {
        long start = ctx.time().latestTimestamp();
        assertThat(start).isGreaterThanOrEqualTo(DevnetExtension.GENESIS_TIME);
        long later = ctx.time().advance(Duration.ofDays(7));
        assertThat(later - start).isEqualTo(Duration.ofDays(7).toSeconds());
    }

    @Test
    void theSameInstanceIsInjectedIntoMethods(DevnetContext injected) {
        assertThat(injected).isSameAs(ctx);
        assertThat(injected.accounts().keys()).hasSize(10);
    }
}
