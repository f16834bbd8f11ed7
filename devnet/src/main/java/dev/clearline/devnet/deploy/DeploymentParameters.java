package dev.clearline.devnet.deploy;

import java.util.Map;
import java.util.TreeMap;

/**
 * Named deployment parameters (string values, recorded in the manifest). Defaults derive from
 * the deployer's address; {@code overrides} replace them.
 */
public record DeploymentParameters(Map<String, String> values) {

    public DeploymentParameters {
        values = Map.copyOf(values);
    }

    public static DeploymentParameters defaults(String deployer, Map<String, String> overrides) {
        Map<String, String> v = new TreeMap<>();
        v.put("collateral.minter", deployer.toLowerCase());
        v.putAll(overrides);
        return new DeploymentParameters(v);
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("deployment parameter " + name + " is not set; pass it with --param " + name + "=...");
        return v;
    }
}
