package dev.clearline.devnet.deploy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named deployment parameters (string values, recorded in the manifest). Defaults are devnet
 * values (seconds-long periods, 1 ETH proposer bond) and derive from the deployer's address;
 * {@code overrides} replace them. docs/protocol.md, "Deployment parameters", lists each.
 * {@code collateral.token} has no default: given, the rollup takes that existing token as its
 * collateral and no {@code TestCollateral} is deployed (nor has a minter).
 */
public record DeploymentParameters(Map<String, String> values) {
    /** An existing collateral token's address, in place of a deployed TestCollateral. */
    public static final String COLLATERAL_TOKEN = "collateral.token";

    public DeploymentParameters {
        values = Map.copyOf(values);
    }

    public static DeploymentParameters defaults(String deployer, Map<String, String> overrides) {
        Map<String, String> v = new TreeMap<>();
        v.put("collateral.minter", deployer.toLowerCase());
        v.put("rollup.governance", deployer.toLowerCase());
        v.put("rollup.challengePeriod", "600");
        v.put("rollup.forceDelay", "1800");
        v.put("rollup.proposerBond", "1000000000000000000");
        v.put("rollup.slashBurnPercent", "50");
        v.put("rollup.maxTransitions", "4096");
        v.put("rollup.genesisRoot", "0x" + "0".repeat(64));
        // the operator posts first; another bonded proposer only for an op left waiting (docs/protocol.md 7.3)
        v.put("rollup.sequencer", deployer.toLowerCase());
        v.put("dispute.arity", "16");
        v.put("dispute.clockBudget", "300");
        v.put("dispute.challengeBond", "100000000000000000");
        v.put("escape.claimWindow", "600");
        List<String> unknown = overrides.keySet().stream().filter(k -> !v.containsKey(k) && !k.equals(COLLATERAL_TOKEN)).sorted().toList();
        // A misspelt name would otherwise deploy with the default silently in its place.
        if (!unknown.isEmpty())
            throw new IllegalArgumentException("unknown deployment parameter" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; the parameters are: " + String.join(", ", v.keySet()) + ", " + COLLATERAL_TOKEN + " (an existing token, optional)");
        if (overrides.containsKey(COLLATERAL_TOKEN)) {
            if (overrides.containsKey("collateral.minter")) {
                throw new IllegalArgumentException("collateral.minter is the minter of a deployed TestCollateral; with " + COLLATERAL_TOKEN
                        + " no TestCollateral is deployed: give one of the two");
            }
            v.remove("collateral.minter");
        }
        v.putAll(overrides);
        for (String name : ADDRESSES) if (v.containsKey(name)) v.put(name, address(name, v.get(name)));
        return new DeploymentParameters(v);
    }

    /** The parameters that are addresses: a typo in one is deployed for good (governance nobody can sign for). */
    private static final List<String> ADDRESSES = List.of("collateral.minter", "rollup.governance", "rollup.sequencer", COLLATERAL_TOKEN);

    /** {@code value} as a lower-case address, refusing what is none, a wrong EIP-55 checksum, and a zero governance or token. */
    private static String address(String name, String value) {
        String v = value.strip();
        if (name.equals("rollup.sequencer") && v.equalsIgnoreCase("0x0")) v = "0x" + "0".repeat(40);
        if (!v.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException(name + "=" + value + " is not an address: give 0x and 40 hex digits"
                    + (name.equals("rollup.sequencer") ? " (0x0 opens posting to every bonded proposer)" : ""));
        }
        String hex = v.substring(2);
        boolean mixed = !hex.equals(hex.toLowerCase(java.util.Locale.ROOT)) && !hex.equals(hex.toUpperCase(java.util.Locale.ROOT));
        if (mixed && !org.web3j.crypto.Keys.toChecksumAddress(v).equals(v)) {
            throw new IllegalArgumentException(name + "=" + value + " has a wrong EIP-55 checksum (its capitals): a digit is likely"
                    + " mistyped; check it, or give it in lower case");
        }
        if (!name.equals("rollup.sequencer") && new java.math.BigInteger(hex, 16).signum() == 0) {
            throw new IllegalArgumentException(name + " cannot be the zero address: nobody could ever act as it");
        }
        return v.toLowerCase(java.util.Locale.ROOT);
    }

    /** The existing collateral token the parameters name, if any. */
    public java.util.Optional<String> collateralToken() {
        return java.util.Optional.ofNullable(values.get(COLLATERAL_TOKEN));
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("deployment parameter " + name + " is not set; pass it with --param " + name + "=...");
        return v;
    }
}
