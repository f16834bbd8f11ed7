/**
 * The embedded EVM: go-ethereum's EVM (Shanghai) behind a small API of this module's own types.
 *
 * <ul>
 *   <li>{@link dev.clearline.evm.WorldState}: accounts in memory or in a directory; commit to a root,
 *       reopen at a root, nested snapshots, EIP-1186 proofs. {@code AutoCloseable}.
 *   <li>{@link dev.clearline.evm.Evm}: {@code call} (discards changes), {@code transact} (keeps
 *       them), {@code estimateGas}, {@code trace}.
 *   <li>Inputs: {@link dev.clearline.evm.Message}, {@link dev.clearline.evm.BlockContext},
 *       {@link dev.clearline.evm.ExecutionOptions} ({@link dev.clearline.evm.Accounting}).
 *   <li>Outputs: {@link dev.clearline.evm.ExecutionResult} with {@link dev.clearline.evm.Log}s and a
 *       {@link dev.clearline.evm.Failure} when it failed.
 *   <li>Value types: {@link dev.clearline.evm.Address}, {@link dev.clearline.evm.Bytes32}; amounts
 *       are {@code BigInteger} wei.
 * </ul>
 *
 * Cost: the backend is crossed over JNA with JSON parameters, several microseconds per crossing, so
 * an execution costs a handful of crossings (a free {@code call} six, a priced value transfer nine)
 * rather than the EVM work itself; {@link dev.clearline.evm.ExecutionOptions#withoutLogs()} saves one
 * more where only the return data matters. {@code bench-results/evm-overhead.md} has the figures.
 *
 * <p>Subpackages: {@code revert} (revert data decoding), {@code trace} (struct logs, call tree, JSON).
 */
package dev.clearline.evm;
