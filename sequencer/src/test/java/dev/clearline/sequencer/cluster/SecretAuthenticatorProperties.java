package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Which client sessions the consensus module lets in: those that presented the cluster's secret, each once, whatever the order of events. */
class SecretAuthenticatorProperties {
    private static final ClusterSecret SECRET = TestSecrets.SECRET;

    /** A session as Aeron hands it to the authenticator; records what was decided, and may refuse to send an answer (back pressure). */
    static final class Proxy implements SessionProxy {
        final long id;
        int authenticated, rejected, challenged;
        boolean busy;

        Proxy(long id) {
            this.id = id;
        }

        @Override
        public long sessionId() {
            return id;
        }

        @Override
        public boolean challenge(byte[] encodedChallenge) {
            challenged++;
            return true;
        }

        @Override
        public boolean authenticate(byte[] encodedPrincipal) {
            if (busy) return false;
            authenticated++;
            return true;
        }

        @Override
        public void reject() {
            rejected++;
        }
    }

    /** What a client may present: the secret, nothing, empty bytes, another secret, the secret with one byte changed. */
    static byte[] credentials(int kind, SplittableRandom random) {
        byte[] right = SECRET.credentials().encodedCredentials();
        return switch (kind) {
            case 0 -> right;
            case 1 -> null;
            case 2 -> new byte[0];
            case 3 -> {
                byte[] other = new byte[ClusterSecret.BYTES];
                random.nextBytes(other);
                yield other;
            }
            default -> {
                right[random.nextInt(right.length)] ^= (byte) (1 + random.nextInt(255));
                yield right;
            }
        };
    }

