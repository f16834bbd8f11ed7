package dev.clearline.prover.l1;

import java.io.IOException;

/**
 * A read from L1 through web3j, whose calls throw any {@link Exception}: an unreachable node or a
 * refused call becomes an {@link IOException}, which the watcher, the sequencer's L1 side and the CLI
 * retry or report as an L1 problem.
 */
public final class L1Call {
    private L1Call() {}

    /** A web3j call. */
    @FunctionalInterface
    public interface Remote<T> {
        T get() throws Exception;
    }

    /** The call's answer; its failure as an IOException with the cause's message. */
    public static <T> T read(Remote<T> remote) throws IOException {
        return read(null, remote);
    }

    /** As {@link #read(Remote)}; {@code what} ("reading the rollup failed"), when not null, goes before the cause's message. */
    public static <T> T read(String what, Remote<T> remote) throws IOException {
        try {
            return remote.get();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(what == null ? e.getMessage() : what + ": " + e.getMessage(), e);
        }
    }
}
