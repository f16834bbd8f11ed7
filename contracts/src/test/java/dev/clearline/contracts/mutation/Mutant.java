package dev.clearline.contracts.mutation;

/**
 * One mutant of a Solidity source: the file with one change on one line ({@code source} is the whole
 * mutated file; line numbers are kept, a deleted statement leaves an empty line).
 *
 * @param file     the source unit, relative to the source root ({@code rollup/Rollup.sol})
 * @param line     1-based
 * @param operator what was changed: {@code <= to <}, {@code delete statement}, ...
 * @param before   the line as it is
 * @param after    the line in the mutant
 */
record Mutant(String file, int line, String operator, String before, String after, String source) {
    /** {@code rollup/Rollup.sol:212 <= to <: if (a <= b) ...  ->  if (a < b) ...}; what the report lists. */
    String describe() {
        return file + ":" + line + " " + operator + ": `" + before.strip() + "` -> `" + (after.isBlank() ? "(deleted)" : after.strip()) + "`";
    }

    /** The key a survivor's explanation is filed under: file, line and operator. */
    String key() {
        return file + ":" + line + "\t" + operator;
    }
}
