package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.ArrayList;
import java.util.List;

/** The exchange's outgoing events and their one sequence counter across all markets. */
final class EventLog {
    private final List<ExchangeEvent> events = new ArrayList<>();
    private long seq = 1;

    long next() {
        return seq++;
    }

    void add(ExchangeEvent e) {
        events.add(e);
    }

    List<ExchangeEvent> take() {
        List<ExchangeEvent> out = List.copyOf(events);
        events.clear();
        return out;
    }

    void discard() {
        events.clear();
    }

    /** Events produced and not taken yet. */
    boolean isEmpty() {
        return events.isEmpty();
    }

    /** Writes the next sequence number; the buffer must be empty (a state image is taken between commands). */
    void writeImage(ImageWriter out) {
        if (!events.isEmpty()) throw new IllegalStateException(events.size() + " events not taken yet");
        out.writeLong(seq);
    }

    void readImage(ImageReader in) {
        seq = in.readLong();
    }
}
