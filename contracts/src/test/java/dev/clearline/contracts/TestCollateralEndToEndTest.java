package dev.clearline.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Bytes32;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Failure;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.evm.revert.Revert;
import dev.clearline.evm.trace.StructLog;
import dev.clearline.evm.trace.StructTrace;
import dev.clearline.evm.trace.TraceRequest;
import dev.clearline.evm.trace.Traced;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * The foundation's end-to-end proof: TestCollateral, compiled by the build's pinned solc, deployed
 * from its generated web3j wrapper's binary into the embedded EVM, then called, reverted, logged
 * and traced.
 */
class TestCollateralEndToEndTest {
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);
    private static final Address MINTER = Address.ofLong(0x1000);
    private static final Address ALICE = Address.ofLong(0xa11ce);
    private static final Address BOB = Address.ofLong(0xb0b);
    private static final BigInteger THOUSAND_TUSD = BigInteger.valueOf(1_000_000_000); // 6 decimals

    private final ContractArtifact artifact = Artifacts.onClasspath().load("TestCollateral");
    private WorldState state;
    private Evm evm;
    private Address token;

    @BeforeEach
    void deployAndMint() {
        state = WorldState.inMemory();
        evm = new Evm(state);
        evm.revertDecoder().registerAbi(artifact.abiJson());
        byte[] initCode = Numeric.hexStringToByteArray(TestCollateral.BINARY
                + FunctionEncoder.encodeConstructor(List.of(new org.web3j.abi.datatypes.Address(MINTER.toHex()))));
        token = evm.transact(Message.create(MINTER, initCode), BLOCK).contractAddress();
        evm.transact(Message.call(MINTER, token, encode(TestCollateral.FUNC_MINT, address(ALICE), uint(THOUSAND_TUSD))), BLOCK)
                .orThrow();
    }

    @AfterEach
    void closeState() {
        state.close();
    }

    @Test
    void deployedCodeIsTheArtifactsRuntimeCodeWithTheMinterFilledIn() {
        byte[] expected = artifact.deployedBytecode();
        byte[] minterWord = Numeric.toBytesPadded(Numeric.toBigInt(MINTER.toHex()), 32);
        assertThat(artifact.immutableRanges()).isNotEmpty().allSatisfy(range -> {
            assertThat(range.length()).isEqualTo(32);
            System.arraycopy(minterWord, 0, expected, range.start(), 32);
        });
        assertThat(state.code(token)).isEqualTo(expected);
    }

    @Test
    void balanceOfReturnsWhatWasMinted() {
        assertThat(balanceOf(ALICE)).isEqualTo(THOUSAND_TUSD);
        assertThat(balanceOf(BOB)).isZero();
        assertThat(uintResult(call(MINTER, encode(TestCollateral.FUNC_DECIMALS)))).isEqualTo(6);
    }

    @Test
    void aTransferMovesTheBalanceAndEmitsATransferEventTheWrapperDecodes() {
        BigInteger amount = BigInteger.valueOf(250_000_000);

        ExecutionResult result = evm.transact(Message.call(ALICE, token, encode(TestCollateral.FUNC_TRANSFER, address(BOB), uint(amount))), BLOCK);

        assertThat(result.succeeded()).as(result.toString()).isTrue();
        assertThat(decode(result.returnData(), new TypeReference<Bool>() {})).isEqualTo(true);
        assertThat(balanceOf(ALICE)).isEqualTo(THOUSAND_TUSD.subtract(amount));
        assertThat(balanceOf(BOB)).isEqualTo(amount);

        assertThat(result.logs()).hasSize(1);
        dev.clearline.evm.Log log = result.logs().getFirst();
        assertThat(log.address()).isEqualTo(token);
        TestCollateral.TransferEventResponse event = TestCollateral.getTransferEventFromLog(toWeb3j(log));
        assertThat(event.from).isEqualTo(ALICE.toHex());
        assertThat(event.to).isEqualTo(BOB.toHex());
        assertThat(event.value).isEqualTo(amount);
        // The artifact's own decoder reads the same log the same way.
        assertThat(artifact.decodeLog(log.topics().stream().map(Bytes32::bytes).toList(), log.data()).orElseThrow().arguments())
                .containsExactly(ALICE.toHex(), BOB.toHex(), amount);
    }

    @Test
    void transferringMoreThanTheBalanceRevertsWithTheDecodedCustomErrorAndChangesNothing() {
        BigInteger tooMuch = THOUSAND_TUSD.add(BigInteger.ONE);

        ExecutionResult result = evm.transact(Message.call(ALICE, token, encode(TestCollateral.FUNC_TRANSFER, address(BOB), uint(tooMuch))), BLOCK);

        assertThat(result.failure()).containsInstanceOf(Failure.Reverted.class);
        Failure.Reverted reverted = (Failure.Reverted) result.failure().orElseThrow();
        assertThat(reverted.reason()).isEqualTo(new Revert.CustomError(
                "InsufficientBalance(address,uint256,uint256)", List.of(ALICE, THOUSAND_TUSD, tooMuch)));
        assertThat(reverted.message()).contains("InsufficientBalance(");
        assertThat(artifact.decodeError(reverted.data()).orElseThrow())
                .hasToString("InsufficientBalance(" + ALICE.toHex() + ", " + THOUSAND_TUSD + ", " + tooMuch + ")");
        assertThat(result.logs()).isEmpty();
        assertThat(balanceOf(ALICE)).isEqualTo(THOUSAND_TUSD);
        assertThat(balanceOf(BOB)).isZero();
    }

    @Test
    void onlyTheMinterMints() {
        ExecutionResult result = evm.transact(Message.call(BOB, token, encode(TestCollateral.FUNC_MINT, address(BOB), uint(BigInteger.TEN))), BLOCK);

        Failure.Reverted reverted = (Failure.Reverted) result.failure().orElseThrow();
        assertThat(reverted.reason()).isEqualTo(new Revert.CustomError("NotMinter(address)", List.of(BOB)));
        assertThat(balanceOf(BOB)).isZero();
    }

    @Test
    void bytecodeThatRevertsOnDeployGivesTheDecodedReasonAndLeavesNoContract() {
        byte[] initCode = Numeric.hexStringToByteArray(TestCollateral.BINARY
                + FunctionEncoder.encodeConstructor(List.of(new org.web3j.abi.datatypes.Address(Address.ZERO.toHex()))));
        Address wouldBe = Address.ofCreate(ALICE, state.nonce(ALICE));

        ExecutionResult result = evm.transact(Message.create(ALICE, initCode), BLOCK);

        Failure.Reverted reverted = (Failure.Reverted) result.failure().orElseThrow();
        assertThat(reverted.reason()).isEqualTo(new Revert.CustomError("ZeroAddress()", List.of()));
        assertThat(reverted.message()).isEqualTo("execution reverted: ZeroAddress()");
        assertThat(state.hasCode(wouldBe)).isFalse();
    }

    @Test
    void aBalanceOfTraceMatchesAnIndependentInterpreterStepForStepAndEndsReturningTheBalance() {
        byte[] input = encode(TestCollateral.FUNC_BALANCEOF, address(ALICE));

        Traced<StructTrace> traced = evm.trace(Message.call(BOB, token, input), BLOCK, ExecutionOptions.DEFAULT,
                TraceRequest.steps().withMemory(), false);

        List<StructLog> steps = traced.trace().structLogs();
        ReferenceInterpreter.Run reference = new ReferenceInterpreter(state.code(token),
                slot -> state.storageAt(token, Bytes32.of(slot)).toBigInteger()).run(input);
        // Opcode count and final stack: the embedded EVM and a second, naive interpreter of the same bytecode agree.
        assertThat(steps).hasSize(reference.steps());
        assertThat(steps.getLast().op()).isEqualTo(reference.haltingOp()).isEqualTo("RETURN");
        assertThat(steps.getLast().stack().orElseThrow()).isEqualTo(reference.finalStack());
        // And the final stack follows from the ABI: RETURN of one 32-byte word (a uint256) holding the balance.
        List<BigInteger> finalStack = steps.getLast().stack().orElseThrow();
        BigInteger offset = finalStack.getLast();
        BigInteger size = finalStack.get(finalStack.size() - 2);
        assertThat(size).isEqualTo(BigInteger.valueOf(32));
        String word = steps.getLast().memory().orElseThrow().get(offset.intValueExact() / 32);
        assertThat(new BigInteger(word, 16)).isEqualTo(THOUSAND_TUSD);
        // The balance was read from the mapping slot keccak(pad32(alice) ++ pad32(slot 1)): solc's layout for balanceOf.
        BigInteger balanceSlot = new BigInteger(1, Hash.sha3(Numeric.hexStringToByteArray(
                Numeric.toHexStringNoPrefixZeroPadded(Numeric.toBigInt(ALICE.toHex()), 64)
                        + Numeric.toHexStringNoPrefixZeroPadded(BigInteger.ONE, 64))));
        assertThat(steps).filteredOn(s -> s.op().equals("SLOAD")).singleElement()
                .satisfies(sload -> assertThat(sload.top()).contains(balanceSlot));
        assertThat(traced.result().returnData()).isEqualTo(reference.output());
    }

    private BigInteger balanceOf(Address account) {
        return uintResult(call(BOB, encode(TestCollateral.FUNC_BALANCEOF, address(account))));
    }

    private ExecutionResult call(Address from, byte[] input) {
        return evm.call(Message.call(from, token, input), BLOCK).orThrow();
    }

    private static BigInteger uintResult(ExecutionResult result) {
        return (BigInteger) decode(result.returnData(), new TypeReference<Uint256>() {});
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Object decode(byte[] returnData, TypeReference<? extends Type> type) {
        List<Type> values = FunctionReturnDecoder.decode(Numeric.toHexString(returnData), List.of((TypeReference<Type>) type));
        return values.getFirst().getValue();
    }

    private static byte[] encode(String function, Type<?>... args) {
        return Numeric.hexStringToByteArray(FunctionEncoder.encode(new Function(function, List.of(args), List.of())));
    }

    private static org.web3j.abi.datatypes.Address address(Address a) {
        return new org.web3j.abi.datatypes.Address(a.toHex());
    }

    private static Uint256 uint(BigInteger v) {
        return new Uint256(v);
    }

    private static Log toWeb3j(dev.clearline.evm.Log log) {
        Log web3jLog = new Log();
        web3jLog.setAddress(log.address().toHex());
        web3jLog.setTopics(log.topics().stream().map(Bytes32::toHex).toList());
        web3jLog.setData(Numeric.toHexString(log.data()));
        return web3jLog;
    }
}
