package dev.clearline.devnet.junit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * A real node seen by a test that must act at a given point of a client's conversation with it:
 * it keeps the raw transactions the node accepted, and lets the test wait until the client makes
 * a given call after its n-th accepted transaction (a sender waiting for a receipt, say, so that a
 * block the test mines next comes after the send and not between the send and the sender's look
 * at the head), or have something happen to the node just before that call reaches it (the
 * transaction dropped from the pool, a block mined), on the client's own thread, so that the
 * client's next look at the node surely sees it.
 */
public final class CallWatch extends ForwardingTransport {
    private final List<String> accepted = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final List<Integer> acceptedAtCall = new ArrayList<>();
    private final List<Cue> cues = new ArrayList<>();

    /** Something to do to the node once, before the first {@code method} call after {@code acceptedBefore} accepted transactions. */
    private record Cue(String method, int acceptedBefore, Runnable action) {}

    public CallWatch(Web3jService node) {
        super(node);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        Cue due = null;
        synchronized (this) {
            for (int i = 0; i < cues.size() && due == null; i++) {
                Cue c = cues.get(i);
                if (c.method().equals(request.getMethod()) && accepted.size() >= c.acceptedBefore()) due = cues.remove(i);
            }
        }
        if (due != null) due.action().run();
        T r = node.send(request, responseType);
        synchronized (this) {
            if ("eth_sendRawTransaction".equals(request.getMethod()) && !r.hasError()) accepted.add((String) request.getParams().get(0));
            calls.add(request.getMethod());
            acceptedAtCall.add(accepted.size());
            notifyAll();
        }
        return r;
    }

    /**
     * Runs {@code action} once, on the client's thread, just before its first {@code method} call
     * made once at least {@code acceptedBefore} transactions were accepted; the call then goes on
     * to the node. An action's failure is the client's (it reaches the client as the call's), so
     * actions record what they find for the test to assert on afterwards.
     */
    public synchronized void beforeCall(String method, int acceptedBefore, Runnable action) {
        cues.add(new Cue(method, acceptedBefore, action));
    }

    /** How many {@code method} calls the client made so far, answered with an error or not. */
    public synchronized long callsOf(String method) {
        return calls.stream().filter(method::equals).count();
    }

    /** The raw transactions the node accepted, in order. */
    public synchronized List<String> accepted() {
        return List.copyOf(accepted);
    }

    /** Waits (up to 30 s) until {@code method} is called once at least {@code acceptedBefore} transactions were accepted. */
    public synchronized void awaitCall(String method, int acceptedBefore) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!called(method, acceptedBefore)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + method + " after " + acceptedBefore + " accepted transactions in 30 s; accepted "
                        + accepted.size() + ", calls " + calls.subList(Math.max(0, calls.size() - 10), calls.size()));
            }
            wait(100);
        }
    }

    private boolean called(String method, int acceptedBefore) {
        for (int i = 0; i < calls.size(); i++) if (acceptedAtCall.get(i) >= acceptedBefore && calls.get(i).equals(method)) return true;
        return false;
    }
}
