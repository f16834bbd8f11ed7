package dev.clearline.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Option;

/**
 * The options that name a key kept off the command line, the same on every command that signs: {@code --keystore} with its
 * {@code --password-file}, and {@code --key-file}. Where the key comes from is {@link KeySource}'s to decide.
 */
final class KeyFileOptions {
    @Option(names = "--key-file", paramLabel = "FILE", description = "A file holding the private key as 64 hex digits (0x optional).")
    Path keyFile;

    @Option(names = "--keystore", paramLabel = "FILE", description = "The key in an Ethereum V3 keystore (encrypted JSON, as wallets export it;"
            + " ./clearline keystore new FILE makes one). Its password: --password-file, else $" + KeySource.PASSWORD_ENV + ", else asked on the terminal.")
    Path keystore;

    @Option(names = "--password-file", paramLabel = "FILE", description = "The --keystore's password: the file's first line.")
    Path passwordFile;

    /** Whether any of these options was given. */
    boolean given() {
        return keyFile != null || keystore != null || passwordFile != null;
    }

    /** The key sources these options and {@code key} (a command's {@code --key}, or null) name, {@code keyEnv} the last. */
    KeySource source(Credentials key, String keyEnv, Map<String, String> env, Consumer<String> warn) {
        return new KeySource(key, keyFile, keystore, passwordFile, keyEnv, env, Terminal::askPassword, warn);
    }
}
