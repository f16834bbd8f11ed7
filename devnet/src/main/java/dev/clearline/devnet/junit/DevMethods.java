package dev.clearline.devnet.junit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/** Calls a node's dev methods (evm_*, hardhat_*), which web3j has no typed requests for. */
final class DevMethods {
    private DevMethods() {}

    /** The method's result; a refusal is an {@link IllegalStateException} carrying the node's words. */
    static JsonNode call(Web3jService service, String method, List<?> params) {
        try {
            Json response = new Request<>(method, params, service, Json.class).send();
            if (response.hasError()) {
                throw new IllegalStateException(method + " failed: " + response.getError().getMessage()
                        + "; does the node support the dev methods (devnet, Hardhat, Anvil do)?");
            }
            return response.getResult();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the node for " + method, e);
        }
    }

    /** A response whose result is any JSON. */
    public static final class Json extends Response<JsonNode> {}
}
