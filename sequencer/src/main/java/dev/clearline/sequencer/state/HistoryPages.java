package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node's whole command history read through the paged {@code HISTORY} query: each page is a byte
 * range of the encoded history ({@link CommandHistory#range}), so that one query costs a member the
 * same however long the log has grown, and its reply stays far below the largest reply the egress
 * carries. The history only ever grows at its end, so pages asked at different moments fit together;
 * the seq and root a reader gets are those of the page that reached the end. A node that keeps a
 * window of it ({@code --keep-history-hours}) says where what it holds starts ({@code start},
 * {@code startCommands}) and refuses a page before that.
 */
public final class HistoryPages {
    /** Bytes of history per page: about 1.4 MB of base64 in a reply (the egress sends up to 8 MB). */
    public static final int PAGE_BYTES = 1 << 20;

    private HistoryPages() {}

    /**
     * The {@code history} field of a HISTORY reply: up to {@code maxBytes} of the encoded history from byte
     * {@code from} ({@code from}, {@code next}, {@code data} in base64), its whole length since genesis ({@code bytes}),
     * its number of commands, where the part still held starts ({@code start}, after {@code startCommands} dropped
     * commands), or an {@code error} for a {@code from} outside what is held.
     */
    static Map<String, Object> page(CommandHistory history, long from, int maxBytes) {
        Map<String, Object> page = new LinkedHashMap<>();
        long size = history.size();
        page.put("bytes", size);
        page.put("commands", history.count());
        page.put("start", history.start());
        page.put("startCommands", history.startCount());
        if (from >= 0 && from < history.start()) {
            page.put("error", "from " + from + " was dropped: this node keeps its command history from byte " + history.start() + " (after "
                    + history.startCount() + " commands; --keep-history-hours). Start at " + history.start() + ", or run the members with"
                    + " --keep-history-hours forever to audit from genesis");
            return page;
        }
        if (from < 0 || from > size) {
            page.put("error", "from " + from + " is outside the history's " + size + " bytes: start at " + history.start() + " and follow \"next\"");
            return page;
        }
        byte[] bytes = history.range(from, maxBytes);
        page.put("from", from);
        page.put("next", from + bytes.length);
        page.put("data", Base64.getEncoder().encodeToString(bytes));
        return page;
    }

    /** The encoded history ({@link CommandHistory#forEach} walks it) with the seq and state root it leads to. */
    public record History(byte[] encoded, long seq, String stateRoot) {}

    /** Asks a node for the page starting at byte {@code from}: its whole reply to the HISTORY query. */
    @FunctionalInterface
    public interface Source {
        JsonNode page(long from) throws Exception;
    }

    /** Reads pages from byte 0 until one reaches the end of the history as it stood when that page was cut. */
    public static History read(Source source) throws Exception {
        return read(source, 0);
    }

    /** Reads pages from byte {@code from} (a node that keeps a window: its {@code start}) to the end of the history. */
    public static History read(Source source, long from) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            JsonNode reply = source.page(from);
            JsonNode page = reply.path("history");
            if (page.has("error")) throw new IllegalStateException("the node refused the history page from byte " + from + ": " + page.get("error").asText());
            if (page.path("from").asLong(-1) != from || !page.path("data").isTextual()) {
                throw new IllegalStateException("asked for the history page from byte " + from + ", got " + page);
            }
            byte[] data = Base64.getDecoder().decode(page.get("data").asText());
            out.writeBytes(data);
            long next = page.path("next").asLong();
            if (next != from + data.length) throw new IllegalStateException("a history page from byte " + from + " of " + data.length + " bytes says next " + next);
            if (next >= page.path("bytes").asLong()) return new History(out.toByteArray(), reply.path("seq").asLong(), reply.path("stateRoot").asText());
            if (data.length == 0) throw new IllegalStateException("an empty history page at byte " + from + " before its end " + page.path("bytes"));
            from = next;
        }
    }
}
