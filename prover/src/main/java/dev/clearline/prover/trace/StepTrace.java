package dev.clearline.prover.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.evm.Address;
import dev.clearline.evm.Hex;
import dev.clearline.evm.trace.CallFrame;
import dev.clearline.evm.trace.StructLog;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A one-step proof replayed in the EVM: the {@link StepCase} (what Java did) and the traced
 * {@code StepVerifier.step} call (what Solidity did), serialised in the format documented in
 * docs/trace-format.md ({@value #FORMAT}).
 */
public record StepTrace(long chainId, StepCase stepCase, StepVm.Run run, Map<Address, String> contracts) {
    public static final String FORMAT = "clearline.step-trace/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Traces {@code c} through the verifier of {@code vm}. */
    public static StepTrace of(StepVm vm, long chainId, byte[] domainSeparator, StepCase c) {
        StepVm.Run run = vm.trace(c.preRoot().bytes(), c.transition(), c.witness().witness().encode(), c.batchIndex(), domainSeparator);
        return new StepTrace(chainId, c, run, vm.contracts());
    }

    /** The Java verdict as a reject code (0 applied). */
    public int javaCode() {
        return stepCase.witness().verdict().code();
    }

    /** The Solidity verdict as a reject code, or empty when the call reverted. */
    public Optional<Integer> solidityCode() {
        return run.result().map(StepCallAbi.Result::reject);
    }

    /** Whether Solidity returned the Java verdict and the Java post-root. */
    public boolean agree() {
        return run.result().map(r -> r.reject() == javaCode()
                && HexFormat.of().formatHex(r.postRoot()).equals(HexFormat.of().formatHex(stepCase.javaPostRoot().bytes()))).orElse(false);
    }

    public static String codeName(int code) {
        if (code == 0) return "APPLIED";
        for (Reject r : Reject.values()) if (r.code() == code) return r.name();
        return "REJECT_" + code;
    }

    /** The transition's type name and fields, or why it does not decode. */
    public static ObjectNode describeTransition(byte[] bytes) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", bytes.length == 0 ? -1 : bytes[0] & 0xff);
        node.put("hex", Hex.encode(bytes));
        try {
            Transition t = TransitionCodec.decode(bytes);
            node.put("name", t.getClass().getSimpleName());
            node.set("fields", fields((Record) t));
        } catch (MalformedTransitionException e) {
            node.put("name", "Malformed");
            node.put("malformed", e.getMessage());
        }
        return node;
    }

    private static ObjectNode fields(Record r) {
        ObjectNode node = JSON.createObjectNode();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("record component " + c.getName() + " is not readable", e);
            }
            switch (v) {
                case Record nested -> node.set(c.getName(), fields(nested));
                case byte[] b -> node.put(c.getName(), Hex.encode(b));
                case Number n -> node.put(c.getName(), n.toString());
                case null -> node.putNull(c.getName());
                default -> node.put(c.getName(), v.toString());
            }
        }
        return node;
    }

    private static boolean precompile(Address a) {
        byte[] b = a.bytes();
        for (int i = 0; i < 19; i++) if (b[i] != 0) return false;
        return b[19] != 0 && (b[19] & 0xff) <= 0x11;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(toNode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain JSON nodes failed to serialise", e);
        }
    }

    public ObjectNode toNode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("chainId", chainId);
        root.put("batchIndex", stepCase.batchIndex());
        root.put("step", stepCase.step());
        root.set("transition", describeTransition(stepCase.transition()));
        root.put("preRoot", stepCase.preRoot().toString());

        ObjectNode witness = root.putObject("witness");
        witness.put("bytes", stepCase.witness().witness().encode().length);
        witness.put("proofBytes", stepCase.witness().witness().proof().length);
        ArrayNode leaves = witness.putArray("leaves");
        for (StepCase.Leaf l : stepCase.leaves()) {
            ObjectNode leaf = leaves.addObject();
            leaf.put("key", l.key());
            leaf.put("kind", l.kind().name());
            if (l.before().isPresent()) leaf.put("before", l.before().get()); else leaf.putNull("before");
            if (l.after().isPresent()) leaf.put("after", l.after().get()); else leaf.putNull("after");
            leaf.put("written", l.written());
        }

        ObjectNode java = root.putObject("java");
        StepWitness.Verdict v = stepCase.witness().verdict();
        java.put("verdict", switch (v) {
            case StepWitness.Verdict.Applied a -> "applied";
            case StepWitness.Verdict.Rejected r -> "rejected";
            case StepWitness.Verdict.Malformed m -> "malformed";
        });
        java.put("code", v.code());
        java.put("codeName", codeName(v.code()));
        java.put("postRoot", stepCase.javaPostRoot().toString());

        ObjectNode sol = root.putObject("solidity");
        sol.put("reverted", run.revert().isPresent());
        run.revert().ifPresent(r -> sol.put("revert", r));
        run.result().ifPresent(r -> {
            sol.put("code", r.reject());
            sol.put("codeName", codeName(r.reject()));
            sol.put("postRoot", Hex.encode(r.postRoot()));
            sol.put("priorityConsumed", r.priorityConsumed());
            sol.put("priorityIndex", r.priorityIndex());
            sol.put("priorityHash", Hex.encode(r.priorityHash()));
        });
        root.put("agree", agree());
        root.put("gasUsed", run.gasUsed());

        ObjectNode names = root.putObject("contracts");
        contracts.forEach((a, n) -> names.put(a.toHex(), n));

        List<Frames.Flat> frames = Frames.flatten(run.calls());
        List<StructLog> logs = run.steps().structLogs();
        int[] owner = Frames.assign(logs, frames);
        int[] first = new int[frames.size()];
        int[] count = new int[frames.size()];
        Arrays.fill(first, -1);
        for (int i = 0; i < owner.length; i++) {
            if (first[owner[i]] < 0) first[owner[i]] = i;
            count[owner[i]]++;
        }
        ArrayNode frameNodes = root.putArray("frames");
        for (Frames.Flat f : frames) {
            CallFrame c = f.frame();
            ObjectNode n = frameNodes.addObject();
            n.put("id", f.id());
            if (f.parent() < 0) n.putNull("parent"); else n.put("parent", f.parent());
            n.put("depth", f.depth());
            n.put("type", c.type());
            n.put("from", c.from().toHex());
            c.to().ifPresent(t -> {
                n.put("to", t.toHex());
                n.put("contract", contracts.getOrDefault(t, precompile(t) ? "precompile" : "unknown"));
            });
            n.put("gas", c.gas());
            n.put("gasUsed", c.gasUsed());
            n.put("input", Hex.encode(c.input()));
            c.output().ifPresent(o -> n.put("output", Hex.encode(o)));
            c.error().ifPresent(e -> n.put("error", e));
            c.revertReason().ifPresent(e -> n.put("revertReason", e));
            n.put("firstStep", first[f.id()]);
            n.put("stepCount", count[f.id()]);
            ArrayNode children = n.putArray("children");
            f.children().forEach(children::add);
        }
        ArrayNode steps = root.putArray("steps");
        for (int i = 0; i < logs.size(); i++) {
            StructLog s = logs.get(i);
            ObjectNode n = steps.addObject();
            n.put("frame", owner[i]);
            n.put("pc", s.pc());
            n.put("op", s.op());
            n.put("gas", s.gas());
            n.put("gasCost", s.gasCost());
            n.put("depth", s.depth());
            s.error().ifPresent(e -> n.put("error", e));
            ArrayNode stack = n.putArray("stack");
            for (BigInteger w : s.stack().orElse(List.of())) stack.add("0x" + w.toString(16));
        }
        return root;
    }
}
