package dev.clearline.tree;

/** A version that was never committed or has been pruned was asked for. */
public final class UnknownVersionException extends IllegalArgumentException {
    public UnknownVersionException(long version, long oldest, long latest) {
        super("version " + version + " is not readable: this tree holds versions " + oldest + ".." + latest
                + (latest < 0 ? " (nothing committed yet)" : "") + "; ask for a retained version");
    }
}
