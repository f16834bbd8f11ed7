package dev.clearline.engine.exchange;

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
}
