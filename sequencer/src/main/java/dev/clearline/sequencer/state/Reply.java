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

    /**
     * This reply without its detail, for when it encodes to more than the largest reply the node
     * sends ({@code bytes}): the verdicts ({@code outcomes}) and every plain field stay, the lists and
     * maps (an order's fills and depth changes, when it swept tens of thousands of makers) are left
     * out and named, so that the request is still acknowledged with its seq instead of not at all.
     */
    public Reply withoutDetail(int bytes) {
        Map<String, Object> kept = new java.util.LinkedHashMap<>();
        java.util.List<String> leftOut = new java.util.ArrayList<>();
        for (Map.Entry<String, Object> e : body.entrySet()) {
            boolean detail = e.getValue() instanceof java.util.Collection<?> || e.getValue() instanceof Map<?, ?>;
            if (detail && !e.getKey().equals("outcomes")) leftOut.add(e.getKey());
            else kept.put(e.getKey(), e.getValue());
        }
        Map<String, Object> truncated = new java.util.LinkedHashMap<>();
        truncated.put("bytes", bytes);
        truncated.put("leftOut", leftOut);
        truncated.put("read", "GET /orders/{orderHash} and GET /accounts/{address} for what the request did; a stream subscriber subscribes again for a fresh snapshot");
        kept.put("truncated", truncated);
        return new Reply(seq, clientId, clientSeq, time, duplicate, kept);
    }
}
