package dev.clearline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code status} says of a trader's fills and withdrawals, from the node's records and L1: a posted record whose batch L1
 * holds as final is final whatever the node's L1 loop has heard yet, a matched one never is (its batch index may be another
 * proposer's batch on L1), and a final withdrawal is either claimed on L1 or named with the command that pays it.
 */
class StatusStagesProperties {
    private static final String[] STAGES = {"matched", "posted", "final"};

    /** The key's address, as the CLI prints it (mixed case), and another: records carry addresses in lower case. */
    private static final String SELF = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    private static final String ELSEWHERE = "0x00000000000000000000000000000000000c01d1";

    @Test
    void stagesFollowL1AndEveryFinalWithdrawalIsClaimedOrNamed() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random rnd = new Random(seed);
            long l1Final = rnd.nextInt(12);
            ArrayNode records = UserOptions.JSON.createArrayNode();
            List<String> expected = new ArrayList<>();
            for (int i = 0, n = rnd.nextInt(8); i < n; i++) {
                String stage = STAGES[rnd.nextInt(3)];
                long batch = rnd.nextInt(14);
                var r = records.addObject().put("withdrawalId", i).put("amount", 1_000_000L * (i + 1)).put("stage", stage).put("batch", batch)
                        .put("finalAt", 1_000 + rnd.nextInt(600)).put("recipient", rnd.nextInt(3) == 0 ? ELSEWHERE : SELF.toLowerCase());
                if (rnd.nextInt(5) == 0) r.remove("batch"); // a record the node has not placed in a batch yet
                boolean onL1Final = stage.equals("posted") && r.has("batch") && batch < l1Final;
                expected.add(onL1Final ? "final" : stage);
            }
            Set<Long> paidOnL1 = new HashSet<>();
            for (int i = 0; i < records.size(); i++) if (rnd.nextBoolean()) paidOnL1.add((long) i);
            Set<Long> asked = new HashSet<>();
            StringBuilder text = new StringBuilder();
            ArrayNode out = StatusCommand.stages(records, 900, 600, 1, l1Final, "withdrawal", Map.of(), id -> {
                assertThat(asked.add(id)).as("withdrawal %d asked once", id).isTrue();
                return paidOnL1.contains(id);
            }, SELF, text);

