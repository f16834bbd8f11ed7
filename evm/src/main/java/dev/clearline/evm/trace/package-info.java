/**
 * Execution traces as plain records: {@link dev.clearline.evm.trace.StructTrace} (every opcode step:
 * pc, op, gas, gas cost, depth, stack, optional memory and storage) and
 * {@link dev.clearline.evm.trace.CallFrame} (the call tree). Both serialise to, and parse from, the
 * JSON go-ethereum's {@code debug_traceTransaction}/{@code debug_traceCall} return.
 */
package dev.clearline.evm.trace;
