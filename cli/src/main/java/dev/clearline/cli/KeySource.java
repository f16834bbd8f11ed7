package dev.clearline.cli;

import dev.clearline.prover.l1.Keystores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;

/**
 * Where a user command's key comes from, one source at a time: {@code --key HEX} (quick on a devnet, but the key then
 * sits in the shell's history and in every process listing), {@code --key-file FILE} (the hex in a file), {@code
 * --keystore FILE} (an Ethereum V3 keystore: the key encrypted under a password, the JSON that geth, wallets and
 * {@code ./clearline keystore new} write), or {@code $CLEARLINE_KEY}. A keystore's password comes from {@code
 * --password-file}, else {@code $CLEARLINE_KEYSTORE_PASSWORD}, else is asked on the terminal. Every failure says which
 * source failed and how to fix it; none prints the key or the password.
 */
record KeySource(Credentials key, Path keyFile, Path keystore, Path passwordFile, String keyEnv, Map<String, String> env, PasswordPrompt prompt,
                 Consumer<String> warn) {
    /** The user commands' key in the environment (64 hex digits); the watcher reads its own, {@code CLEARLINE_WATCHER_KEY}. */
    static final String KEY_ENV = "CLEARLINE_KEY";
    static final String PASSWORD_ENV = "CLEARLINE_KEYSTORE_PASSWORD";

    /** Asks for a password where someone can type it; empty when nobody can (no terminal: a script, a pipe). */
    @FunctionalInterface
    interface PasswordPrompt {
        Optional<char[]> ask(String question);
    }

    /** Whether any source names a key (a command that can run without one, such as {@code status}, then shows that key's part). */
    boolean named() {
        return key != null || keyFile != null || keystore != null || present(env.get(keyEnv));
    }

    /** The key, from the one source given. */
    Credentials resolve() {
        List<String> given = new ArrayList<>();
        if (key != null) given.add("--key");
        if (keyFile != null) given.add("--key-file");
        if (keystore != null) given.add("--keystore");
        if (given.size() > 1) throw UserError.usage("give one key, not " + String.join(" and ", given) + ": which should sign?");
        if (passwordFile != null && keystore == null) {
            throw UserError.usage("--password-file opens a --keystore, and none is given; pass --keystore FILE with it");
        }
        if (key != null) return key;
        if (keyFile != null) return fromKeyFile();
        if (keystore != null) return fromKeystore();
        String hex = env.get(keyEnv);
        if (present(hex)) {
            try {
                return new Converters.PrivateKey().convert(hex);
            } catch (RuntimeException e) {
                throw new UserError("$" + keyEnv + ": " + e.getMessage());
            }
        }
        throw new UserError("no key: pass --keystore FILE (an encrypted key: ./clearline keystore new FILE makes one), --key-file FILE"
                + " (64 hex digits in a file)" + (keyEnv.equals(KEY_ENV) ? ", --key 0x..." : "") + " or set " + keyEnv
                + "; `./clearline up` prints a funded devnet key");
    }

    private Credentials fromKeyFile() {
        String hex = read(keyFile, "--key-file", "a file holding the key as 64 hex digits");
        warnIfOthersMayRead(keyFile, "--key-file");
        try {
            return new Converters.PrivateKey().convert(hex);
        } catch (RuntimeException e) {
            throw new UserError("--key-file " + keyFile + ": " + e.getMessage());
        }
    }

    private Credentials fromKeystore() {
        String json = read(keystore, "--keystore", "an Ethereum V3 keystore (JSON; ./clearline keystore new FILE makes one)");
        char[] password = null;
        try {
            Keystores.Keystore k = Keystores.parse(json); // the file first: nobody is asked a password for what is no keystore
            password = password();
            return k.open(password);
        } catch (Keystores.Refused e) {
            throw new UserError(switch (e.fault()) {
                case NOT_JSON -> "--keystore " + keystore + " is not JSON (" + e.getMessage() + "); give the keystore file a wallet exported"
                        + " (an Ethereum V3 keystore), or make one with ./clearline keystore new FILE";
                case NOT_A_KEYSTORE -> "--keystore " + keystore + " is JSON but not an Ethereum V3 keystore (" + e.getMessage() + "); give"
                        + " the keystore file itself, or make one with ./clearline keystore new FILE";
                case WRONG_PASSWORD -> "the password does not open --keystore " + keystore + " (the keystore's checksum does not match);"
                        + " give the password it was written with (" + passwordSource() + ")";
                case UNSUPPORTED -> "--keystore " + keystore + " is a keystore this command cannot read (" + e.getMessage() + "); a V3"
                        + " keystore with the aes-128-ctr cipher and the scrypt or pbkdf2 key derivation is what it takes";
                case ALTERED -> "--keystore " + keystore + " " + e.getMessage() + ": the file was altered; use the keystore as it was written";
            }, e);
        } finally {
            if (password != null) java.util.Arrays.fill(password, '\0');
        }
    }

    private char[] password() {
        if (passwordFile != null) {
            String p = read(passwordFile, "--password-file", "a file whose first line is the keystore's password");
            warnIfOthersMayRead(passwordFile, "--password-file");
            return Keystores.firstLine(p).toCharArray();
        }
        String env = this.env.get(PASSWORD_ENV);
        if (env != null) return env.toCharArray();
        return prompt.ask("Password for " + keystore + ": ").orElseThrow(() -> new UserError("--keystore " + keystore + " needs its password,"
                + " and there is no terminal to ask on: give --password-file FILE or set " + PASSWORD_ENV));
    }

    private String passwordSource() {
        if (passwordFile != null) return "the first line of --password-file " + passwordFile;
        if (env.get(PASSWORD_ENV) != null) return "$" + PASSWORD_ENV;
        return "typed when asked";
    }

    /** The file's text, or a UserError naming the option, the file and what it should hold. */
    static String read(Path file, String option, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            throw new UserError("cannot read " + option + " " + file + " (" + IoProblem.describe(e) + "); give " + what, e);
        }
    }

    /** A secret in a file others may read is as good as theirs: say so, once, on stderr (the command still runs). */
    private void warnIfOthersMayRead(Path file, String option) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                warn.accept("warning: " + option + " " + file + " can be read by other users of this machine; chmod 600 " + file);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // a file system without POSIX permissions: nothing to say
        }
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
