package dev.clearline.evm;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules this EVM runs: Shanghai (PUSH0, warm coinbase, init-code limit), and nothing of
 * later forks. Contracts compiled for Cancun or later use opcodes Shanghai does not define and
 * halt on the first of them; {@link #explain(String)} turns that halt into a message that names
 * the cause and the compiler setting that avoids it.
 */
public final class Hardfork {
    /** The fork whose rules every execution follows. */
    public static final String NAME = "Shanghai";

    /** Opcodes defined after Shanghai, by number, with their name and the fork that added them. */
    private static final Map<Integer, String[]> LATER = Map.of(
            0x49, new String[] {"BLOBHASH", "Cancun"},
            0x4a, new String[] {"BLOBBASEFEE", "Cancun"},
            0x5c, new String[] {"TLOAD", "Cancun"},
            0x5d, new String[] {"TSTORE", "Cancun"},
            0x5e, new String[] {"MCOPY", "Cancun"},
            0x1e, new String[] {"CLZ", "Osaka"});
    private static final Pattern INVALID_OPCODE = Pattern.compile("invalid opcode: (?:opcode 0x([0-9a-fA-F]{1,2}) not defined|([A-Z0-9]+))");

    private Hardfork() {}

    /**
     * {@code haltError} with, when it is an opcode of a later fork, what that opcode is and how to
     * compile for these rules; any other error comes back unchanged.
     */
    public static String explain(String haltError) {
        Matcher m = INVALID_OPCODE.matcher(haltError);
        if (!m.find()) {
            return haltError;
        }
        for (Map.Entry<Integer, String[]> e : LATER.entrySet()) {
            boolean byNumber = m.group(1) != null && Integer.parseInt(m.group(1), 16) == e.getKey();
            boolean byName = m.group(2) != null && m.group(2).equals(e.getValue()[0]);
            if (byNumber || byName) {
                return haltError + " (" + e.getValue()[0] + " is a " + e.getValue()[1] + " opcode; this EVM runs " + NAME
                        + " rules: compile the contract with evmVersion \"shanghai\", e.g. solc --evm-version shanghai"
                        + " or settings.evmVersion in Hardhat/Foundry)";
            }
        }
        return haltError;
    }
}
