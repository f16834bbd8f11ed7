package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The secret the cluster admits client sessions with: what it matches, how it is read and written, what it never shows. */
class ClusterSecretProperties {
    @TempDir
    Path dir;

    @Test
    void aSecretMatchesExactlyItsOwnBytes() {
        Property.forAll(Gens.bytes(ClusterSecret.BYTES), Gens.bytes(0, 2 * ClusterSecret.BYTES)).tries(500).check((bytes, other) -> {
            ClusterSecret s = ClusterSecret.parse(HexFormat.of().formatHex(bytes));
            assertThat(s.matches(bytes.clone())).isTrue();
            assertThat(s.matches(other)).as("other bytes").isEqualTo(Arrays.equals(bytes, other));
            assertThat(s.matches(null)).isFalse();
            assertThat(s.matches(new byte[0])).isFalse();
            assertThat(s.matches(Arrays.copyOf(bytes, bytes.length - 1))).as("a prefix").isFalse();
            assertThat(s.matches(Arrays.copyOf(bytes, bytes.length + 1))).as("an extension").isFalse();
            for (int i = 0; i < bytes.length; i++) {
                byte[] flipped = bytes.clone();
                flipped[i] ^= (byte) (1 << (i % 8));
                assertThat(s.matches(flipped)).as("bit %d of byte %d flipped", i % 8, i).isFalse();
            }
            // what a client presents is the secret itself, and each call a copy its caller may overwrite
            byte[] presented = s.credentials().encodedCredentials();
            assertThat(s.matches(presented)).isTrue();
            Arrays.fill(presented, (byte) 0);
            assertThat(s.matches(s.credentials().encodedCredentials())).isTrue();
            assertThat(s.matches(s.credentials().onChallenge(new byte[]{1}))).isTrue();
        });
    }

