package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.state.RulesVersion;
import org.agrona.SemanticVersion;

/**
 * The rules version ({@link RulesVersion}) carried as Aeron's app version, which the leader's consensus module
 * writes into every term's first log entry and every snapshot: in its minor part, the major part kept at 0.
 * Aeron itself stops a member whose major part differs from the log's, before our service could say why; and a
 * log or snapshot from a build before the rules were versioned carries Aeron's default 0.0.1, whose minor part
 * reads as {@link RulesVersion#UNVERSIONED}.
 */
final class AppVersion {
    private AppVersion() {}

    /** The app version a member applying {@code rules} runs with. */
    static int of(int rules) {
        return SemanticVersion.compose(0, rules, 0);
    }

    /** The rules an app version from the log names. */
    static int rules(int appVersion) {
        return SemanticVersion.minor(appVersion);
    }
}
