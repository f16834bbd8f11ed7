package dev.clearline.devnet.deploy;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A manifest's constructor arguments as a person or a contract verifier reads them. The rollup's
 * genesis root (bytes32) was written as Java's "[B@1de76cc7", found by a walk through the README
 * against Hardhat's node.
 */
@WithDevnet
class ConstructorArgsTest {
    @Test
    void bytesAreHexAndArraysAreListedElementByElement() {
        byte[] root = new byte[32];
        root[31] = 0x2a;
        List<Type<?>> args = List.of(new Bytes32(root), new DynamicBytes(new byte[] {1, (byte) 0xff}), new Uint256(7), new Bool(true),
                new Address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
                new DynamicArray<>(Address.class, List.of(new Address("0x0000000000000000000000000000000000000001"))));
        assertThat(Deployer.describe(args)).containsExactly("0x000000000000000000000000000000000000000000000000000000000000002a", "0x01ff", "7",
                "true", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "[0x0000000000000000000000000000000000000001]");
    }

    @Test
    void aDeployedManifestHoldsNoJavaObjectNames(DevnetContext l1) {
        for (Manifest.Contract c : l1.manifest().contracts()) {
            assertThat(c.constructorArgs()).as(c.name()).noneMatch(a -> a.contains("[B@") || a.contains("@"));
        }
        Manifest.Contract rollup = l1.manifest().contracts().stream().filter(c -> c.name().equals("Rollup")).findFirst().orElseThrow();
        assertThat(rollup.constructorArgs()).as("the genesis root").anyMatch(a -> a.matches("0x[0-9a-f]{64}"));
    }
}