    @Test
    void exactlyTheSessionsThatPresentedTheSecretAreLetInEachOnce() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 60)).tries(300).check((seed, sessions) -> {
            SplittableRandom random = new SplittableRandom(seed);
            Authenticator auth = SECRET.authenticator().get();
            Map<Long, Boolean> presentedSecret = new HashMap<>();
            Map<Long, Proxy> proxies = new HashMap<>();
            List<Long> requested = new ArrayList<>();
            long now = random.nextLong(0, 1L << 40);
            // requests arrive; sessions get connected in any order, some while the answer cannot be sent yet, some asked again
            for (long id = 1; id <= sessions; id++) {
                int kind = random.nextInt(5);
                auth.onConnectRequest(id, credentials(kind, random), now);
                presentedSecret.put(id, kind == 0);
                requested.add(id);
                now += random.nextInt(100);
            }
            java.util.Collections.shuffle(requested, new java.util.Random(random.nextLong()));
            for (long id : requested) {
                Proxy p = new Proxy(id);
                proxies.put(id, p);
                p.busy = random.nextInt(4) == 0;
                auth.onConnectedSession(p, now);
                if (p.busy) {
                    assertThat(p.authenticated + p.rejected).as("session %d: no answer could be sent yet", id)
                            .isEqualTo(presentedSecret.get(id) ? 0 : 1);
                    p.busy = false;
                    if (p.rejected == 0) auth.onConnectedSession(p, now); // Aeron asks again
                }
                now += random.nextInt(10);
            }
            for (long id : requested) {
                Proxy p = proxies.get(id);
                boolean in = presentedSecret.get(id);
                assertThat(p.authenticated).as("session %d authenticated (presented the secret: %s)", id, in).isEqualTo(in ? 1 : 0);
                assertThat(p.rejected).as("session %d rejected", id).isEqualTo(in ? 0 : 1);
                assertThat(p.challenged).isZero();
            }
            SecretAuthenticator a = (SecretAuthenticator) auth;
            assertThat(a.waiting()).as("nothing is remembered once every session is decided").isZero();
            assertThat(a.refused()).isEqualTo(presentedSecret.values().stream().filter(v -> !v).count());
            // a session let in is not let in again under the same id without a new request with the secret
            for (long id : requested) {
                Proxy again = new Proxy(id);
                auth.onConnectedSession(again, now);
                assertThat(again.rejected).as("session %d connected again without a request", id).isEqualTo(1);
            }
        });
    }

    @Test
    void aChallengeAnswerAdmitsNothingAndAChallengedSessionIsRejected() {
        Property.forAll(Gens.seeds()).tries(100).check(seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            Authenticator auth = SECRET.authenticator().get();
            long id = random.nextLong(1, Long.MAX_VALUE);
            auth.onChallengeResponse(id, SECRET.credentials().encodedCredentials(), 0);
            Proxy p = new Proxy(id);
            auth.onConnectedSession(p, 0);
            assertThat(p.rejected).as("the secret as an unasked challenge answer").isEqualTo(1);
            auth.onConnectRequest(id, SECRET.credentials().encodedCredentials(), 0);
            Proxy challenged = new Proxy(id);
            auth.onChallengedSession(challenged, 0);
            assertThat(challenged.rejected).isEqualTo(1);
            assertThat(challenged.authenticated).isZero();
            assertThat(((SecretAuthenticator) auth).waiting()).isZero();
        });
    }

    @Test
    void aFloodOfWrongAttemptsIsRememberedNowhereAndAnUndecidedAdmissionIsForgotten() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 5_000)).tries(30).check((seed, flood) -> {
            SplittableRandom random = new SplittableRandom(seed);
            SecretAuthenticator auth = (SecretAuthenticator) SECRET.authenticator().get();
            auth.onConnectRequest(0, SECRET.credentials().encodedCredentials(), 1_000); // admitted, never connected
            for (int i = 1; i <= flood; i++) auth.onConnectRequest(i, credentials(1 + random.nextInt(4), random), 1_000 + i / 100);
            assertThat(auth.waiting()).as("only the one with the secret waits").isEqualTo(1);
            assertThat(auth.refused()).isEqualTo((long) flood);
            long later = 1_000 + SecretAuthenticator.FORGET_AFTER_MS;
            auth.onConnectRequest(flood + 1L, null, later);
            assertThat(auth.waiting()).as("at the bound it is still remembered").isEqualTo(1);
            auth.onConnectRequest(flood + 2L, null, later + 1);
            assertThat(auth.waiting()).as("past it, forgotten").isZero();
            Proxy late = new Proxy(0);
            auth.onConnectedSession(late, later + 2);
            assertThat(late.rejected).as("a forgotten admission must ask again").isEqualTo(1);
        });
    }

    @Test
    void refusalsAreLoggedAtMostOnceAMinuteHoweverManyCome() {
        // refusals at any pace over any span: a line for the first, then one for the first of each later minute's worth
        Property.forAll(Gens.seeds(), Gens.ints(1, 3_000)).tries(100).check((seed, count) -> {
            SplittableRandom random = new SplittableRandom(seed);
            SecretAuthenticator auth = (SecretAuthenticator) SECRET.authenticator().get();
            long now = random.nextLong(0, 1L << 40), saidAt = Long.MIN_VALUE;
            long expected = 0;
            for (int i = 0; i < count; i++) {
                now += random.nextInt(4) == 0 ? random.nextLong(0, 3 * SecretAuthenticator.SAY_EVERY_MS) : random.nextInt(50);
                if (saidAt == Long.MIN_VALUE || now - saidAt >= SecretAuthenticator.SAY_EVERY_MS) {
                    saidAt = now;
                    expected++;
                }
                auth.onConnectRequest(i, null, now);
                assertThat(auth.linesLogged()).as("after refusal %d", i + 1).isEqualTo(expected);
            }
            assertThat(auth.refused()).isEqualTo((long) count);
            // an admitted session is never a line
            auth.onConnectRequest(count, SECRET.credentials().encodedCredentials(), now + 10 * SecretAuthenticator.SAY_EVERY_MS);
            assertThat(auth.linesLogged()).isEqualTo(expected);
        });
        // at the minute exactly, a new line; a millisecond before it, none
        SecretAuthenticator auth = (SecretAuthenticator) SECRET.authenticator().get();
        long t = 1_700_000_000_000L;
        auth.onConnectRequest(1, null, t);
        auth.onConnectRequest(2, null, t + SecretAuthenticator.SAY_EVERY_MS - 1);
        assertThat(auth.linesLogged()).isEqualTo(1);
        auth.onConnectRequest(3, null, t + SecretAuthenticator.SAY_EVERY_MS);
        assertThat(auth.linesLogged()).isEqualTo(2);
    }
}
