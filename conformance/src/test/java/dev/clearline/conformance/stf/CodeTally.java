package dev.clearline.conformance.stf;

import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.witness.StepWitness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How many cases of each transition type ended in each code, on both sides (counted only where the
 * two sides agree; a disagreement fails the run), and which codes each type can produce.
 */
public final class CodeTally {
    public static final String[] TYPE_NAMES = {"(malformed type)", "Deposit", "MarketConfig", "ForcedWithdrawal", "ForcedCancel",
            "OraclePrice", "PostOrder", "Trade", "Cancel", "Allocate", "Release", "Withdraw", "Liquidate", "TradeAtPrice", "Deleverage"};

    /** Every code each type can end in (0 = applied; MALFORMED for bad bytes of any type). */
    static final Map<Integer, Set<Integer>> EXPECTED = expected();

    private final TreeMap<Integer, TreeMap<Integer, Long>> counts = new TreeMap<>();
    private long cases;

    public synchronized void count(Differential.Comparison c) {
        if (!c.agree()) return;
        int type = c.c().type() < TYPE_NAMES.length ? c.c().type() : 0;
        counts.computeIfAbsent(type, t -> new TreeMap<>()).merge(c.javaCode(), 1L, Long::sum);
        cases++;
    }

    private final TreeMap<Integer, Long> known = new TreeMap<>();

    /** A case that diverges for a reason {@link KnownDivergences} names. */
    public synchronized void known(Differential.Comparison c) {
        known.merge(c.c().type() < TYPE_NAMES.length ? c.c().type() : 0, 1L, Long::sum);
        cases++;
    }

    public long cases() {
        return cases;
    }

    /** "Type: CODE" for every expected code no case reached. */
    public synchronized List<String> missing() {
        List<String> out = new ArrayList<>();
        EXPECTED.forEach((type, codes) -> {
            for (int code : codes) {
                if (counts.getOrDefault(type, new TreeMap<>()).getOrDefault(code, 0L) == 0) {
                    out.add(TYPE_NAMES[type] + ": " + name(code));
                }
            }
        });
        return out;
    }

    /** A markdown table: one row per type, each reached code with its count. */
    public synchronized String table() {
        StringBuilder b = new StringBuilder("| type | cases | outcomes (code: cases, identical on both sides) |\n| --- | ---: | --- |\n");
        counts.forEach((type, byCode) -> {
            long total = byCode.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder cells = new StringBuilder();
            byCode.forEach((code, n) -> cells.append(cells.isEmpty() ? "" : ", ").append(name(code)).append(": ").append(n));
            long k = known.getOrDefault(type, 0L);
            if (k > 0) cells.append(", KNOWN DIVERGENCE: ").append(k);
            b.append("| ").append(TYPE_NAMES[type]).append(" | ").append(total + k).append(" | ").append(cells).append(" |\n");
        });
        return b.toString();
    }

    /** counts as JSON: {"Deposit": {"APPLIED": n, ...}, ...}. */
    public synchronized String json() {
        StringBuilder b = new StringBuilder("{");
        counts.forEach((type, byCode) -> {
            if (b.length() > 1) b.append(", ");
            b.append('"').append(TYPE_NAMES[type]).append("\": {");
            StringBuilder inner = new StringBuilder();
            byCode.forEach((code, n) -> inner.append(inner.isEmpty() ? "" : ", ").append('"').append(name(code)).append("\": ").append(n));
            b.append(inner).append('}');
        });
        return b.append('}').toString();
    }

    public static String name(int code) {
        if (code == 0) return "APPLIED";
        if (code == StepWitness.MALFORMED_CODE) return "MALFORMED";
        for (Reject r : Reject.values()) if (r.code() == code) return r.name();
        return "code " + code;
    }

    private static Map<Integer, Set<Integer>> expected() {
        int malformed = StepWitness.MALFORMED_CODE;
        TreeMap<Integer, Set<Integer>> m = new TreeMap<>();
        m.put(0, codes(malformed));
        for (int priority = 1; priority <= 4; priority++) m.put(priority, codes(0, 25, malformed));
        m.put(5, codes(0, 1, 3, 23, 24, malformed));
        m.put(6, codes(0, 1, 3, 4, 5, 6, 7, 8, 10, 19, 26, malformed));
        m.put(7, codes(0, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 22, 24, 26, 33, 34, malformed));
        m.put(13, codes(0, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 22, 26, 33, 34, malformed));
        m.put(8, codes(0, 1, 10, 30, malformed));
        m.put(9, codes(0, 1, 3, 19, 20, 26, 27, malformed));
        m.put(10, codes(0, 1, 3, 18, 20, 22, 26, 27, malformed));
        m.put(11, codes(0, 1, 19, 20, 27, malformed));
        m.put(12, codes(0, 3, 21, 22, 26, malformed));
        return m;
    }

    private static Set<Integer> codes(int... cs) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int c : cs) s.add(c);
        return s;
    }
}
