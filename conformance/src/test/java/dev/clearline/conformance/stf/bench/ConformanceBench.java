package dev.clearline.conformance.stf.bench;

import dev.clearline.conformance.tree.bench.TreeProofGasBenchmark;
import java.util.Arrays;

/**
 * The conformance module's benchmark commands ({@code ./clearline bench conformance <what> [args]}):
 * {@code stf-campaign} (the long differential campaign), {@code stf-gas} (one-step gas at 1M leaves),
 * anything else (or nothing) the state tree's proof gas ({@link TreeProofGasBenchmark}).
 */
public final class ConformanceBench {
    private ConformanceBench() {}

    public static void main(String[] args) throws Exception {
        String what = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (what) {
            case "stf-campaign" -> StfCampaign.main(rest);
            case "stf-gas" -> StepGasBenchmark.main(rest);
            default -> TreeProofGasBenchmark.main(args);
        }
    }
}
