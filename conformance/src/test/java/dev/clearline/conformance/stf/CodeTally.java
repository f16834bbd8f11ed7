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
            "OraclePrice", "PostOrder", "Trade", "Cancel", "Allocate", "Release", "Withdraw", "Liquidate", "TradeAtPrice", "Deleverage",
            "PruneOrder", "PruneOrderHash"};

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

    /**
     * Codes a type can end in that random cases never reach: counted in the table if they occur,
     * never required. OVERFLOW of a priority op happens only when a GLOBAL counter is at 2^63 - 1,
     * which CounterAtMaximumTest builds on purpose.
     */
    static final Map<Integer, Set<Integer>> RARE = Map.of(1, codes(26), 2, codes(26), 3, codes(26), 4, codes(26));

    /** The exchange's codes, which the STF never returns: WRONG_DOMAIN, DUPLICATE_NONCE, UNKNOWN_ORDER, BOOK_REJECTED. */
    static final Set<Integer> EXCHANGE_ONLY = codes(2, 28, 29, 31);

    /** "Type: CODE (n)" for every code a case reached that its type should never end in. */
    public synchronized List<String> unexpected() {
        List<String> out = new ArrayList<>();
        counts.forEach((type, byCode) -> byCode.forEach((code, n) -> {
            boolean allowed = EXPECTED.getOrDefault(type, Set.of()).contains(code) || RARE.getOrDefault(type, Set.of()).contains(code);
            if (!allowed) out.add(TYPE_NAMES[type] + ": " + name(code) + " (" + n + ")");
        }));
        return out;
    }

    /**
     * The outcome table as a bench-results page: what ran, the table, and the codes it does not
     * require, with the reason each is unreachable by construction or rare.
     */
    public synchronized String report(String title, String command, String run) {
        return "# " + title + "\n\n- command: `" + command + "`\n- " + run + "\n" + body();
    }

    /** {@link #report} without its heading: the counting rule, the table, the codes not required. */
    public synchronized String body() {
        StringBuilder b = new StringBuilder("- a case counts under a code only when the Java STF and the Solidity step both"
                + " return it (and, when applied, the same post-root); `KnownDivergences` is empty, so any disagreement"
                + " fails the run\n\n");
        b.append(table());
        List<String> missing = missing();
        b.append("\nRequired codes not reached: ").append(missing.isEmpty() ? "none" : String.join(", ", missing)).append(".\n\n");
        b.append("Codes not required of random cases:\n\n");
        b.append("- exchange-only, never returned by the STF by construction: ");
        b.append(String.join(", ", EXCHANGE_ONLY.stream().map(c -> c + " " + name(c)).toList())).append(";\n");
        b.append("- OVERFLOW of a priority op (Deposit, MarketConfig, ForcedWithdrawal, ForcedCancel): only when a GLOBAL"
                + " counter is at 2^63 - 1, unreachable from a real L1 queue; `CounterAtMaximumTest` reaches it on both sides.\n");
        return b.toString();
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
        m.put(11, codes(0, 1, 19, 20, 27, 37, malformed));
        m.put(12, codes(0, 3, 21, 22, 26, malformed));
        m.put(14, codes(0, 3, 5, 11, 13, 15, 18, 22, 26, 35, malformed));
        m.put(15, codes(0, 9, malformed)); // applied (a deletion), ORDER_NOT_FOUND; malformed only when cut or padded
        m.put(16, codes(0, 9, 36, malformed)); // applied (a deletion), ORDER_NOT_FOUND, NOT_EXPIRED
        return m;
    }

    private static Set<Integer> codes(int... cs) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int c : cs) s.add(c);
        return s;
    }
}
