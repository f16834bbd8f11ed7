package dev.clearline.contracts;

/**
 * The words for an L1 endpoint that was not reached. The HTTP client's own text names its socket
 * ("Failed to connect to /127.0.0.1:8555", a slash before the address) and repeats the URL the
 * message already gives; the user needs the kind of failure.
 */
public final class ConnectionFailure {
    private ConnectionFailure() {}

    /** What went wrong reaching the endpoint, in a few words, or the failure's own message when it is of no known kind. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) return "connection refused";
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) return "unknown host";
            if (t instanceof java.net.NoRouteToHostException) return "no route to the host";
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.net.http.HttpTimeoutException) return "no answer in time";
            if (t instanceof java.io.EOFException) return "the connection closed before an answer";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
