package dev.clearline.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./clearline keystore new FILE}: a key kept encrypted under a password, in the Ethereum V3 keystore format that
 * wallets and nodes read and write (scrypt with n = 2^18, r = 8, p = 1, then aes-128-ctr, as geth's standard), so that
 * no user command needs the key in plain text: they take {@code --keystore FILE}. The key is new, drawn from the
 * machine's secure random source, or, with {@code --import-key-file}, one the user already holds.
 */
@Command(name = "keystore", mixinStandardHelpOptions = true, description = "Keys kept encrypted under a password (Ethereum V3 keystores).",
        subcommands = {KeystoreCommand.New.class})
final class KeystoreCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw UserError.usage("say what to do: ./clearline keystore new FILE (a new key, encrypted under a password you choose)");
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = {"Writes a new key (or, with --import-key-file, the key in that file) to FILE as an Ethereum V3 keystore, encrypted"
                    + " under a password: typed twice at the terminal, or the first line of --password-file, or $" + KeySource.PASSWORD_ENV + ".",
                    "The file is created readable by you alone and never overwrites one that exists. Every user command then takes --keystore FILE."})
    static final class New implements Callable<Integer> {
        private final PrintWriter out;
        private final Map<String, String> env;
        private final KeySource.PasswordPrompt prompt;
        private final SecureRandom random;

        @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the keystore (a new file).")
        Path file;

        @Option(names = "--password-file", paramLabel = "FILE", description = "The password to encrypt with: the file's first line.")
        Path passwordFile;

        @Option(names = "--import-key-file", paramLabel = "FILE", description = "Encrypt the key in this file (64 hex digits) instead of a new one.")
        Path importKeyFile;

        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        New(PrintWriter out, Map<String, String> env, KeySource.PasswordPrompt prompt, SecureRandom random) {
            this.out = out;
            this.env = env;
            this.prompt = prompt;
            this.random = random;
        }

        @Override
        public Integer call() {
            if (Files.exists(file)) {
                throw new UserError(file + " exists; a keystore is never written over (the key in it would be lost): give a new file name");
            }
            ECKeyPair pair = importKeyFile != null ? imported() : fresh();
            char[] password = password();
            WalletFile wallet;
            try {
                wallet = Wallet.createStandard(new String(password), pair);
            } catch (CipherException e) {
                throw new UserError("cannot encrypt the key (" + e.getMessage() + ")", e);
            } finally {
                Arrays.fill(password, '\0');
            }
            byte[] bytes;
            try {
                bytes = UserOptions.JSON.writeValueAsBytes(wallet);
            } catch (IOException e) {
                throw new UserError("cannot write the keystore's JSON (" + e.getMessage() + ")", e);
            }
            write(bytes);
            String address = Keys.toChecksumAddress(Keys.getAddress(pair));
            String text = "Wrote " + file + ": the key of " + address + ", encrypted under your password (scrypt, then aes-128-ctr; readable by you"
                    + " alone). Every user command takes it as --keystore " + file + "; keep a copy and the password apart: without both the"
                    + " key is lost.";
            out.println(json ? UserOptions.JSON.createObjectNode().put("keystore", file.toString()).put("address", address).toString() : text);
            out.flush();
            return 0;
        }

        private ECKeyPair fresh() {
            byte[] k = new byte[32];
            java.math.BigInteger n = org.web3j.crypto.Sign.CURVE_PARAMS.getN();
            java.math.BigInteger d;
            do {
                random.nextBytes(k);
                d = new java.math.BigInteger(1, k);
            } while (d.signum() == 0 || d.compareTo(n) >= 0); // below the curve order, as a key must be (all but ~2^-128 of draws)
            Arrays.fill(k, (byte) 0);
            return ECKeyPair.create(d);
        }

        private ECKeyPair imported() {
            String hex = KeySource.read(importKeyFile, "--import-key-file", "a file holding the key as 64 hex digits");
            try {
                Credentials c = new Converters.PrivateKey().convert(hex);
                return c.getEcKeyPair();
            } catch (RuntimeException e) {
                throw new UserError("--import-key-file " + importKeyFile + ": " + e.getMessage());
            }
        }

        private char[] password() {
            if (passwordFile != null) {
                String text = KeySource.read(passwordFile, "--password-file", "a file whose first line is the password");
                return nonEmpty(dev.clearline.prover.l1.Keystores.firstLine(text).toCharArray(), "the first line of --password-file " + passwordFile);
            }
            String fromEnv = env.get(KeySource.PASSWORD_ENV);
            if (fromEnv != null) return nonEmpty(fromEnv.toCharArray(), "$" + KeySource.PASSWORD_ENV);
            Optional<char[]> first = prompt.ask("Password for the new keystore: ");
            if (first.isEmpty()) {
                throw new UserError("a keystore needs a password, and there is no terminal to ask on: give --password-file FILE or set "
                        + KeySource.PASSWORD_ENV);
            }
            char[] again = prompt.ask("The same password again: ").orElse(new char[0]);
            boolean same = Arrays.equals(first.get(), again);
            Arrays.fill(again, '\0');
            if (!same) {
                Arrays.fill(first.get(), '\0');
                throw new UserError("the two passwords differ; nothing was written: run it again");
            }
            return nonEmpty(first.get(), "the password typed");
        }

        private static char[] nonEmpty(char[] password, String from) {
            if (password.length == 0) throw UserError.usage(from + " is empty: a keystore under no password protects nothing; choose one");
            return password;
        }

        /** Created with owner-only permissions from the start (no moment at which others could read it), never over an existing file. */
        private void write(byte[] bytes) {
            try {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file); // a file system without POSIX permissions
                }
                try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    o.write(bytes);
                }
            } catch (FileAlreadyExistsException e) {
                throw new UserError(file + " exists; a keystore is never written over (the key in it would be lost): give a new file name", e);
            } catch (IOException | SecurityException e) {
                throw new UserError("cannot write " + file + " (" + IoProblem.describe(e) + ")", e);
            }
        }
    }
}
