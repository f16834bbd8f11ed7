package dev.clearline.sequencer.cluster;

import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.order.Address;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.RulesVersion;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fingerprint survives the log byte for byte, and a comparison names exactly the fields that differ. */
class ConfigFingerprintTest {
    static final Genesis BASE = Genesis.devnet(Market.ROLLUP);

    @Test
    void theComparisonNamesExactlyTheChangedFieldsWithBothValues() {
        Property.forAll(Gens.ints(0, 127), Gens.ints(0, 4)).tries(200).check((mask, leader) -> {
            Genesis other = new Genesis(
                    (mask & 1) != 0 ? BASE.chainId() + 1 : BASE.chainId(),
                    (mask & 2) != 0 ? Address.fromHex("0x00000000000000000000000000000000000000aa") : BASE.verifyingContract(),
                    new MarketBooks((mask & 4) != 0 ? 1 << 10 : BASE.books().maxPriceTicks(),
                            (mask & 8) != 0 ? 1 << 20 : BASE.books().maxSizeLots(),
                            (mask & 16) != 0 ? 1 << 8 : BASE.books().capacity()),
                    new BatchPolicy((mask & 32) != 0 ? 7 : BASE.batches().maxTransitions(),
                            (mask & 64) != 0 ? 9 : BASE.batches().maxAgeSeconds()));
            ConfigFingerprint log = ConfigFingerprint.decode(ConfigFingerprint.of(leader, BASE).encode()).orElseThrow();
            assertThat(log).isEqualTo(ConfigFingerprint.of(leader, BASE));
            List<String> diff = log.differencesFrom(ConfigFingerprint.of(1, other));
            String[] names = {"chainId", "rollup", "books.maxPriceTicks", "books.maxSizeLots", "books.capacity", "batches.maxTransitions", "batches.maxAgeSeconds"};
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < names.length; i++) if ((mask & (1 << i)) != 0) expected.add(names[i]);
            assertThat(diff.stream().map(d -> d.substring(0, d.indexOf(':'))).sorted().toList()).isEqualTo(expected.stream().sorted().toList());
            assertThat(diff).allSatisfy(d -> assertThat(d).contains("from leader member " + leader));
            if ((mask & 1) != 0) {
                assertThat(diff).contains("chainId: the cluster's log has " + BASE.chainId() + " (from leader member " + leader
                        + "), this member has " + (BASE.chainId() + 1) + " (set by the manifest's chain, or --chain-id)");
            }
            if ((mask & 64) != 0) {
                assertThat(diff).anySatisfy(d -> assertThat(d).startsWith("batches.maxAgeSeconds:").endsWith("(set by --batch-seconds)"));
            }
        });
    }

    @Test
    void theRulesVersionIsAFieldSoThatABuildFromBeforeItStopsOnItToo() {
        ConfigFingerprint log = ConfigFingerprint.of(2, BASE);
        assertThat(log.fields()).containsEntry("rules", Integer.toString(RulesVersion.CURRENT));
        assertThat(log.differencesFrom(ConfigFingerprint.of(0, BASE, RulesVersion.CURRENT))).isEmpty();
        assertThat(log.differencesFrom(ConfigFingerprint.of(0, BASE, RulesVersion.CURRENT + 1))).singleElement().asString()
                .startsWith("rules: the cluster's log has " + RulesVersion.CURRENT + " (from leader member 2), this member has " + (RulesVersion.CURRENT + 1))
                .contains("Upgrading to new rules");
        // a fingerprint as a build from before the rules were versioned wrote it: every field but the rules
        java.util.Map<String, String> former = new java.util.HashMap<>(log.fields());
        former.remove("rules");
        ConfigFingerprint old = ConfigFingerprint.decode(new ConfigFingerprint(1, former).encode()).orElseThrow();
        assertThat(old.differencesFrom(log)).singleElement().asString()
                .startsWith("rules: the cluster's log has nothing (from leader member 1), this member has " + RulesVersion.CURRENT);
        assertThat(log.differencesFrom(old)).as("what the former build sees in a log this build led")
                .singleElement().asString().startsWith("rules: the cluster's log has " + RulesVersion.CURRENT + " (from leader member 2), this member has nothing");
    }

    /**
     * Where a log began (genesis, or a state taken up from L1) is compared when both sides know it: a member replaying a
     * log begun from a take-up without that state stops, saying to start it with the same --take-up FILE; a member
     * started from a snapshot, or a build before the field, has nothing to compare and goes on.
     */
    @Test
    void whereTheLogBeganIsComparedOnlyWhenBothSidesKnowIt() {
        ConfigFingerprint plain = ConfigFingerprint.of(0, Market.GENESIS);
        ConfigFingerprint takenUp = ConfigFingerprint.of(0, Market.GENESIS).withStart("take-up 0xabc");
        ConfigFingerprint fromGenesis = ConfigFingerprint.of(1, Market.GENESIS).withStart("genesis");
        List<String> diff = ConfigFingerprint.decode(takenUp.encode()).orElseThrow().differencesFrom(fromGenesis);
        assertThat(diff).singleElement().asString().contains("start: the cluster's log has take-up 0xabc").contains("this member has genesis")
                .contains("the same --take-up FILE");
        assertThat(takenUp.differencesFrom(plain)).as("a member started from a snapshot").isEmpty();
        assertThat(plain.differencesFrom(fromGenesis)).as("a leader of a build before the field").isEmpty();
        assertThat(takenUp.differencesFrom(ConfigFingerprint.of(2, Market.GENESIS).withStart("take-up 0xabc"))).isEmpty();
        assertThat(plain.withStart(null)).isEqualTo(plain);
    }

    @Test
    void neitherCommandsNorCutMessagesReadAsFingerprints() {
        byte[] f = ConfigFingerprint.of(0, BASE).encode();
        Property.forAll(Gens.ints(0, f.length - 1)).tries(100).check(cut -> {
            byte[] shorter = java.util.Arrays.copyOf(f, cut);
            assertThat(ConfigFingerprint.decode(shorter)).isEmpty();
        });
        Property.forAll(Gens.bytes(1, 64)).tries(200).check(b -> {
            b[0] = CommandCodec.VERSION; // every command starts with its version byte
            assertThat(ConfigFingerprint.isFingerprint(b)).isFalse();
        });
    }
}
