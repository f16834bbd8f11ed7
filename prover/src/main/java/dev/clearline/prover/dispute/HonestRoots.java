package dev.clearline.prover.dispute;

/**
 * A replay's view of a batch's intermediate roots, as the challenger weighs a bisection: does the
 * honest state after the first {@code prefix} transitions have root {@code claimed}? False where no
 * honest root exists (past a transition the STF refuses).
 */
@FunctionalInterface
public interface HonestRoots {
    boolean agrees(int prefix, byte[] claimed);
}
