package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The node's {@code --idle} setting: what the command line accepts and what each mode gives every agent. */
class IdleModeTest {
    private static final Set<String> OPTIONS = Arrays.stream(IdleMode.values()).map(IdleMode::option).collect(Collectors.toSet());

    @Test
    void everyModeIsReadBackFromItsOptionWhateverTheCaseAndSurroundingSpaces() {
        Property.forAll(Gens.elements(IdleMode.values()), Gens.booleans()).tries(60).check((mode, upper) -> {
            String written = " " + (upper ? mode.option().toUpperCase(Locale.ROOT) : mode.option()) + "\t";
            assertThat(IdleMode.parse(written)).isEqualTo(mode);
        });
    }

    @Test
    void anUnknownValueIsRefusedNamingEveryModeAndWhenToPickIt() {
        Property.forAll(Gens.strings(0, 12).filter(s -> !OPTIONS.contains(s.trim().toLowerCase(Locale.ROOT)))).tries(200).check(value -> {
            assertThatThrownBy(() -> IdleMode.parse(value))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--idle " + value + " is not a known idle mode")
                    .hasMessageContaining("low-cpu, backoff, spin")
                    .hasMessageContaining("spin only with dedicated cores");
        });
    }

    @Test
    void eachAgentGetsAStrategyOfItsOwnBecauseStrategiesKeepState() {
        for (IdleMode mode : IdleMode.values()) {
            IdleStrategy a = mode.strategy().get();
            IdleStrategy b = mode.strategy().get();
            assertThat(a).as(mode.option()).isNotSameAs(b);
        }
    }

    @Test
    void aSingleMembersDefaultBacksOffAndNoClusterHasNoMembers() {
        assertThat(IdleMode.defaultFor(1)).isEqualTo(IdleMode.BACKOFF);
        assertThat(NodeConfig.ephemeral(java.nio.file.Path.of("m"), NodeConfigTest.GENESIS).idle()).isEqualTo(IdleMode.BACKOFF);
        assertThatThrownBy(() -> IdleMode.defaultFor(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one member");
    }

    @Test
    void aClusterMembersDefaultSleepsAWholeMillisecondWithoutSpinningOrYieldingFirst() {
        // the point of low-cpu: one wake-up per millisecond per idle agent, never a spin/yield/short-park ladder
        IdleStrategy s = IdleMode.defaultFor(3).strategy().get();
        assertThat(IdleMode.defaultFor(2)).isEqualTo(IdleMode.LOW_CPU);
        assertThat(IdleMode.defaultFor(3)).isEqualTo(IdleMode.LOW_CPU);
        assertThat(s).isInstanceOf(LowCpuIdleStrategy.class);
        assertThat(s.toString()).contains("periodNs=1000000");
        assertThat(IdleMode.SPIN.strategy().get()).isInstanceOf(org.agrona.concurrent.BusySpinIdleStrategy.class);
        assertThat(IdleMode.BACKOFF.strategy().get()).isInstanceOf(org.agrona.concurrent.BackoffIdleStrategy.class);
    }

    @Test
    void aConfigKeepsItsIdleModeThroughEveryCopy() {
        NodeConfig c = NodeConfig.member(java.nio.file.Path.of("m0"), NodeConfigTest.GENESIS, 0, NodeConfigTest.THREE, java.time.Duration.ZERO, TestSecrets.SECRET);
        assertThat(c.idle()).isEqualTo(IdleMode.LOW_CPU);
        for (IdleMode mode : IdleMode.values()) {
            NodeConfig m = c.withIdle(mode);
            assertThat(m.idle()).isEqualTo(mode);
            assertThat(m.withSnapshotInterval(java.time.Duration.ofSeconds(60)).idle()).isEqualTo(mode);
            assertThat(m.withTiming(NodeConfig.Timing.AERON_DEFAULTS).idle()).isEqualTo(mode);
        }
    }
}
