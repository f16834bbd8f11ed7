package dev.clearline.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Wallet;

/**
 * {@code --operator-keystore} and {@code --oracle-keystore}: the node's keys kept encrypted, opened with a password file
 * or {@code $CLEARLINE_KEYSTORE_PASSWORD} (a node asks nobody at a terminal); each fault names the file to fix and
 * never the key or the password.
 */
class KeystoreOptionTest {
    /** Hardhat's account 1, the devnet's operator. */
    private static final String OPERATOR = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private static final String PASSWORD = "an operator's long pass phrase";

    @TempDir
    Path dir;

    private Path keystore(String name, String password) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, new ObjectMapper().writeValueAsBytes(Wallet.createLight(password, Credentials.create(OPERATOR).getEcKeyPair())));
        return p;
    }

    private static String open(Path store, Path passwordFile, Map<String, String> env) {
        return SequencerMain.fromKeystore(store.toString(), "--operator-keystore", passwordFile == null ? null : passwordFile.toString(),
                "--operator-password-file", env);
    }

    @Test
    void theKeystoreOpensToItsKeyWithThePasswordFileOrTheEnvironment() throws Exception {
        Path store = keystore("operator.json", PASSWORD);
        Path pw = Files.writeString(dir.resolve("pw"), PASSWORD + "\r\n");
        assertThat(open(store, pw, Map.of())).isEqualTo(OPERATOR);
        assertThat(open(store, null, Map.of(SequencerMain.KEYSTORE_PASSWORD_ENV, PASSWORD))).isEqualTo(OPERATOR);
        // the file wins over the environment
        assertThat(open(store, pw, Map.of(SequencerMain.KEYSTORE_PASSWORD_ENV, "something else"))).isEqualTo(OPERATOR);
    }

    @Test
    void eachFaultNamesTheFileToFixAndNoSecret() throws Exception {
        Path store = keystore("operator.json", PASSWORD);
        Path wrong = Files.writeString(dir.resolve("wrong"), "not the operator's pass phrase\n");
        assertThatThrownBy(() -> open(store, wrong, Map.of())).hasMessageContaining("the password from --operator-password-file " + wrong)
                .hasMessageContaining("does not open --operator-keystore " + store).hasMessageNotContaining(OPERATOR)
                .hasMessageNotContaining("not the operator's pass phrase");
        assertThatThrownBy(() -> open(store, null, Map.of())).hasMessageContaining("needs its password, and a node asks no one")
                .hasMessageContaining("--operator-password-file FILE").hasMessageContaining(SequencerMain.KEYSTORE_PASSWORD_ENV);
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> open(missing, null, Map.of(SequencerMain.KEYSTORE_PASSWORD_ENV, PASSWORD)))
                .hasMessageContaining("--operator-keystore " + missing + " cannot be read (it does not exist)");
        assertThatThrownBy(() -> open(store, dir.resolve("no-pw"), Map.of()))
                .hasMessageContaining("--operator-password-file " + dir.resolve("no-pw") + " cannot be read (it does not exist)");
        Path keyFile = Files.writeString(dir.resolve("operator.key"), "0x" + OPERATOR + "\n");
        assertThatThrownBy(() -> open(keyFile, null, Map.of(SequencerMain.KEYSTORE_PASSWORD_ENV, PASSWORD)))
                .hasMessageContaining("is not an Ethereum V3 keystore").hasMessageContaining("keystore new FILE --import-key-file")
                .hasMessageNotContaining(OPERATOR);
        Path altered = Files.writeString(dir.resolve("altered.json"), Files.readString(store)
                .replace(Credentials.create(OPERATOR).getAddress().substring(2), "00000000000000000000000000000000000000aa"));
        assertThatThrownBy(() -> open(altered, null, Map.of(SequencerMain.KEYSTORE_PASSWORD_ENV, PASSWORD))).hasMessageContaining("was altered");
    }

    @Test
    void aKeystoreIsOneWayToGiveTheKeyNotASecondAndItsPasswordFileNeedsIt() throws Exception {
        assertThat(SequencerOptions.withValue()).contains("operator-keystore", "operator-password-file", "oracle-keystore", "oracle-password-file");
        Path store = keystore("oracle.json", PASSWORD);
        Path pw = Files.writeString(dir.resolve("pw"), PASSWORD);
        assertThat(SequencerMain.key(Map.of("oracle-keystore", store.toString(), "oracle-password-file", pw.toString()), "oracle-key",
                "CLEARLINE_ORACLE_KEY", Map.of())).isEqualTo(OPERATOR);
        assertThatThrownBy(() -> SequencerMain.key(Map.of("operator-keystore", store.toString(), "operator-key-file", "a.key"), "operator-key",
                "CLEARLINE_OPERATOR_KEY", Map.of())).hasMessageContaining("--operator-keystore and --operator-key-file give the same key twice");
        assertThatThrownBy(() -> SequencerMain.key(Map.of("operator-keystore", store.toString(), "operator-key", OPERATOR), "operator-key",
                "CLEARLINE_OPERATOR_KEY", Map.of())).hasMessageContaining("--operator-keystore and --operator-key give the same key twice");
        assertThatThrownBy(() -> SequencerMain.key(Map.of("operator-password-file", pw.toString()), "operator-key", "CLEARLINE_OPERATOR_KEY",
                Map.of())).hasMessageContaining("--operator-password-file opens --operator-keystore, and none is given");
        // without a keystore the other ways stand as they were: the environment last
        assertThat(SequencerMain.key(Map.of(), "operator-key", "CLEARLINE_OPERATOR_KEY", Map.of("CLEARLINE_OPERATOR_KEY", OPERATOR))).isEqualTo(OPERATOR);
        Path keyFile = Files.writeString(dir.resolve("k"), "0x" + OPERATOR + "\n");
        assertThat(SequencerMain.key(Map.of("operator-key-file", keyFile.toString()), "operator-key", "CLEARLINE_OPERATOR_KEY", Map.of()))
                .isEqualTo("0x" + OPERATOR);
    }
}
