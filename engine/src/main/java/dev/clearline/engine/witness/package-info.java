/**
 * The witness of one STF step for the Solidity one-step verifier ({@code stf/StepVerifier.sol}):
 * the values of every leaf the step reads or writes, and one multi-proof of them under the
 * pre-state root (docs/protocol.md, "Witness"). {@link dev.clearline.engine.witness.WitnessBuilder}
 * is the entry point; the prover and the differential tests use it.
 */
package dev.clearline.engine.witness;
