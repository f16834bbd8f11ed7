package dev.clearline.sequencer.state;

import java.util.Map;

/**
 * The sequencer's answer to one log entry, sent to every connected gateway: {@code seq} is the
 * entry's place in the log (1, 2, ... over state-changing commands; a query answers with the seq it
 * read at), {@code clientId}/{@code clientSeq} name the request it answers, {@code body} is the
 * outcome (order verdicts, exchange events with their order hashes, sealed batches, query results)
 * as plain JSON-ready values.
 */
public record Reply(long seq, long clientId, long clientSeq, long time, boolean duplicate, Map<String, Object> body) {
    public Reply asDuplicate() {
        return new Reply(seq, clientId, clientSeq, time, true, body);
    }
}
