package dev.clearline.contracts.l1;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.web3j.crypto.Hash;

/** The Java twin of ToyStepVerifier: the state, its root, and one step. */
final class ToyStf {
    private ToyStf() {}

    record State(byte[] chain, long consumed, byte[] priorityHash) {
        static final State GENESIS = new State(new byte[32], 0, new byte[32]);

        byte[] witness() {
            return L1Fixture.concat(chain, Transitions.u256(consumed), priorityHash);
        }

        byte[] root() {
            return Hash.sha3(witness());
        }
    }

    /** The state after {@code t}, or empty when the toy rules reject it. */
    static Optional<State> step(State s, byte[] t) {
        if ((t[t.length - 1] & 0xff) == 0xEE) return Optional.empty();
        long consumed = s.consumed();
        byte[] ph = s.priorityHash();
        int type = t[0];
        if (type >= 1 && type <= 4) {
            long index = java.nio.ByteBuffer.wrap(t, 1, 8).getLong();
            if (index != consumed) return Optional.empty();
            ph = Hash.sha3(L1Fixture.concat(ph, Hash.sha3(t)));
            consumed++;
        }
        return Optional.of(new State(Hash.sha3(L1Fixture.concat(s.chain(), Hash.sha3(t))), consumed, ph));
    }

    /** States s_0..s_n of a batch from {@code pre}; after a rejected transition the state stays put. */
    static List<State> states(State pre, List<byte[]> transitions) {
        List<State> out = new ArrayList<>();
        out.add(pre);
        State s = pre;
        for (byte[] t : transitions) {
            s = step(s, t).orElse(s);
            out.add(s);
        }
        return out;
    }

    static List<byte[]> roots(List<State> states) {
        return states.stream().map(State::root).toList();
    }

    static boolean sameRoot(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
