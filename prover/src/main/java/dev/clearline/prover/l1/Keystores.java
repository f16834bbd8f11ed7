package dev.clearline.prover.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;
import org.web3j.crypto.exception.CipherException;

/**
 * Ethereum V3 keystores (the key encrypted under a password: scrypt or pbkdf2, then aes-128-ctr, with a MAC over the
 * ciphertext), as wallets, geth and {@code ./clearline keystore new} write them, opened for whoever signs: a trader's
 * command, the watcher, the sequencer's operator and oracle keys. web3j decrypts; this class tells apart what can be
 * wrong, so that each caller can say which of its files or passwords to fix.
 */
public final class Keystores {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Keystores() {}

    /** What kept a keystore from opening. */
    public enum Fault {
        /** The file is not JSON. */
        NOT_JSON,
        /** JSON without the keystore's {@code crypto} part. */
        NOT_A_KEYSTORE,
        /** The password derives a key whose MAC does not match the ciphertext's. */
        WRONG_PASSWORD,
        /** A keystore of a version, cipher or key derivation this reader does not take, or with fields missing. */
        UNSUPPORTED,
        /** It decrypts, but not to the address written beside the ciphertext: someone edited the file. */
        ALTERED
    }

    /** A keystore that did not open, and why; the message never holds the key or the password. */
    public static final class Refused extends Exception {
        private final Fault fault;

        Refused(Fault fault, String detail, Throwable cause) {
            super(detail, cause);
            this.fault = fault;
        }

        public Fault fault() {
            return fault;
        }
    }

    /**
     * A keystore read and recognised, not yet opened: a caller checks the file before it asks anyone for the password.
     *
     * @param address the address written beside the ciphertext (40 hex digits, no 0x), or null when it has none
     */
    public record Keystore(String json, String address) {
        /** The key, decrypted with {@code password}. */
        public Credentials open(char[] password) throws Refused {
            Credentials c;
            try {
                c = WalletUtils.loadJsonCredentials(new String(password), json);
            } catch (CipherException e) {
                String why = String.valueOf(e.getMessage());
                throw new Refused(why.contains("Invalid password") ? Fault.WRONG_PASSWORD : Fault.UNSUPPORTED, why, e);
            } catch (IOException | RuntimeException e) {
                throw new Refused(Fault.UNSUPPORTED, firstLine(e), e);
            }
            if (address != null && !address.equalsIgnoreCase(c.getAddress().substring(2))) {
                throw new Refused(Fault.ALTERED, "says it holds the key of 0x" + address + " but decrypts to " + c.getAddress(), null);
            }
            return c;
        }
    }

    /** {@code json} as a keystore, or why it is none. */
    public static Keystore parse(String json) throws Refused {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new Refused(Fault.NOT_JSON, firstLine(e), e);
        }
        if (root == null || !root.isObject() || !root.has("crypto") && !root.has("Crypto")) {
            throw new Refused(Fault.NOT_A_KEYSTORE, "it has no \"crypto\" part", null);
        }
        String a = root.path("address").asText("");
        if (a.startsWith("0x") || a.startsWith("0X")) a = a.substring(2);
        return new Keystore(json, a.matches("[0-9a-fA-F]{40}") ? a : null);
    }

    /** A password file's password: its first line without the line end (spaces count, at its ends too). */
    public static String firstLine(String text) {
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
