package dev.clearline.sequencer.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random reply bodies for codec tests: nested maps and lists, odd strings, numbers of every kind, values the mapper writes itself. */
public final class ReplyBodies {
    private ReplyBodies() {}

    /** A body that starts with a plain {@code "type"}, as the state writes every reply. */
    public static Map<String, Object> typed(Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", Arrays.asList("place", "cancel", "tick", "query", "somethingNew", "outOfOrder").get(r.nextInt(6)));
        m.putAll(map(r, 0)); // its keys carry a digit, so none replaces "type"
        return m;
    }

    /** A value the encoder does not walk itself. */
    public record Odd(String name, long value) {}

    public static Map<String, Object> map(Random r, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = r.nextInt(depth == 0 ? 8 : 4);
        for (int i = 0; i < n; i++) m.put(key(r), value(r, depth + 1));
        return m;
    }

    static Object value(Random r, int depth) {
        int pick = r.nextInt(depth > 3 ? 7 : 10);
        return switch (pick) {
            case 0 -> null;
            case 1 -> key(r) + "\"\\\n\u00e9\u20ac\ud83d\ude00\u0001";
            case 2 -> r.nextLong();
            case 3 -> r.nextInt();
            case 4 -> r.nextBoolean();
            case 5 -> r.nextBoolean() ? new Odd(key(r), r.nextLong()) : java.math.BigInteger.valueOf(r.nextLong()).shiftLeft(70); // the mapper's own form
            case 6 -> r.nextDouble();
            case 7 -> map(r, depth);
            case 8 -> { List<Object> l = new ArrayList<>(); for (int i = r.nextInt(4); i > 0; i--) l.add(value(r, depth + 1)); yield l; }
            default -> Map.of(r.nextInt(100), "integer key"); // a number key: the mapper writes its decimal text
        };
    }

    static String key(Random r) {
        return Arrays.asList("type", "outcomes", "orderHash", "accepted", "x", "", "k\u00fc").get(r.nextInt(7)) + r.nextInt(3);
    }
}
