package dev.clearline.engine.witness;

import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Reject;
import java.util.List;

/**
 * What the Java STF did with one transition, and the witness the Solidity step needs to do the same.
 *
 * @param verdict applied (with its writes), rejected, or malformed
 * @param witness the touched leaves' pre-state values and their multi-proof ({@link Witness#EMPTY}
 *     for malformed bytes: nothing is read)
 */
public record StepWitness(Verdict verdict, Witness witness) {
    /** The reject code both sides report for bytes that do not decode. */
    public static final int MALFORMED_CODE = Reject.MALFORMED.code();

    /** The Java STF's outcome. */
    public sealed interface Verdict {
        /** The code the Solidity step must return: 0 applied, else the reject code. */
        int code();

        record Applied(List<LeafStore.Write> writes) implements Verdict {
            public Applied {
                writes = List.copyOf(writes);
            }

            public int code() {
                return 0;
            }
        }

        record Rejected(Reject reason) implements Verdict {
            public int code() {
                return reason.code();
            }
        }

        record Malformed(String why) implements Verdict {
            public int code() {
                return MALFORMED_CODE;
            }
        }
    }
}
