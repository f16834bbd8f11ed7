package dev.clearline.sequencer.cluster;

import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.CredentialsSupplier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The secret a client presents to open a session with the cluster. The cluster's log is trusted
 * input (a gateway has checked each order's signature and worked out its signer and hash before it
 * sends it), so only the members' own gateways and backups may write to it: without a secret,
 * anyone who reaches a member's ingress port could put orders in the log in any trader's name.
 *
 * <p>Every member of a cluster reads the same secret ({@code --cluster-secret-file}); a single
 * member with no file makes one of its own at start, known only to its process (its gateway is in
 * the same JVM). The value never appears in logs or {@link #toString}: {@link #fingerprint} names
 * it so that operators can compare members.
 *
 * <p>A file may hold more than one secret, one per line: the member presents the first and admits
 * any. That is how a cluster changes its secret without stopping, one member restart at a time:
 * add the new secret as a second line everywhere, then make it the first, then drop the old one
 * (docs/replication.md). At each step every gateway presents a secret every member admits.
 */
public final class ClusterSecret {
    /** 32 bytes, written as 64 hex digits, like the node's private keys. */
    public static final int BYTES = 32;
    /** The most secrets one file may hold: the one in use and the ones a rotation moves between. */
    public static final int MAX_SECRETS = 4;

    private final byte[] value;
    /** Every secret admitted, {@link #value} first. */
    private final List<byte[]> admitted;

    private ClusterSecret(byte[] value, List<byte[]> alsoAdmitted) {
        this.value = value.clone();
        List<byte[]> all = new ArrayList<>();
        all.add(this.value);
        for (byte[] b : alsoAdmitted) all.add(b.clone());
        this.admitted = List.copyOf(all);
    }

    private ClusterSecret(byte[] value) {
        this(value, List.of());
    }

    /** This secret presented, and {@code other}'s secrets admitted besides (a rotation's middle steps). */
    public ClusterSecret alsoAdmitting(ClusterSecret other) {
        List<byte[]> more = new ArrayList<>(admitted.subList(1, admitted.size()));
        more.addAll(other.admitted);
        return new ClusterSecret(value, more);
    }

    /** How many secrets this admits (more than one during a rotation). */
    public int admittedCount() {
        return admitted.size();
    }

    /** A fresh secret from {@code random} (the single member's own, when no file is given). */
    public static ClusterSecret generate(SecureRandom random) {
        byte[] b = new byte[BYTES];
        random.nextBytes(b);
        return new ClusterSecret(b);
    }

    /** A secret written as 64 hex digits, with or without {@code 0x}; the error says what is wrong and what to do. */
    public static ClusterSecret parse(String text) {
        String hex = text.strip();
        if (hex.startsWith("0x") || hex.startsWith("0X")) hex = hex.substring(2);
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a cluster secret is " + 2 * BYTES + " hex digits, this one has " + hex.length()
                    + "; make one with: ./clearline sequencer --new-cluster-secret FILE (or openssl rand -hex " + BYTES + " > FILE)");
        }
        try {
            return new ClusterSecret(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a cluster secret is " + 2 * BYTES + " hex digits (0-9, a-f), this one is not; make one with:"
                    + " ./clearline sequencer --new-cluster-secret FILE (or openssl rand -hex " + BYTES + " > FILE)");
        }
    }

    /** The secret in {@code file}; the error names the file and what to put there. */
    public static ClusterSecret read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the cluster secret file " + file + " does not exist; make one with: ./clearline sequencer --new-cluster-secret "
                    + file + " (or openssl rand -hex " + BYTES + " > " + file + ") and give every member of the cluster the same file");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the cluster secret file " + file + " cannot be read (" + e.getMessage() + ")");
        }
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("the cluster secret file " + file + " holds no secret; put one in it: openssl rand -hex " + BYTES + " > " + file
                    + " (or remove it and run ./clearline sequencer --new-cluster-secret " + file + ")");
        }
        if (lines.size() > MAX_SECRETS) {
            throw new IllegalArgumentException("the cluster secret file " + file + " holds " + lines.size() + " secrets, at most " + MAX_SECRETS
                    + " are read (the first is presented, all are admitted): drop the ones a finished rotation left");
        }
        ClusterSecret out = null;
        for (int i = 0; i < lines.size(); i++) {
            ClusterSecret one;
            try {
                one = parse(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the cluster secret file " + file + (lines.size() > 1 ? ", secret " + (i + 1) : "") + ": " + e.getMessage());
            }
            out = out == null ? one : out.alsoAdmitting(one);
        }
        return out;
    }

    /**
     * Writes the secrets to {@code file} as {@link #read} takes them (the presented one first), in a new file (an
     * existing one is refused rather than overwritten) created readable by its owner only where the file system keeps
     * POSIX permissions: never, not even empty, open to others.
     */
    public void writeTo(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system: the directory's permissions guard it
        }
        StringBuilder text = new StringBuilder();
        for (byte[] b : admitted) text.append(HexFormat.of().formatHex(b)).append('\n');
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    /**
     * True when {@code presented} is a secret this admits; compared with each, in time that does not depend on where
     * they first differ nor on which one it is.
     */
    public boolean matches(byte[] presented) {
        if (presented == null) return false;
        boolean any = false;
        for (byte[] s : admitted) any |= MessageDigest.isEqual(s, presented);
        return any;
    }

    /** What a client presents when it connects (Aeron's credentials): the first secret. */
    public CredentialsSupplier credentials() {
        return new CredentialsSupplier() {
            @Override
            public byte[] encodedCredentials() {
                return value.clone();
            }

            @Override
            public byte[] onChallenge(byte[] challenge) {
                return value.clone(); // the cluster never challenges (SecretAuthenticator); if it did, the answer is the same secret
            }
        };
    }

    /** What the consensus module checks each new session with: one {@link SecretAuthenticator} per module. */
    public AuthenticatorSupplier authenticator() {
        return authenticator(new AtomicLong());
    }

    /** As above, each session refused for want of the secret counted in {@code refusals}. */
    public AuthenticatorSupplier authenticator(AtomicLong refusals) {
        return () -> new SecretAuthenticator(this, refusals);
    }

    /**
     * True when users other than the file's owner may read {@code file} (a secret file should be {@code rw-------}, as
     * ssh wants of a private key); false where the file system keeps no POSIX permissions.
     */
    public static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Eight hex digits of the presented secret's SHA-256: the same on every member given the same file, and no help in guessing
     * the secret. Logged at start so that a gateway refused by the cluster can be traced to a member with another file.
     */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value), 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ClusterSecret[fingerprint " + fingerprint() + (admitted.size() > 1 ? ", admits " + admitted.size() : "") + "]";
    }
}
