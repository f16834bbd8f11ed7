package dev.clearline.contracts.mutation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mutants of one Solidity file: the changes a wrong line would be, made one at a time, on code
 * inside function bodies (declarations, signatures, comments and NatSpec are left alone):
 * comparisons shifted by one ({@code <} and {@code <=}, {@code >} and {@code >=}) or negated
 * ({@code ==} and {@code !=}), {@code &&} and {@code ||} swapped, arithmetic swapped ({@code +} and
 * {@code -}, {@code *} and {@code /}, {@code +=} and {@code -=}), {@code true} and {@code false}
 * swapped, and a statement deleted (a check, a state write, an event, a transfer, a return). A
 * mutant that does not compile is not viable and counts for nothing.
 */
final class SolidityMutants {
    private SolidityMutants() {
    }

    /** A textual change: every match of {@code pattern} (its group 1) becomes {@code replacement}, one match per mutant. */
    private record Swap(String operator, Pattern pattern, String replacement) {}

    private static final List<Swap> SWAPS = List.of(
            new Swap("<= to <", Pattern.compile("(<=)"), "<"),
            new Swap(">= to >", Pattern.compile("(>=)"), ">"),
            new Swap("< to <=", Pattern.compile("(?<![<])(<)(?![<=])"), "<="),
            new Swap("> to >=", Pattern.compile("(?<![>=\\-])(>)(?![>=])"), ">="),
            new Swap("== to !=", Pattern.compile("(==)"), "!="),
            new Swap("!= to ==", Pattern.compile("(!=)"), "=="),
            new Swap("&& to ||", Pattern.compile("(&&)"), "||"),
            new Swap("|| to &&", Pattern.compile("(\\|\\|)"), "&&"),
            new Swap("+= to -=", Pattern.compile("(\\+=)"), "-="),
            new Swap("-= to +=", Pattern.compile("(-=)"), "+="),
            new Swap("+ to -", Pattern.compile(" (\\+) "), "-"),
            new Swap("- to +", Pattern.compile(" (-) "), "+"),
            new Swap("* to /", Pattern.compile(" (\\*) "), "/"),
            new Swap("/ to *", Pattern.compile(" (/) "), "*"),
            new Swap("true to false", Pattern.compile("\\b(true)\\b"), "false"),
            new Swap("false to true", Pattern.compile("\\b(false)\\b"), "true"));

    static List<Mutant> of(String file, String source) {
        String[] lines = source.split("\n", -1);
        List<Mutant> out = new ArrayList<>();
        int depth = 0;
        boolean inBlockComment = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Code code = code(line, inBlockComment);
            int depthAtStart = depth;
            depth += code.opens - code.closes;
            inBlockComment = code.endsInBlockComment;
            // inside a function, modifier or constructor of a contract or library: two braces deep or more
            if (depthAtStart < 2 || code.text.isBlank()) continue;
            for (Swap s : SWAPS) {
                Matcher m = s.pattern.matcher(code.text);
                while (m.find()) {
                    String after = line.substring(0, m.start(1)) + s.replacement + line.substring(m.end(1));
                    out.add(mutant(file, lines, i, s.operator, after));
                }
            }
            String t = code.text.strip();
            if (t.endsWith(";") && balanced(t) && !t.startsWith("unchecked") && !t.startsWith("assembly")) {
                out.add(mutant(file, lines, i, "delete statement", ""));
            }
        }
        return out;
    }

    private static Mutant mutant(String file, String[] lines, int index, String operator, String after) {
        String[] copy = lines.clone();
        copy[index] = after;
        return new Mutant(file, index + 1, operator, lines[index], after, String.join("\n", copy));
    }

    private static boolean balanced(String t) {
        int p = 0;
        for (char c : t.toCharArray()) {
            if (c == '(') p++;
            else if (c == ')') p--;
            if (p < 0) return false;
        }
        return p == 0;
    }

    /** A line's code: its text with comments and string literals blanked (so neither is mutated), and its braces. */
    private record Code(String text, int opens, int closes, boolean endsInBlockComment) {}

    private static Code code(String line, boolean inBlockComment) {
        StringBuilder b = new StringBuilder(line.length());
        int opens = 0, closes = 0;
        boolean block = inBlockComment;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (block) {
                if (c == '*' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
                    block = false;
                    b.append("  ");
                    i++;
                } else b.append(' ');
                continue;
            }
            if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') break; // the rest is a comment
            if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '*') {
                block = true;
                b.append("  ");
                i++;
                continue;
            }
            if (c == '"') {
                int end = line.indexOf('"', i + 1);
                if (end < 0) end = line.length() - 1;
                b.append(" ".repeat(end - i + 1));
                i = end;
                continue;
            }
            if (c == '{') opens++;
            if (c == '}') closes++;
            b.append(c);
        }
        return new Code(b.toString(), opens, closes, block);
    }
}
