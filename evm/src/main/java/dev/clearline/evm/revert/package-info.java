/**
 * Revert data decoding: {@link dev.clearline.evm.revert.RevertDecoder} turns the bytes a reverted
 * call returns into a {@link dev.clearline.evm.revert.Revert} ({@code Error(string)},
 * {@code Panic(uint256)} with its meaning, registered custom errors, or the raw selector).
 */
package dev.clearline.evm.revert;
