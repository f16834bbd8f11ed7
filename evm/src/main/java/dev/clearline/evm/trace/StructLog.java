package dev.clearline.evm.trace;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One opcode step as geth's struct logger records it, before the opcode runs.
 *
 * @param gas gas left before the step
 * @param stack bottom first, top last; empty if the stack was not captured
 * @param memory 32-byte words as hex without prefix, when captured
 * @param storage slots touched so far by this contract (hex without prefix), present on SLOAD/SSTORE steps
 * @param refund the refund counter, 0 if none
 */
public record StructLog(
        long pc,
        String op,
        long gas,
        long gasCost,
        int depth,
        Optional<List<BigInteger>> stack,
        Optional<List<String>> memory,
        Optional<Map<String, String>> storage,
        long refund,
        Optional<String> error) {

    public StructLog {
        stack = stack.map(List::copyOf);
        memory = memory.map(List::copyOf);
        storage = storage.map(Map::copyOf);
    }

    /** The top of the stack (last pushed), if the stack was captured and is not empty. */
    public Optional<BigInteger> top() {
        return stack.filter(s -> !s.isEmpty()).map(List::getLast);
    }
}
