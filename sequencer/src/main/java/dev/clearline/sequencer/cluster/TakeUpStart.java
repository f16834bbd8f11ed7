package dev.clearline.sequencer.cluster;

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
 */
public final class TakeUpStart {
    private TakeUpStart() {}

    /** Null when the member's directory holds the take-up now; otherwise why not, with what to do. */
    public static String place(Path file, Path dir, Genesis genesis) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return "cannot read --take-up " + file + " (" + e.getMessage() + "): give the file ./clearline take-up --out wrote";
        }
        try {
            SequencerState s = Snapshot.read(bytes, genesis, new NativeSecp256k1Verifier());
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
                if (Arrays.equals(Files.readAllBytes(target), bytes)) return null; // a restart with the same flag
                return dir + " already took up another state (" + target + "): a take-up starts a new log, in an empty --dir";
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
