package dev.clearline.devnet.rpc;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One JSON-RPC WebSocket connection, as Hardhat's node and geth serve on their HTTP port: each
 * text message is a request or a batch, answered on the same socket, and {@code eth_subscribe}
 * pushes {@code eth_subscription} notifications to it until {@code eth_unsubscribe} or the close.
 * Public because Jetty reaches its listener methods through method handles.
 */
public final class RpcSocket implements Session.Listener.AutoDemanding, Subscriptions.Sink {
    private final CompletableFuture<RpcDispatcher> dispatcher;
    private volatile Session session;

    RpcSocket(CompletableFuture<RpcDispatcher> dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
    }

    @Override
    public void onWebSocketText(String text) {
        RpcDispatcher node;
        try {
            node = dispatcher.join(); // at once after start-up; during it, until the node is up
        } catch (CompletionException | CancellationException e) {
            session.close(StatusCode.SERVER_ERROR, "the devnet failed to start; see its log", Callback.NOOP);
            return;
        }
        String answer = node.handle(text, this);
        if (answer != null) send(answer);
    }

    @Override
    public void send(String text) {
        Session s = session;
        if (s != null && s.isOpen()) s.sendText(text, Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        session = null;
        dispatcher.thenAccept(d -> d.closed(this));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        dispatcher.thenAccept(d -> d.closed(this));
    }
}
