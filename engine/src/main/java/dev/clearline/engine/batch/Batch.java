package dev.clearline.engine.batch;

import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * A sealed batch: its header, its transitions, and the tree version holding its pre-state (what a
 * dispute replays from).
 */
public record Batch(BatchHeader header, List<Transition> transitions, long preStateVersion) {
    public Batch {
        transitions = List.copyOf(transitions);
    }

    /** The calldata: the encoded transitions back to back (each type implies its length). */
    public byte[] calldata() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Transition t : transitions) out.writeBytes(TransitionCodec.encode(t));
        return out.toByteArray();
    }

    public List<byte[]> encodedTransitions() {
        return transitions.stream().map(TransitionCodec::encode).toList();
    }
}
