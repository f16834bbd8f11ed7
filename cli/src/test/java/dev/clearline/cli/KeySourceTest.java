package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Wallet;

/**
 * Where a user command's key comes from ({@link KeySource}) and how {@code ./clearline keystore new} writes one
 * ({@link KeystoreCommand.New}): each source gives exactly its key, a keystore opens only under its password, and every
 * failure names its source and what to do, never the key or the password.
 */
class KeySourceTest {
    /** A devnet key everyone knows (Hardhat's account 2), so a failure message that leaked it would be seen. */
    private static final String HEX = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    private static final String ADDRESS = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static final KeySource.PasswordPrompt NO_TERMINAL = q -> Optional.empty();

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private KeySource source(Path keyFile, Path keystore, Path passwordFile, Map<String, String> env, KeySource.PasswordPrompt prompt) {
        return new KeySource(null, keyFile, keystore, passwordFile, KeySource.KEY_ENV, env, prompt, warnings::add);
    }

    private Path file(String name, String content, String permissions) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        return p;
    }

    /** Neither the key nor the password in a message (a short password could be any word of it, so only long ones are looked for). */
    private static void noSecretIn(Throwable e, String password) {
        assertThat(e.getMessage()).doesNotContain(HEX);
        if (password.length() >= 8) assertThat(e.getMessage()).doesNotContain(password);
    }

    // ---- key files and the environment ----

    @Test
    void aKeyFileGivesItsKeyWithOrWithoutPrefixAndLineEnd() {
        Property.forAll(Gens.elements("", "0x", "0X"), Gens.elements("", "\n", "\r\n", "  \n\n")).check((prefix, end) -> {
            Path f = file("key", prefix + HEX + end, "rw-------");
            assertThat(source(f, null, null, Map.of(), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);
        });
        assertThat(warnings).isEmpty();
    }

    @Test
    void aKeyFileOthersMayReadIsUsedWithAWarningThatSaysHowToFixIt() throws Exception {
        for (String perms : new String[] {"rw-r-----", "rw----r--"}) {
            warnings.clear();
            Path f = file("key-" + perms, HEX, perms);
            assertThat(source(f, null, null, Map.of(), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);
            assertThat(warnings).singleElement().asString().contains("can be read by other users", "chmod 600 " + f).doesNotContain(HEX);
        }
    }

    @Test
    void aKeyFileThatIsMissingOrHoldsNoKeySaysWhich() throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> source(missing, null, null, Map.of(), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("cannot read --key-file " + missing).hasMessageContaining("does not exist");
        Path shortKey = file("short", HEX.substring(2), "rw-------");
        assertThatThrownBy(() -> source(shortKey, null, null, Map.of(), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("--key-file " + shortKey).hasMessageContaining("62 hex digits");
    }

    @Test
    void theEnvironmentIsTheLastSourceAndOneSourceIsAllACommandTakes() throws Exception {
        KeySource env = source(null, null, null, Map.of(KeySource.KEY_ENV, HEX), NO_TERMINAL);
        assertThat(env.named()).isTrue();
        assertThat(env.resolve().getAddress()).isEqualTo(ADDRESS);
        assertThat(source(null, null, null, Map.of(KeySource.KEY_ENV, "  "), NO_TERMINAL).named()).isFalse();
        assertThatThrownBy(() -> source(null, null, null, Map.of(), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("no key").hasMessageContaining("--keystore FILE").hasMessageContaining("keystore new")
                .hasMessageContaining("--key 0x...");
        // the watcher takes no --key (its key never goes on the command line), and reads an environment variable of its own
        assertThatThrownBy(() -> new KeySource(null, null, null, null, WatchCommand.KEY_ENV, Map.of(KeySource.KEY_ENV, HEX), NO_TERMINAL,
                warnings::add).resolve()).isInstanceOf(UserError.class).hasMessageContaining("or set " + WatchCommand.KEY_ENV)
                .hasMessageNotContaining("--key 0x");

        Path f = file("key", HEX, "rw-------");
        Path ks = dir.resolve("ks.json");
        assertThatThrownBy(() -> new KeySource(Credentials.create(HEX), f, null, null, KeySource.KEY_ENV, Map.of(), NO_TERMINAL, warnings::add).resolve())
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.isUsage()).isTrue()).hasMessageContaining("not --key and --key-file");
        assertThatThrownBy(() -> source(f, ks, null, Map.of(), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("--key-file and --keystore");
        assertThatThrownBy(() -> source(f, null, f, Map.of(), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("--password-file opens a --keystore");
        // a key file wins over the environment: the command line names what the user meant
        Path other = file("other", "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "rw-------");
        assertThat(source(other, null, null, Map.of(KeySource.KEY_ENV, HEX), NO_TERMINAL).resolve().getAddress()).isNotEqualTo(ADDRESS);
    }

    @Test
    void aKeyOnTheCommandLineIsTheKeyUsed() {
        Credentials given = Credentials.create(HEX);
        KeySource s = new KeySource(given, null, null, null, KeySource.KEY_ENV, Map.of(KeySource.KEY_ENV, "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
                NO_TERMINAL, warnings::add);
        assertThat(s.named()).isTrue();
        assertThat(s.resolve()).isSameAs(given);
    }

    @Test
    void aPasswordFileOthersMayReadOpensTheKeystoreWithAWarning() throws Exception {
        Path ks = lightKeystore("pw");
        Path pw = file("pw", "pw", "rw-r--r--");
        assertThat(source(null, ks, pw, Map.of(), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);
        assertThat(warnings).singleElement().asString().contains("--password-file " + pw, "chmod 600");
    }

    @Test
    void aPasswordFileGivesItsFirstLineExactly() {
        Property.forAll(Gens.strings(0, 24).filter(s -> s.indexOf('\n') < 0 && !s.endsWith("\r")), Gens.elements("", "\n", "\r\n", "\nsecond line\n"))
                .check((password, rest) -> assertThat(dev.clearline.prover.l1.Keystores.firstLine(password + rest)).isEqualTo(password));
    }

    // ---- keystores ----

    /** A light keystore (scrypt n = 2^12) of the known key: quick to open, the same format as a standard one. */
    private Path lightKeystore(String password) throws Exception {
        Path p = dir.resolve("light-" + Integer.toHexString(password.hashCode()) + ".json");
        Files.write(p, UserOptions.JSON.writeValueAsBytes(Wallet.createLight(password, Credentials.create(HEX).getEcKeyPair())));
        return p;
    }

    @Test
    void aKeystoreOpensUnderItsPasswordFromAFileTheEnvironmentOrTheTerminal() throws Exception {
        String password = "tr0ub4dor & 3 ";  // spaces count, at its end too
        Path ks = lightKeystore(password);
        Path pw = file("pw", password + "\n", "rw-------");
        assertThat(source(null, ks, pw, Map.of(), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);
        assertThat(source(null, ks, null, Map.of(KeySource.PASSWORD_ENV, password), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);
        List<String> asked = new ArrayList<>();
        KeySource.PasswordPrompt typist = q -> {
            asked.add(q);
            return Optional.of(password.toCharArray());
        };
        assertThat(source(null, ks, null, Map.of(), typist).resolve().getAddress()).isEqualTo(ADDRESS);
        assertThat(asked).containsExactly("Password for " + ks + ": ");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aWrongPasswordOpensNothingAndSaysWhereThePasswordCameFrom() throws Exception {
        Path ks = lightKeystore("right");
        Property.forAll(Gens.strings(0, 16).filter(s -> !s.equals("right") && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)).tries(20).check(wrong -> {
            Path pw = file("pw", wrong, "rw-------");
            assertThatThrownBy(() -> source(null, ks, pw, Map.of(), NO_TERMINAL).resolve())
                    .isInstanceOf(UserError.class).hasMessageContaining("the password does not open --keystore " + ks)
                    .hasMessageContaining("--password-file " + pw)
                    .satisfies(e -> noSecretIn(e, wrong));
        });
        assertThatThrownBy(() -> source(null, ks, null, Map.of(KeySource.PASSWORD_ENV, "wrong"), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("$" + KeySource.PASSWORD_ENV);
        assertThatThrownBy(() -> source(null, ks, null, Map.of(), q -> Optional.of("wrong".toCharArray())).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("typed when asked");
    }

    @Test
    void withoutAPasswordOrATerminalTheCommandSaysHowToGiveOne() throws Exception {
        Path ks = lightKeystore("right");
        assertThatThrownBy(() -> source(null, ks, null, Map.of(), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("no terminal to ask on")
                .hasMessageContaining("--password-file FILE").hasMessageContaining(KeySource.PASSWORD_ENV);
    }

    @Test
    void whatIsNotAKeystoreOrWasAlteredIsRefusedWithTheReason() throws Exception {
        Path notJson = file("a.json", "not json", "rw-------");
        List<String> asked = new ArrayList<>();
        KeySource.PasswordPrompt typist = q -> {
            asked.add(q);
            return Optional.of("x".toCharArray());
        };
        assertThatThrownBy(() -> source(null, notJson, null, Map.of(), typist).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("is not JSON");
        assertThat(asked).as("nobody is asked a password for a file that is no keystore").isEmpty();
        Path other = file("b.json", "{\"address\": \"" + ADDRESS + "\"}", "rw-------");
        assertThatThrownBy(() -> source(null, other, null, Map.of(KeySource.PASSWORD_ENV, "x"), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("not an Ethereum V3 keystore").hasMessageContaining("\"crypto\"");
        // the address beside the ciphertext no longer the key's: someone edited the file
        String json = Files.readString(lightKeystore("pw"));
        Path altered = file("c.json", json.replace(ADDRESS.substring(2), "00000000000000000000000000000000000000aa"), "rw-------");
        assertThatThrownBy(() -> source(null, altered, null, Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("was altered").hasMessageContaining(ADDRESS);
        // a cipher this reader does not know
        Path unknown = file("d.json", json.replace("aes-128-ctr", "aes-256-gcm"), "rw-------");
        assertThatThrownBy(() -> source(null, unknown, null, Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL).resolve())
                .isInstanceOf(UserError.class).hasMessageContaining("cannot read").hasMessageContaining("aes-128-ctr");
    }

    /** Written by ethers 6.17.0's {@code Wallet.encrypt} (scrypt n = 2^17, "Crypto" capitalised), as a browser wallet would export it. */
    @Test
    void aKeystoreEthersWroteOpensToItsKey() throws Exception {
        Path ks = dir.resolve("ethers.json");
        try (InputStream in = getClass().getResourceAsStream("/keystores/ethers-6.17-scrypt.json")) {
            Files.write(ks, in.readAllBytes());
        }
        Credentials c = source(null, ks, null, Map.of(KeySource.PASSWORD_ENV, "correct horse battery staple"), NO_TERMINAL).resolve();
        assertThat(c.getAddress()).isEqualTo("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
        assertThat(c.getEcKeyPair().getPrivateKey().toString(16)).isEqualTo("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    }

    // ---- keystore new ----

    private record Made(int code, String out) {}

    private Made keystoreNew(Map<String, String> env, KeySource.PasswordPrompt prompt, SecureRandom random, String... args) {
        StringWriter out = new StringWriter();
        KeystoreCommand.New cmd = new KeystoreCommand.New(new PrintWriter(out, true), env, prompt, random);
        new picocli.CommandLine(cmd).parseArgs(args);
        int code = cmd.call();
        return new Made(code, out.toString());
    }

    @Test
    void keystoreNewWritesAnOwnerOnlyStandardKeystoreThatOpensToTheKeyItReports() throws Exception {
        Path ks = dir.resolve("sub/mine.json");
        Path pw = file("pw", "s3cret\n", "rw-------");
        Made made = keystoreNew(Map.of(), NO_TERMINAL, new SecureRandom(), ks.toString(), "--password-file", pw.toString(), "--json");
        assertThat(made.code()).isZero();
        String address = UserOptions.JSON.readTree(made.out()).path("address").asText();
        assertThat(Files.getPosixFilePermissions(ks)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        var json = UserOptions.JSON.readTree(ks.toFile());
        assertThat(json.path("version").asInt()).isEqualTo(3);
        assertThat(json.path("crypto").path("kdf").asText()).isEqualTo("scrypt");
        assertThat(json.path("crypto").path("kdfparams").path("n").asInt()).as("geth's standard scrypt cost").isEqualTo(1 << 18);
        Credentials opened = source(null, ks, pw, Map.of(), NO_TERMINAL).resolve();
        assertThat(opened.getAddress()).isEqualToIgnoringCase(address);
        // and never over an existing file: the key in it would be lost
        String before = Files.readString(ks);
        assertThatThrownBy(() -> keystoreNew(Map.of(), NO_TERMINAL, new SecureRandom(), ks.toString(), "--password-file", pw.toString()))
                .isInstanceOf(UserError.class).hasMessageContaining("never written over");
        assertThat(Files.readString(ks)).isEqualTo(before);
    }

    @Test
    void keystoreNewDrawsItsKeyFromTheRandomItIsGivenOrImportsOne() throws Exception {
        byte[] drawn = HexFormat.of().parseHex(HEX);
        SecureRandom fixed = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(drawn, 0, bytes, 0, bytes.length);
            }
        };
        Path a = dir.resolve("a.json");
        assertThat(keystoreNew(Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL, fixed, a.toString()).out())
                .contains("the key of " + org.web3j.crypto.Keys.toChecksumAddress(ADDRESS), "--keystore " + a).doesNotContain(HEX);
        assertThat(source(null, a, null, Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);

        // a draw of 0 or of the curve order n or more is no key: drawn again
        byte[] order = org.web3j.crypto.Sign.CURVE_PARAMS.getN().toByteArray();
        Deque<byte[]> draws = new ArrayDeque<>(List.of(new byte[32], java.util.Arrays.copyOfRange(order, order.length - 32, order.length), drawn));
        SecureRandom rejecting = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(draws.removeFirst(), 0, bytes, 0, bytes.length);
            }
        };
        Path c = dir.resolve("c.json");
        keystoreNew(Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL, rejecting, c.toString());
        assertThat(draws).isEmpty();
        assertThat(source(null, c, null, Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL).resolve().getAddress()).isEqualTo(ADDRESS);

        Path keyFile = file("key", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n", "rw-------");
        Path b = dir.resolve("b.json");
        keystoreNew(Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL, fixed, b.toString(), "--import-key-file", keyFile.toString());
        assertThat(source(null, b, null, Map.of(KeySource.PASSWORD_ENV, "pw"), NO_TERMINAL).resolve().getAddress())
                .isEqualTo("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    }

    @Test
    void keystoreNewAsksTwiceAndWritesNothingWhenTheAnswersDifferOrThereIsNoPassword() throws Exception {
        Path ks = dir.resolve("k.json");
        Deque<String> answers = new ArrayDeque<>(List.of("the first answer", "the second answer"));
        KeySource.PasswordPrompt typist = q -> Optional.of(answers.removeFirst().toCharArray());
        assertThatThrownBy(() -> keystoreNew(Map.of(), typist, new SecureRandom(), ks.toString()))
                .isInstanceOf(UserError.class).hasMessageContaining("the two passwords differ").satisfies(e -> noSecretIn(e, "the first answer"));
        assertThat(ks).doesNotExist();
        assertThatThrownBy(() -> keystoreNew(Map.of(), NO_TERMINAL, new SecureRandom(), ks.toString()))
                .isInstanceOf(UserError.class).hasMessageContaining("no terminal to ask on");
        assertThatThrownBy(() -> keystoreNew(Map.of(KeySource.PASSWORD_ENV, ""), NO_TERMINAL, new SecureRandom(), ks.toString()))
                .isInstanceOf(UserError.class).hasMessageContaining("is empty");
        assertThat(ks).doesNotExist();
        Deque<String> same = new ArrayDeque<>(List.of("same", "same"));
        keystoreNew(Map.of(), q -> Optional.of(same.removeFirst().toCharArray()), new SecureRandom(), ks.toString());
        assertThat(ks).exists();
    }
}
