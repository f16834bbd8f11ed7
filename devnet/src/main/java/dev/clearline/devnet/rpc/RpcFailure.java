package dev.clearline.devnet.rpc;

import dev.clearline.devnet.node.NodeError;

/** Unwinds a request handler to the dispatcher with the JSON-RPC error to answer. */
final class RpcFailure extends RuntimeException {
    private final transient NodeError error;

    RpcFailure(NodeError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    RpcFailure(int code, String message) {
        this(new NodeError(code, message, null));
    }

    NodeError error() {
        return error;
    }
}
