package dev.clearline.sequencer.cluster;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Puts the state {@code ./clearline take-up} rebuilt from L1 into a member's directory before the member starts
 * ({@code --take-up FILE}), where its service loads it in place of genesis ({@link SequencerService#takeUpFile}) at
 * every start without a snapshot of its own. The file is checked first: it must load, for this node's chain, rollup
 * and settings. Only a directory without a log of its own takes one up (a log there began elsewhere: replayed from the
 * taken-up state it would give other replies and roots), except the same file again, as a restart with the same flag.
 * A file placed for the first time must follow the last batch the rollup holds now: one taken before the old node (or
 * another proposer) posted more, or before a reorg or a dispute took batches away, would start a log whose batches
 * L1 refuses, after the node acknowledged orders on it. A single node is refused such a file; a member of a cluster is
 * only warned, since it may be joining members already running from that file, whose batches L1 then holds.
 */
public final class TakeUpStart {
    /** How many batches the rollup holds and the state root after the last of them (its tip), as read from L1 before a start. */
    public record L1Tip(long batches, Hash32 root) {}

    private TakeUpStart() {}

    /**
     * Null when the member's directory holds the take-up now; otherwise why not, with what to do. {@code tip}: the rollup's
     * tip now, or null when L1 did not answer (the check is then left to the poster, which halts on a batch that does not
     * follow); a file placed for the first time that does not end on it is refused.
     */
    public static String place(Path file, Path dir, Genesis genesis, L1Tip tip) {
        return place(file, dir, genesis, tip, false, w -> { });
    }

    /**
     * As {@link #place(Path, Path, Genesis, L1Tip)}; with {@code warnOnly} (a member of a cluster) a file that does not follow
     * L1's last batch is placed all the same and {@code warn} is told why.
     */
    public static String place(Path file, Path dir, Genesis genesis, L1Tip tip, boolean warnOnly, java.util.function.Consumer<String> warn) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return "cannot read --take-up " + file + " (" + e.getMessage() + "): give the file ./clearline take-up --out wrote";
        }
        long taken;
        Hash32 root;
        try {
            SequencerState s = Snapshot.read(bytes, genesis, new NativeSecp256k1Verifier());
            taken = s.sealedBatches();
            root = s.stateRoot();
            s.close();
        } catch (Snapshot.GenesisMismatch e) {
            return "--take-up " + file + " was taken up for another venue: " + e.finding() + "; write it again with ./clearline take-up"
                    + " against this node's --manifest (and the same --batch-seconds)";
        } catch (Snapshot.SnapshotException e) {
            return "--take-up " + file + " is not a state ./clearline take-up wrote (" + e.getMessage() + "): write it again";
        }
        Path target = SequencerService.takeUpFile(dir);
        try {
            if (Files.isRegularFile(target)) {
                if (Arrays.equals(Files.readAllBytes(target), bytes)) return null; // a restart with the same flag (its own batches may follow)
                return dir + " already took up another state (" + target + "): a take-up starts a new log, in an empty --dir";
            }
            if (tip != null && (tip.batches() != taken || !tip.root().equals(root))) {
                String behind = "--take-up " + file + " holds the state after " + taken + " batch(es)"
                        + (tip.batches() != taken ? ", but the rollup holds " + tip.batches() + " now" : " with root " + root + ", but the rollup's tip is " + tip.root())
                        + (tip.batches() > taken ? " (a proposer posted after it was taken: stop the old node's poster)"
                                : " (a reorg or a lost dispute took batches away since" + (tip.batches() == taken ? ", and another was posted in their place)" : ")"));
                if (!warnOnly) {
                    return behind + ": its batches would not follow L1's last; write it again with ./clearline take-up and start with the new file";
                }
                warn.accept(behind + ": right when this member joins members already running from it; otherwise stop them all and start"
                        + " each from a file written again with ./clearline take-up");
            }
            if (hasEntries(dir.resolve("archive")) || hasEntries(dir.resolve("cluster"))) {
                return dir + " holds a log of its own: a take-up starts a new log from the state L1 holds, in an empty --dir (keep this one:"
                        + " it holds what its log acknowledged)";
            }
            Path part = target.resolveSibling(target.getFileName() + ".part");
            Files.write(part, bytes);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return null;
        } catch (IOException e) {
            return "cannot place the take-up in " + dir + ": " + e.getMessage();
        }
    }

    private static boolean hasEntries(Path d) throws IOException {
        if (!Files.isDirectory(d)) return false;
        try (var entries = Files.list(d)) {
            return entries.findAny().isPresent();
        }
    }
}
