package dev.clearline.evm;

import dev.clearline.evm.revert.Revert;

/** Why an execution did not succeed. Each {@link #message()} says what went wrong and what to do. */
public sealed interface Failure {

    String message();

    /** The code ran REVERT. State changes of the call are undone; gas up to the revert is spent. */
    record Reverted(Revert reason, byte[] data) implements Failure {
        public Reverted {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public String message() {
            return "execution reverted: " + reason.describe();
        }
    }

    /** An exceptional halt (out of gas, invalid opcode, stack underflow, ...): all gas is spent. */
    record Halted(String error) implements Failure {
        @Override
        public String message() {
            if (error.contains("out of gas")) {
                return "execution halted: " + error + "; raise the gas limit (Evm.estimateGas finds a sufficient one)";
            }
            return "execution halted: " + Hardfork.explain(error);
        }
    }

    /** A call with input data to an address without code: nothing was executed or changed. */
    record NoContract(Address target) implements Failure {
        @Override
        public String message() {
            return "no contract at " + target + "; deploy it first or check the address";
        }
    }

    /** The message broke a transaction rule (nonce, funds, gas limit, fee): nothing was executed or changed. */
    record Invalid(String reason) implements Failure {
        @Override
        public String message() {
            return "invalid transaction: " + reason;
        }
    }
}
