package dev.clearline.evm;

import java.util.Optional;

/** Answers the BLOCKHASH opcode: the hash of an earlier block, if the caller knows it. */
@FunctionalInterface
public interface BlockHashes {
    /** No history: BLOCKHASH yields zero for every block. */
    BlockHashes NONE = number -> Optional.empty();

    Optional<Bytes32> hashOf(long number);
}