            assertThat(out).hasSize(records.size());
            int fin = 0, paid = 0, posted = 0, matched = 0;
            for (int i = 0; i < out.size(); i++) {
                JsonNode w = out.get(i);
                assertThat(w.path("stage").asText()).as("record %d of %s, L1 final %d", i, records, l1Final).isEqualTo(expected.get(i));
                boolean isFinal = expected.get(i).equals("final");
                assertThat(w.has("claimed")).as("claimed is told for final withdrawals only").isEqualTo(isFinal);
                assertThat(asked.contains((long) i)).as("L1 asked about final withdrawals only").isEqualTo(isFinal);
                if (isFinal) {
                    fin++;
                    boolean done = paidOnL1.contains((long) i);
                    assertThat(w.path("claimed").asBoolean()).isEqualTo(done);
                    if (done) paid++;
                    assertThat(text.toString().contains("withdrawal " + i + " of " + Units.amount(1_000_000L * (i + 1)) + ": final in batch"))
                            .as("an unclaimed final withdrawal is named, a claimed one not: %s", text).isEqualTo(!done);
                    // with the claim that pays it: one paid elsewhere is claimed with --to, which any key may send
                    String claim = records.get(i).path("recipient").asText().equals(ELSEWHERE) ? "./clearline claim --to " + ELSEWHERE : "./clearline claim";
                    assertThat(text.toString().contains("withdrawal " + i + " of " + Units.amount(1_000_000L * (i + 1)) + ": final in batch "
                            + records.get(i).path("batch").asLong() + ", not claimed yet: " + claim + " pays it\n")).as("%s", text).isEqualTo(!done);
                } else if (expected.get(i).equals("posted")) {
                    posted++;
                } else {
                    matched++;
                }
            }
            if (records.isEmpty()) {
                assertThat(text.toString()).isEmpty();
            } else {
                assertThat(text.toString()).startsWith("  withdrawals: " + fin + " final (" + paid + " claimed), " + posted + " posted, " + matched + " matched\n");
            }
        });
    }

    @Test
    void fillsAreNeverAskedAboutClaims() {
        ArrayNode fills = UserOptions.JSON.createArrayNode();
        fills.addObject().put("seq", 7).put("market", 1).put("size", 2000).put("price", 60_000_000L).put("stage", "posted").put("batch", 3);
        StringBuilder text = new StringBuilder();
        ArrayNode out = StatusCommand.stages(fills, 900, 600, 1, 4, "fill", Map.of(1, 1000L), null, SELF, text);
        assertThat(out.get(0).path("stage").asText()).as("batch 3 is final on L1 (4 final)").isEqualTo("final");
        assertThat(out.get(0).has("claimed")).isFalse();
        assertThat(text.toString()).isEqualTo("  fills: 1 final, 0 posted, 0 matched\n");
    }

    /** A fill a node took up from L1 has no seq of the new log: status names it by its batch, not as "seq 0". */
    @Test
    void aFillFromBeforeATakeUpIsNamedWithoutASeq() {
        ArrayNode fills = UserOptions.JSON.createArrayNode();
        fills.addObject().put("market", 1).put("size", 2000).put("price", 60_000_000L).put("stage", "posted").put("batch", 5).put("finalAt", 1_200);
        fills.addObject().put("seq", 3).put("market", 1).put("size", 1000).put("price", 61_000_000L).put("stage", "posted").put("batch", 6).put("finalAt", 1_300);
        StringBuilder text = new StringBuilder();
        StatusCommand.stages(fills, 900, 600, 1, 4, "fill", Map.of(1, 1000L), null, SELF, text);
        assertThat(text.toString()).contains("    fill from before the take-up (2 lot(s) at 60.000000 on market 1): posted in batch 5, final in about 300 L1 second(s)")
                .contains("    fill at seq 3 (1 lot(s) at 61.000000 on market 1): posted in batch 6").doesNotContain("seq 0");
    }

    /** A fill says which way the reader traded and what it paid: the taker took takerSide and paid takerFee, the maker the other. */
    @Test
    void aFillSaysWhetherYouBoughtOrSoldAndYourFee() {
        String other = "0x00000000000000000000000000000000000000aa";
        ArrayNode fills = UserOptions.JSON.createArrayNode();
        fills.addObject().put("seq", 1).put("market", 1).put("size", 2000).put("price", 60_000_000L).put("stage", "posted").put("batch", 5)
                .put("finalAt", 1_200).put("takerSide", "BUY").put("maker", other).put("taker", SELF.toUpperCase().replace("0X", "0x"))
                .put("makerFee", 24_000).put("takerFee", 60_000);
        fills.addObject().put("seq", 2).put("market", 1).put("size", 1000).put("price", 61_000_000L).put("stage", "posted").put("batch", 6)
                .put("finalAt", 1_300).put("takerSide", "BUY").put("maker", SELF).put("taker", other).put("makerFee", 12_200).put("takerFee", 30_500);
        fills.addObject().put("seq", 3).put("market", 1).put("size", 1000).put("price", 62_000_000L).put("stage", "posted").put("batch", 6)
                .put("finalAt", 1_300).put("takerSide", "SELL").put("maker", SELF).put("taker", other).put("makerFee", 12_400).put("takerFee", 31_000);
        StringBuilder text = new StringBuilder();
        StatusCommand.stages(fills, 900, 600, 1, 4, "fill", Map.of(1, 1000L), null, SELF, text);
        assertThat(text.toString())
                .contains("fill at seq 1 (bought 2 lot(s) at 60.000000 on market 1, fee 0.060000 as taker)")
                .contains("fill at seq 2 (sold 1 lot(s) at 61.000000 on market 1, fee 0.012200 as maker)")
                .contains("fill at seq 3 (bought 1 lot(s) at 62.000000 on market 1, fee 0.012400 as maker)");
    }
}
