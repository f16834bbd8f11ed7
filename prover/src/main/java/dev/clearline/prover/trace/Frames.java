package dev.clearline.prover.trace;

import dev.clearline.evm.trace.CallFrame;
import dev.clearline.evm.trace.StructLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Lines the opcode steps up with the call tree: frame ids are the frames in depth-first order (0
 * is the outermost call), and each step belongs to the frame that executed it. A call into a
 * precompile or an address without code appears in the tree but runs no opcode steps, so a call
 * opcode not followed by a deeper step consumes its frame without entering it.
 */
final class Frames {
    private static final Set<String> CALLS = Set.of("CALL", "CALLCODE", "DELEGATECALL", "STATICCALL", "CREATE", "CREATE2");

    /** A frame of the flattened tree. */
    record Flat(int id, int parent, int depth, CallFrame frame, List<Integer> children) {}

    private Frames() {}

    static List<Flat> flatten(CallFrame root) {
        List<Flat> out = new ArrayList<>();
        add(root, -1, 1, out);
        return out;
    }

    private static int add(CallFrame f, int parent, int depth, List<Flat> out) {
        int id = out.size();
        Flat flat = new Flat(id, parent, depth, f, new ArrayList<>());
        out.add(flat);
        for (CallFrame c : f.calls()) flat.children().add(add(c, id, depth + 1, out));
        return id;
    }

    /** The frame id of every step, in order. */
    static int[] assign(List<StructLog> steps, List<Flat> frames) {
        int[] owner = new int[steps.size()];
        Deque<Integer> stack = new ArrayDeque<>();
        stack.push(0);
        int next = 1;
        for (int i = 0; i < steps.size(); i++) {
            StructLog s = steps.get(i);
            while (stack.size() > s.depth() && stack.size() > 1) stack.pop();
            owner[i] = stack.peek();
            if (CALLS.contains(s.op()) && next < frames.size()) {
                boolean entered = i + 1 < steps.size() && steps.get(i + 1).depth() == s.depth() + 1;
                if (entered) stack.push(next);
                next++;
            }
        }
        return owner;
    }
}
