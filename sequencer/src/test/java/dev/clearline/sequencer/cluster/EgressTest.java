package dev.clearline.sequencer.cluster;

import io.aeron.DirectBufferVector;
import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's egress gives a gateway that does not keep up a bounded number of tries per reply,
 * so it cannot stall the state machine (it used to retry 2,000 times, about 2 s, per reply). The
 * session here answers offers from a script of Aeron's return codes: it stands for the far end of a
 * real publication, whose fill level a unit test cannot set. The whole path with a real slow
 * gateway is {@code SlowGatewayTest}.
 */
class EgressTest {
    private static final UnsafeBuffer REPLY = new UnsafeBuffer(new byte[] {'{', '}'});

    @Test
    void aReplyGetsABoundedNumberOfTriesThenOneTryEachUntilTheGatewayReadsAgain() {
        Scripted slow = new Scripted(7);
        CountingIdle idle = new CountingIdle();
        SequencerService.Egress egress = new SequencerService.Egress(idle);
        for (int i = 0; i < 3 * SequencerService.Egress.ATTEMPTS; i++) slow.script.add(Publication.BACK_PRESSURED);

        assertThat(egress.send(slow, REPLY, 2)).isFalse();
        assertThat(slow.offers).as("tries for the first reply it misses").isEqualTo(SequencerService.Egress.ATTEMPTS);
        assertThat(idle.waits).as("waits between those tries, none after the last").isEqualTo(SequencerService.Egress.ATTEMPTS - 1);
        assertThat(egress.isBehind(7)).isTrue();

        // while it is behind, every further reply costs one offer and no wait
        for (int i = 0; i < 5; i++) assertThat(egress.send(slow, REPLY, 2)).isFalse();
        assertThat(slow.offers).isEqualTo(SequencerService.Egress.ATTEMPTS + 5);
        assertThat(idle.waits).isEqualTo(SequencerService.Egress.ATTEMPTS - 1);

        // it reads again: the next reply goes through and it gets the full tries again afterwards
        slow.script.clear();
        slow.script.add(42L);
        assertThat(egress.send(slow, REPLY, 2)).isTrue();
        assertThat(egress.isBehind(7)).isFalse();
        slow.script.add(Publication.BACK_PRESSURED);
        slow.script.add(Publication.ADMIN_ACTION);
        slow.script.add(43L);
        int before = slow.offers;
        assertThat(egress.send(slow, REPLY, 2)).as("a reply that goes through on its third try").isTrue();
        assertThat(slow.offers - before).isEqualTo(3);
    }

    @Test
    void aGatewayThatIsGoneIsNotRetriedAndOneBehindDoesNotSlowTheOthers() {
        SequencerService.Egress egress = new SequencerService.Egress(new CountingIdle());
        Scripted gone = new Scripted(1);
        gone.script.add(Publication.NOT_CONNECTED);
        assertThat(egress.send(gone, REPLY, 2)).isFalse();
        assertThat(gone.offers).isEqualTo(1);
        assertThat(egress.isBehind(1)).as("a closed session is not behind, it is gone").isFalse();

        Scripted slow = new Scripted(2);
        Scripted fast = new Scripted(3);
        for (int i = 0; i < 100; i++) slow.script.add(Publication.BACK_PRESSURED);
        egress.send(slow, REPLY, 2);
        for (int i = 0; i < 50; i++) {
            fast.script.add(1L + i);
            assertThat(egress.send(fast, REPLY, 2)).isTrue();
            assertThat(egress.send(slow, REPLY, 2)).isFalse();
        }
        assertThat(fast.offers).isEqualTo(50);
        assertThat(slow.offers).isEqualTo(SequencerService.Egress.ATTEMPTS + 50);
        egress.forget(2);
        assertThat(egress.isBehind(2)).isFalse();
    }

    /** Answers each offer with the next scripted result (back pressure when the script runs out). */
    static final class Scripted implements ClientSession {
        final long id;
        final Deque<Long> script = new ArrayDeque<>();
        int offers;

        Scripted(long id) {
            this.id = id;
        }

        @Override
        public long offer(DirectBuffer buffer, int offset, int length) {
            offers++;
            Long r = script.poll();
            return r == null ? Publication.BACK_PRESSURED : r;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public int responseStreamId() {
            return 102;
        }

        @Override
        public String responseChannel() {
            return "aeron:ipc";
        }

        @Override
        public byte[] encodedPrincipal() {
            return new byte[0];
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isClosing() {
            return false;
        }

        @Override
        public long offer(DirectBufferVector[] vectors) {
            throw new UnsupportedOperationException("the service offers one buffer");
        }

        @Override
        public long tryClaim(int length, BufferClaim claim) {
            throw new UnsupportedOperationException("the service offers one buffer");
        }
    }

    static final class CountingIdle implements IdleStrategy {
        int waits;

        @Override
        public void idle(int workCount) {
            if (workCount <= 0) waits++;
        }

        @Override
        public void idle() {
            waits++;
        }

        @Override
        public void reset() {
        }
    }
}
