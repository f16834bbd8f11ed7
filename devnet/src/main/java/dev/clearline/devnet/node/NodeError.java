package dev.clearline.devnet.node;

/**
 * A user-caused failure the node reports instead of doing the work, with the JSON-RPC error
 * code and message geth or Hardhat would use, and optional hex data (revert data for code 3).
 */
public record NodeError(int code, String message, String data) {
    /** geth's code for transactions the pool or the state rejects. */
    public static final int TX_REJECTED = -32000;
    /** geth's code for execution reverted, with the revert data in {@code data}. */
    public static final int EXECUTION_REVERTED = 3;
    public static final int INVALID_PARAMS = -32602;
    public static final int INVALID_INPUT = -32000;

    public static NodeError rejected(String message) {
        return new NodeError(TX_REJECTED, message, null);
    }

    public static NodeError invalidParams(String message) {
        return new NodeError(INVALID_PARAMS, message, null);
    }
}
