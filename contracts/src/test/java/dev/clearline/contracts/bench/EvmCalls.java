package dev.clearline.contracts.bench;

import dev.clearline.contracts.Artifacts;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.utils.Numeric;

/**
 * Calls per second of the embedded EVM ({@code eth_call}-style: state changes discarded) on two
 * workloads: the token's {@code balanceOf}, a small view (one SLOAD), and {@code KeccakLoop.chain},
 * a pure function hashing {@code rounds} times.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EvmCalls {
    static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);
    static final Address MINTER = Address.ofLong(0x1000);
    static final Address ALICE = Address.ofLong(0xa11ce);

    /** Keccak rounds per call of the keccak-heavy workload. */
    @Param({"1000"})
    public int rounds;

    private WorldState state;
    private Evm evm;
    private Message emptyCall;
    private Message balanceOf;
    private Message keccakChain;

    @Setup(Level.Trial)
    public void deploy() {
        state = WorldState.inMemory();
        evm = new Evm(state);
        Workloads workloads = Workloads.deploy(evm, rounds);
        emptyCall = workloads.emptyCall();
        balanceOf = workloads.balanceOf();
        keccakChain = workloads.keccakChain();
    }

    @TearDown(Level.Trial)
    public void close() {
        state.close();
    }

    /** The floor: a call into code that is a single STOP, so everything measured is per-call overhead. */
    @Benchmark
    public ExecutionResult emptyCall() {
        return evm.call(emptyCall, BLOCK);
    }

    @Benchmark
    public ExecutionResult balanceOf() {
        return evm.call(balanceOf, BLOCK);
    }

    @Benchmark
    public ExecutionResult keccakChain() {
        return evm.call(keccakChain, BLOCK);
    }

    /** The two deployed workloads as ready-to-run messages. */
    record Workloads(Message emptyCall, Message balanceOf, Message keccakChain) {
        /** Init code PUSH1 1, PUSH0, RETURN: deploys the one-byte runtime code 0x00 (STOP). */
        private static final byte[] STOP_CONTRACT = {0x60, 0x01, 0x5f, (byte) 0xf3};

        static Workloads deploy(Evm evm, int rounds) {
            Address stop = evm.transact(Message.create(MINTER, STOP_CONTRACT), BLOCK).contractAddress();
            Address token = evm.transact(Message.create(MINTER, creation("TestCollateral",
                    new org.web3j.abi.datatypes.Address(MINTER.toHex()))), BLOCK).contractAddress();
            evm.transact(Message.call(MINTER, token, encode("mint", address(ALICE), new Uint256(1_000_000_000))), BLOCK).orThrow();
            Address loop = evm.transact(Message.create(MINTER, creation("KeccakLoop")), BLOCK).contractAddress();
            return new Workloads(
                    Message.call(ALICE, stop, new byte[0]),
                    Message.call(ALICE, token, encode("balanceOf", address(ALICE))),
                    Message.call(ALICE, loop, encode("chain", new Bytes32(new byte[32]), new Uint256(rounds)))
                            .withGasLimit(BLOCK.gasLimit()));
        }

        private static byte[] creation(String contract, Type<?>... constructorArgs) {
            String code = Numeric.toHexString(Artifacts.onClasspath().load(contract).creationBytecode());
            return Numeric.hexStringToByteArray(code + FunctionEncoder.encodeConstructor(List.of(constructorArgs)));
        }

        private static byte[] encode(String function, Type<?>... args) {
            return Numeric.hexStringToByteArray(FunctionEncoder.encode(new Function(function, List.of(args), List.of())));
        }

        private static org.web3j.abi.datatypes.Address address(Address a) {
            return new org.web3j.abi.datatypes.Address(a.toHex());
        }
    }
}