    @Test
    void aWrittenSecretReadsBackAsTheSameAndOnlyItsOwnerMayReadIt() {
        Property.forAll(Gens.bytes(ClusterSecret.BYTES)).tries(50).check(bytes -> {
            ClusterSecret s = ClusterSecret.parse(HexFormat.of().formatHex(bytes));
            Path f = Files.createTempFile(dir, "cluster", ".secret");
            Files.delete(f);
            s.writeTo(f);
            assertThat(Files.getPosixFilePermissions(f)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            ClusterSecret back = ClusterSecret.read(f);
            assertThat(back.matches(bytes)).isTrue();
            assertThat(back.fingerprint()).isEqualTo(s.fingerprint()).hasSize(8);
            // the file's text, with the 0x an operator may add and the spaces an editor leaves, is the same secret
            String hex = Files.readString(f).strip();
            assertThat(ClusterSecret.parse("  0x" + hex.toUpperCase() + "\n").matches(bytes)).isTrue();
            // neither its name in logs nor its fingerprint gives the value away
            assertThat(s.toString()).doesNotContain(hex.substring(0, 8)).contains(s.fingerprint());
            assertThatThrownBy(() -> s.writeTo(f)).as("an existing file is not overwritten").isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        });
    }

    @Test
    void aGeneratedSecretIsDrawnFromTheRandomItIsGiven() {
        Property.forAll(Gens.seeds()).tries(50).check(seed -> {
            java.util.SplittableRandom source = new java.util.SplittableRandom(seed);
            SecureRandom given = new SecureRandom() {
                @Override
                public void nextBytes(byte[] out) {
                    source.nextBytes(out);
                }
            };
            byte[] expected = new byte[ClusterSecret.BYTES];
            new java.util.SplittableRandom(seed).nextBytes(expected);
            ClusterSecret s = ClusterSecret.generate(given);
            assertThat(s.matches(expected)).isTrue();
            assertThat(ClusterSecret.generate(given).matches(expected)).as("the next one").isFalse();
        });
    }

    @Test
    void textThatIsNotASecretIsRefusedWithHowToMakeOne() {
        Property.forAll(Gens.ints(0, 130), Gens.seeds()).tries(300).check((length, seed) -> {
            RandomGenerator random = new java.util.SplittableRandom(seed);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < length; i++) b.append("0123456789abcdef".charAt(random.nextInt(16)));
            String text = b.toString();
            if (length == 2 * ClusterSecret.BYTES) {
                assertThat(ClusterSecret.parse(text).matches(HexFormat.of().parseHex(text))).isTrue();
                // one character that is not a hex digit, anywhere
                int at = random.nextInt(length);
                String bad = text.substring(0, at) + "xg-z ".charAt(random.nextInt(5)) + text.substring(at + 1);
                assertThatThrownBy(() -> ClusterSecret.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("64 hex digits").hasMessageContaining("openssl rand -hex 32");
            } else {
                assertThatThrownBy(() -> ClusterSecret.parse(text)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("64 hex digits, this one has " + length).hasMessageContaining("openssl rand -hex 32");
            }
        });
    }

    @Test
    void aFileOfSeveralSecretsPresentsTheFirstAndAdmitsEachForARotation() {
        Property.forAll(Gens.listOf(Gens.bytes(ClusterSecret.BYTES), 1, ClusterSecret.MAX_SECRETS), Gens.bytes(ClusterSecret.BYTES)).tries(200)
                .check((secrets, stranger) -> {
                    StringBuilder text = new StringBuilder("# the cluster's secrets, the one in use first\n");
                    for (byte[] b : secrets) text.append("  ").append(HexFormat.of().formatHex(b)).append("\n\n");
                    Path f = Files.createTempFile(dir, "ring", ".secret");
                    Files.writeString(f, text);
                    ClusterSecret s = ClusterSecret.read(f);
                    assertThat(s.admittedCount()).isEqualTo(secrets.size());
                    // its name in logs says how many it admits, when more than one (a rotation under way)
                    if (secrets.size() > 1) assertThat(s.toString()).endsWith(", admits " + secrets.size() + "]");
                    else assertThat(s.toString()).doesNotContain("admits");
                    assertThat(s.credentials().encodedCredentials()).as("the first is presented").isEqualTo(secrets.getFirst());
                    for (byte[] b : secrets) assertThat(s.matches(b)).isTrue();
                    boolean listed = secrets.stream().anyMatch(b -> Arrays.equals(b, stranger));
                    assertThat(s.matches(stranger)).isEqualTo(listed);
                    // written and read back: the same secrets, the same one first
                    Path copy = f.resolveSibling(f.getFileName() + ".copy");
                    s.writeTo(copy);
                    ClusterSecret back = ClusterSecret.read(copy);
                    assertThat(back.credentials().encodedCredentials()).isEqualTo(secrets.getFirst());
                    assertThat(back.admittedCount()).isEqualTo(secrets.size());
                    for (byte[] b : secrets) assertThat(back.matches(b)).isTrue();
                    // one more than a file may hold is refused, as is a bad line, named by its place
                    String tooMany = text + (HexFormat.of().formatHex(stranger) + "\n").repeat(ClusterSecret.MAX_SECRETS + 1 - secrets.size());
                    Files.writeString(f, tooMany);
                    assertThatThrownBy(() -> ClusterSecret.read(f)).hasMessageContaining("holds " + (ClusterSecret.MAX_SECRETS + 1) + " secrets, at most "
                            + ClusterSecret.MAX_SECRETS);
                    Files.writeString(f, text + "xyz\n");
                    if (secrets.size() + 1 <= ClusterSecret.MAX_SECRETS) {
                        assertThatThrownBy(() -> ClusterSecret.read(f)).hasMessageContaining("secret " + (secrets.size() + 1) + ":")
                                .hasMessageContaining("this one has 3");
                    }
                });
    }

    @Test
    void aSecretFileOthersMayReadIsNamedAsSuch() throws Exception {
        Path f = dir.resolve("shared.secret");
        TestSecrets.SECRET.writeTo(f);
        assertThat(ClusterSecret.readableByOthers(f)).isFalse();
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(ClusterSecret.readableByOthers(f)).as("its group").isTrue();
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw----r--"));
        assertThat(ClusterSecret.readableByOthers(f)).as("everyone").isTrue();
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw--w----"));
        assertThat(ClusterSecret.readableByOthers(f)).isFalse();
        assertThat(ClusterSecret.readableByOthers(dir.resolve("none"))).isFalse();
    }

    @Test
    void aMissingOrBadFileIsNamedInItsRefusal() throws Exception {
        Path missing = dir.resolve("nowhere.secret");
        assertThatThrownBy(() -> ClusterSecret.read(missing)).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist")
                .hasMessageContaining("openssl rand -hex 32 > " + missing).hasMessageContaining("same file");
        Path shortOne = Files.writeString(dir.resolve("short.secret"), "abcd\n");
        assertThatThrownBy(() -> ClusterSecret.read(shortOne)).hasMessageContaining(shortOne.toString()).hasMessageContaining("this one has 4")
                .as("a file of one secret names no line").hasMessageNotContaining("secret 1");
        assertThatThrownBy(() -> ClusterSecret.read(dir)).as("a directory").hasMessageContaining("cannot be read");
        Path empty = Files.writeString(dir.resolve("empty.secret"), "# nothing yet\n\n");
        assertThatThrownBy(() -> ClusterSecret.read(empty)).hasMessageContaining(empty + " holds no secret").hasMessageContaining("openssl rand -hex 32");
    }
}
