package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/**
 * The verifier refuses to be deployed over a family address without code: one pointed at such an
 * address would revert on every step of that family, and no dispute over it could end. Each of the
 * three is checked, and the error names the address.
 */
class StepVerifierDeployTest {
    private static final Address DEPLOYER = Address.ofLong(0xd3);
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);
    private final WorldState state = WorldState.inMemory();
    private final Evm evm = new Evm(state);
    private final Artifacts artifacts = MutantArtifacts.current();

    @AfterEach
    void close() {
        state.close();
    }

    private ExecutionResult deploy(String name, Address... args) {
        byte[] code = artifacts.load(name).creationBytecode();
        ByteBuffer init = ByteBuffer.allocate(code.length + 32 * args.length).put(code);
        for (Address a : args) init.put(new byte[12]).put(a.bytes());
        state.setBalance(DEPLOYER, BigInteger.TEN.pow(24));
        return evm.transact(Message.create(DEPLOYER, init.array()).withGasLimit(29_000_000), BLOCK);
    }

    @Test
    void eachFamilyWithoutCodeIsRefusedByName() {
        Address priority = deploy("PriorityStep").contractAddress(), account = deploy("AccountStep").contractAddress(),
                trading = deploy("TradingStep").contractAddress();
        Address nothing = Address.ofLong(0xdead);
        assertThat(deploy("StepVerifier", priority, account, trading).succeeded()).isTrue();
        Address[][] wrong = {{nothing, account, trading}, {priority, nothing, trading}, {priority, account, nothing}};
        byte[] selector = Arrays.copyOf(Hash.sha3("FamilyWithoutCode(address)".getBytes(StandardCharsets.US_ASCII)), 4);
        for (Address[] families : wrong) {
            ExecutionResult r = deploy("StepVerifier", families);
            assertThat(r.succeeded()).isFalse();
            byte[] data = r.returnData();
            assertThat(HexFormat.of().formatHex(Arrays.copyOf(data, 4))).isEqualTo(HexFormat.of().formatHex(selector));
            assertThat(Arrays.copyOfRange(data, 16, 36)).isEqualTo(nothing.bytes());
        }
    }
}
