package dev.clearline.prover.replay;

/** A verdict as one line of text: {@code honest postRoot=...} or {@code fraud:<kind> ...}. */
public final class VerdictText {
    private VerdictText() {}

    public static String of(Verdict v) {
        return switch (v) {
            case Verdict.Honest h -> "honest postRoot=" + h.postRoot();
            case Verdict.WrongPrevRoot w -> "fraud:wrong-prev-root claimed=" + w.claimed() + " actual=" + w.actual();
            case Verdict.Undecodable u -> "fraud:undecodable step=" + u.step() + " offset=" + u.offset() + " reason=\"" + u.reason() + "\"";
            case Verdict.HeaderMismatch m -> "fraud:header-mismatch field=" + m.field() + " claimed=" + m.claimed() + " actual=" + m.actual();
            case Verdict.RejectedStep r -> "fraud:refused-step step=" + r.step() + " reject=" + r.reason();
            case Verdict.WrongPostRoot w -> "fraud:wrong-post-root claimed=" + w.claimed() + " actual=" + w.actual();
        };
    }
}
