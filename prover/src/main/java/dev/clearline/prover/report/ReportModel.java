package dev.clearline.prover.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.prover.trace.StepCase;
import dev.clearline.prover.trace.StepTrace;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The pieces both renderings share: the decoded transition's fields and the verdict rows. */
final class ReportModel {
    private ReportModel() {}

    /** One row of the verdicts table: what Java says and what Solidity says. */
    record VerdictRow(String what, String java, String solidity, boolean same) {}

    static List<VerdictRow> verdicts(DisputeRecord r) {
        StepTrace t = r.oneStep();
        var sol = t.run().result();
        String solCode = sol.map(s -> StepTrace.codeName(s.reject())).orElse("reverted: " + t.run().revert().orElse("?"));
        String solRoot = sol.map(s -> "0x" + java.util.HexFormat.of().formatHex(s.postRoot())).orElse("-");
        String javaRoot = t.stepCase().javaPostRoot().toString();
        List<VerdictRow> rows = new ArrayList<>();
        rows.add(new VerdictRow("verdict", StepTrace.codeName(t.javaCode()), solCode, solCode.equals(StepTrace.codeName(t.javaCode()))));
        rows.add(new VerdictRow("post-state root", javaRoot, solRoot, javaRoot.equalsIgnoreCase(solRoot)));
        rows.add(new VerdictRow("proposer's claimed root", r.claimedStepRoot(), r.claimedStepRoot(), true));
        rows.add(new VerdictRow("matches the claim", String.valueOf(javaRoot.equalsIgnoreCase(r.claimedStepRoot())),
                String.valueOf(solRoot.equalsIgnoreCase(r.claimedStepRoot())), javaRoot.equalsIgnoreCase(solRoot)));
        return rows;
    }

    /** The transition's fields as dotted names (nested records flattened: {@code order.price}). */
    static List<Map.Entry<String, String>> fields(byte[] transition) {
        JsonNode node = StepTrace.describeTransition(transition);
        List<Map.Entry<String, String>> out = new ArrayList<>();
        out.add(Map.entry("type", node.path("type").asText() + " (" + node.path("name").asText() + ")"));
        if (node.has("malformed")) out.add(Map.entry("malformed", node.path("malformed").asText()));
        flatten("", node.path("fields"), out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, List<Map.Entry<String, String>> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) flatten(prefix + e.getKey() + ".", e.getValue(), out);
            else out.add(Map.entry(prefix + e.getKey(), e.getValue().asText()));
        }
    }

    static List<StepCase.Leaf> leaves(DisputeRecord r) {
        return r.oneStep().stepCase().leaves();
    }

    /** The witnessed leaves decoded field by field, with whose each one is. */
    static List<LeafView.Decoded> decodedLeaves(DisputeRecord r) {
        StepCase c = r.oneStep().stepCase();
        return LeafView.of(c, fields(c.transition()));
    }

    static final ObjectMapper JSON = new ObjectMapper();
}
