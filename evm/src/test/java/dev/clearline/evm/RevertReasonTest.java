package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.revert.Revert;
import dev.clearline.evm.revert.RevertDecoder;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Revert data produced by real EVM runs, decoded through the facade. */
class RevertReasonTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final BlockContext BLOCK = BlockContext.of(1, 1, 1);

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);

    @AfterEach
    void close() {
        state.close();
    }

    Revert revertOf(byte[] revertData) {
        Address c = evm.transact(Message.create(ALICE, Asm.deployer(Asm.reverting(revertData))), BLOCK).contractAddress();
        ExecutionResult r = evm.call(Message.call(ALICE, c, new byte[] {1}), BLOCK);
        assertThat(r.returnData()).isEqualTo(revertData);
        return ((Failure.Reverted) r.failure().orElseThrow()).reason();
    }

    @Test
    void selectorsMatchTheWellKnownOnes() {
        assertThat(RevertDecoder.selectorOf("transfer(address,uint256)")).isEqualTo("0xa9059cbb");
        assertThat(RevertDecoder.selectorOf("Error(string)")).isEqualTo("0x08c379a0");
        assertThat(RevertDecoder.selectorOf("Panic(uint256)")).isEqualTo("0x4e487b71");
    }

    @Test
    void errorStringIsDecoded() {
        assertThat(revertOf(Abi.errorString("price out of band"))).isEqualTo(new Revert.ErrorMessage("price out of band"));
    }

    @Test
    void panicCodeIsDecodedWithItsMeaning() {
        Revert r = revertOf(Abi.panic(0x11));

        assertThat(r).isEqualTo(new Revert.Panic(BigInteger.valueOf(0x11), "arithmetic overflow or underflow"));
        assertThat(r.describe()).isEqualTo("Panic(0x11: arithmetic overflow or underflow)");
    }

    @Test
    void registeredCustomErrorIsDecodedIntoPlainValues() {
        evm.revertDecoder().register("InsufficientBalance(address,uint256,uint256)");
        Address who = Address.ofLong(0x1234);
        byte[] data = Abi.concat(Hex.decode(RevertDecoder.selectorOf("InsufficientBalance(address,uint256,uint256)")), Abi.word(new BigInteger(1, who.bytes())),
                Abi.word(BigInteger.valueOf(5)), Abi.word(BigInteger.valueOf(9)));

        Revert r = revertOf(data);

        assertThat(r).isInstanceOfSatisfying(Revert.CustomError.class, e -> {
            assertThat(e.signature()).isEqualTo("InsufficientBalance(address,uint256,uint256)");
            assertThat(e.arguments()).containsExactly(who, BigInteger.valueOf(5), BigInteger.valueOf(9));
        });
        assertThat(r.describe()).isEqualTo("InsufficientBalance(" + who + ", 5, 9)");
    }

    @Test
    void unknownSelectorIsReportedRawWithAHint() {
        byte[] data = Abi.concat(Hex.decode("deadbeef"), Abi.word(BigInteger.ONE));

        Revert r = revertOf(data);

        assertThat(r).isInstanceOfSatisfying(Revert.Unknown.class, u -> {
            assertThat(u.selector()).isEqualTo("0xdeadbeef");
            assertThat(u.data()).isEqualTo(data);
        });
        assertThat(r.describe()).contains("register its signature");
    }

    @Test
    void revertWithoutDataIsEmpty() {
        assertThat(revertOf(new byte[0])).isEqualTo(new Revert.Empty());
    }

    @Test
    void customErrorsCanComeFromAbiJson() {
        String abi = """
                [{"type":"function","name":"f","inputs":[],"outputs":[]},
                 {"type":"error","name":"TooLate","inputs":[{"name":"deadline","type":"uint64"},{"name":"tag","type":"string"}]}]
                """;
        evm.revertDecoder().registerAbi(abi);
        byte[] tag = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] data = Abi.concat(Hex.decode(dev.clearline.evm.revert.RevertDecoder.selectorOf("TooLate(uint64,string)")),
                Abi.word(BigInteger.valueOf(77)), Abi.word(BigInteger.valueOf(64)), Abi.word(BigInteger.ONE),
                Abi.concat(tag, new byte[31]));

        assertThat(revertOf(data)).isEqualTo(new Revert.CustomError("TooLate(uint64,string)", List.of(BigInteger.valueOf(77), "x")));
    }
}
