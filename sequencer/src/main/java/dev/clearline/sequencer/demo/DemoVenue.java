package dev.clearline.sequencer.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.sequencer.api.Gateway;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the demo traders send their signed orders and cancels: the trader API, as any client's
 * ({@link TraderApiVenue}, what the local stack uses), or the gateway in process ({@link #gateway}),
 * for a test without a server.
 */
public interface DemoVenue {
    /** Places one order; the venue's reply (its outcome, and the fills it made). */
    ObjectNode place(SignedOrder order) throws Exception;

    /** Cancels these orders in one request. */
    void batchCancel(List<CancelRequest> cancels) throws Exception;

    /** The gateway in process: what the API would hand it, without the API's limits, halts and counts. */
    static DemoVenue gateway(Gateway gateway) {
        return new DemoVenue() {
            @Override
            public ObjectNode place(SignedOrder order) throws Exception {
                return gateway.place(order).get(30, TimeUnit.SECONDS);
            }

            @Override
            public void batchCancel(List<CancelRequest> cancels) throws Exception {
                gateway.batchCancel(cancels).get(30, TimeUnit.SECONDS);
            }
        };
    }
}
