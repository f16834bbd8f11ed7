package dev.clearline.devnet.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which chain a data directory holds. Its blocks, signatures and receipts are only valid for the
 * chain id they were made under, so reopening it as another chain would silently mix two chains:
 * the directory records its chain id on first use and refuses any other afterwards.
 */
final class DataDirIdentity {
    static final String FILE = "devnet.json";
    private static final Pattern CHAIN_ID = Pattern.compile("\"chainId\"\\s*:\\s*(\\d+)");

    private DataDirIdentity() {}

    static void claim(Path dir, long chainId) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Matcher m = CHAIN_ID.matcher(text);
                if (!m.find()) {
                    throw new IllegalStateException(file + " does not say which chain id this data directory holds; "
                            + "restore it as {\"chainId\": N} or delete the data directory to start a fresh chain");
                }
                long recorded = Long.parseLong(m.group(1));
                if (recorded != chainId) {
                    throw new IllegalArgumentException("the data directory " + dir + " holds chain id " + recorded
                            + ", not " + chainId + "; start with --chain-id " + recorded
                            + ", or use another --data-dir for chain " + chainId);
                }
                return;
            }
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, "{\"chainId\": " + chainId + "}\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or record the chain id of the data directory " + dir, e);
        }
    }
}
