package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.horizen.evm.ForkRules;
import io.horizen.evm.Hash;
import io.horizen.evm.params.AccessParams;
import io.horizen.evm.params.AccountParams;
import io.horizen.evm.params.BalanceParams;
import io.horizen.evm.params.HandleParams;
import io.horizen.evm.params.NonceParams;
import io.horizen.evm.params.SetTxContextParams;
import io.horizen.evm.params.SnapshotParams;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON written by {@link LibEvmDirect} is what libevm's own mapper writes for the same call. */
class LibEvmDirectTest {
    static final Address A = Address.of("0x00000000000000000000000000000000000000b0");
    static final Address B = Address.of("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");

    static String libevm(Object params) throws Exception {
        Method toJson = Class.forName("io.horizen.evm.Converter").getDeclaredMethod("toJson", Object.class);
        toJson.setAccessible(true);
        return (String) toJson.invoke(null, params);
    }

    static io.horizen.evm.Address addr(Address a) {
        return new io.horizen.evm.Address(a.bytes());
    }

    @Test
    void theFastPathIsInUse() {
        assertThat(LibEvmDirect.AVAILABLE).as("libevm's Invoke, FreeBuffer and handle are reachable").isTrue();
        assertThat(LibEvmDirect.byteBinding()).as("Invoke is bound with byte-array arguments").isTrue();
    }

    @Test
    void theByteBindingAnswersAndRefuses() {
        // A real answer for a real state handle, and libevm's refusal, read back, for one it does not know.
        try (WorldState state = WorldState.inMemory()) {
            state.setBalance(B, BigInteger.valueOf(42));
            assertThat(state.balance(B)).isEqualTo(BigInteger.valueOf(42));
        }
        assertThatThrownBy(() -> LibEvmDirect.call("StateGetBalance", LibEvmDirect.account(987_654, B)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("StateGetBalance refused");
    }

    @Test
    void requestsAreWrittenAsLibevmWritesThem() throws Exception {
        for (BigInteger wei : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, BigInteger.valueOf(255), BigInteger.TWO.pow(256).subtract(BigInteger.ONE)}) {
            assertThat(LibEvmDirect.amount(7, B, wei)).isEqualTo(libevm(new BalanceParams(7, addr(B), wei)));
        }
        for (long n : new long[] {0, 1, 16, Long.MAX_VALUE}) {
            assertThat(LibEvmDirect.nonce(3, A, n)).isEqualTo(libevm(new NonceParams(3, addr(A), BigInteger.valueOf(n))));
        }
        assertThat(LibEvmDirect.account(2, B)).isEqualTo(libevm(new AccountParams(2, addr(B))));
        assertThat(LibEvmDirect.access(2, A, B, A)).isEqualTo(libevm(new AccessParams(2, addr(A), addr(B), addr(A), new ForkRules(true))));
        assertThat(LibEvmDirect.access(2, A, null, B)).isEqualTo(libevm(new AccessParams(2, addr(A), null, addr(B), new ForkRules(true))));
        assertThat(LibEvmDirect.handleOnly(9)).isEqualTo(libevm(new HandleParams(9)));
        Bytes32 tx = Bytes32.of(0xabcdef);
        assertThat(LibEvmDirect.txContext(4, tx)).isEqualTo(libevm(new SetTxContextParams(4, new Hash(tx.bytes()), 0)));
        assertThat(LibEvmDirect.revision(4, 12)).isEqualTo(libevm(new SnapshotParams(4, 12)));
    }

    @Test
    void applyIsWrittenAsLibevmWritesIt() throws Exception {
        BlockContext block = new BlockContext(17, 1_700_000_123L, 31337, BigInteger.valueOf(875_000_000L), B, 30_000_000L,
                Bytes32.of(0x1234), BlockHashes.NONE);
        io.horizen.evm.EvmContext context = new io.horizen.evm.EvmContext(BigInteger.valueOf(31337), addr(B), BigInteger.valueOf(30_000_000L),
                BigInteger.valueOf(1_000_000_007L), BigInteger.valueOf(17), BigInteger.valueOf(1_700_000_123L), BigInteger.valueOf(875_000_000L),
                new Hash(Bytes32.of(0x1234).bytes()), new ForkRules(true));
        try (io.horizen.evm.BlockHashCallback hashes = new io.horizen.evm.BlockHashCallback() {
            @Override
            protected Hash getBlockHash(BigInteger number) {
                return Hash.ZERO;
            }
        }) {
            context.setBlockHashCallback(hashes);
            for (byte[] input : new byte[][] {new byte[0], {1, 2, 3}, new byte[100]}) {
                for (Address callee : new Address[] {A, null}) {
                    for (BigInteger value : new BigInteger[] {BigInteger.ZERO, BigInteger.TWO.pow(200)}) {
                        io.horizen.evm.Invocation invocation = new io.horizen.evm.Invocation(addr(B), callee == null ? null : addr(callee),
                                value, input, BigInteger.valueOf(50_000), false);
                        assertThat(LibEvmDirect.apply(5, B, callee, value, input, 50_000, block, BigInteger.valueOf(1_000_000_007L), hashes.handle))
                                .isEqualTo(libevm(new io.horizen.evm.params.EvmParams(5, invocation, context)));
                    }
                }
            }
        }
    }

    @Test
    void applyAndLogAnswersAreRead() {
        LibEvmDirect.Applied created = LibEvmDirect.applied("{\"returnData\":\"AQID\",\"leftOverGas\":\"0xc350\",\"executionError\":\"\","
                + "\"reverted\":false,\"contractAddress\":\"0xbd770416a3345f91e4b34576cb804a576fa48eb1\"}");
        assertThat(created.returnData()).containsExactly(1, 2, 3);
        assertThat(created.leftOverGas()).isEqualTo(50_000);
        assertThat(created.contractAddress()).isEqualTo(Address.of("0xbd770416a3345f91e4b34576cb804a576fa48eb1"));
        LibEvmDirect.Applied failed = LibEvmDirect.applied("{\"returnData\":\"\",\"leftOverGas\":\"0x0\","
                + "\"executionError\":\"invalid opcode: \\\"TLOAD\\\"\",\"reverted\":true,\"contractAddress\":null}");
        assertThat(failed.executionError()).isEqualTo("invalid opcode: \"TLOAD\"");
        assertThat(failed.reverted()).isTrue();
        assertThat(failed.contractAddress()).isNull();
        assertThat(LibEvmDirect.logsOf("null")).isEmpty();
        List<Log> logs = LibEvmDirect.logsOf("[{\"address\":\"" + A.toHex() + "\",\"topics\":[\"" + Bytes32.of(7).toHex() + "\"],\"data\":\"AQID\"},"
                + "{\"address\":\"" + B.toHex() + "\",\"topics\":[],\"data\":null}]");
        assertThat(logs).hasSize(2);
        assertThat(logs.get(0).address()).isEqualTo(A);
        assertThat(logs.get(0).topics()).containsExactly(Bytes32.of(7));
        assertThat(logs.get(0).data()).containsExactly(1, 2, 3);
        assertThat(logs.get(1).data()).isEmpty();
    }

    @Test
    void aRefusedCallSaysWhatWasRefused() {
        try (WorldState state = WorldState.inMemory()) {
            state.setBalance(A, BigInteger.TEN); // loads libevm
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LibEvmDirect.call("StateGetBalance", LibEvmDirect.account(999_999, A)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("StateGetBalance").hasMessageContaining("999999");
        }
    }
}
