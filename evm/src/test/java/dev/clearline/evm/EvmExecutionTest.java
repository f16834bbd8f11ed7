package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EvmExecutionTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final Address BOB = Address.ofLong(0xb0b);
    static final BigInteger ETHER = BigInteger.TEN.pow(18);
    static final BlockContext BLOCK = BlockContext.of(31337, 7, 1_700_000_000);

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);

    @AfterEach
    void close() {
        state.close();
    }

    Address deploy(byte[] runtime) {
        state.setBalance(ALICE, state.balance(ALICE).add(ETHER));
        return evm.transact(Message.create(ALICE, Asm.deployer(runtime)), BLOCK).contractAddress();
    }

    @Test
    void deployedContractReturnsItsValueToACall() {
        Address c = deploy(Asm.code().push(42).returnTop().bytes());

        ExecutionResult r = evm.call(Message.call(ALICE, c, new byte[] {1}), BLOCK);

        assertThat(r.succeeded()).isTrue();
        assertThat(new BigInteger(1, r.returnData())).isEqualTo(BigInteger.valueOf(42));
        assertThat(state.code(c)).isEqualTo(Asm.code().push(42).returnTop().bytes());
    }

    @Test
    void creationDeploysToTheAddressDerivedFromSenderAndNonceAndBumpsTheNonce() {
        state.setBalance(ALICE, ETHER);
        state.setNonce(ALICE, 5);

        ExecutionResult r = evm.transact(Message.create(ALICE, Asm.deployer(new byte[] {0})), BLOCK);

        assertThat(r.contractAddress()).isEqualTo(Address.ofCreate(ALICE, 5));
        assertThat(state.nonce(ALICE)).isEqualTo(6);
    }

    @Test
    void rawCreationLeavesTheNonceAloneAndUsesTheCurrentOne() {
        state.setNonce(ALICE, 3);

        ExecutionResult r = evm.transact(Message.create(ALICE, Asm.deployer(new byte[] {0})), BLOCK, ExecutionOptions.RAW);

        assertThat(r.contractAddress()).isEqualTo(Address.ofCreate(ALICE, 3));
        assertThat(state.nonce(ALICE)).isEqualTo(3);
    }

    @Test
    void transactWritesStorageThatLaterReadsSee() {
        // SSTORE(0, calldata[0]); reading contract: return SLOAD(0)
        Address store = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());
        byte[] value = Bytes32.of(0xbeefL).bytes();

        assertThat(evm.transact(Message.call(ALICE, store, value), BLOCK).succeeded()).isTrue();

        assertThat(state.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.of(0xbeefL));
    }

    @Test
    void callDiscardsItsStateChanges() {
        Address store = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());
        Bytes32 rootBefore = state.root();

        ExecutionResult r = evm.call(Message.call(ALICE, store, Bytes32.of(9).bytes()), BLOCK);

        assertThat(r.succeeded()).isTrue();
        assertThat(state.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.ZERO);
        assertThat(state.root()).isEqualTo(rootBefore);
    }

    @Test
    void plainTransferCosts21000GasPaysTheTipToTheCoinbaseAndBurnsTheBaseFee() {
        Address coinbase = Address.ofLong(0xc0ffee);
        BlockContext block = BLOCK.withBaseFee(BigInteger.valueOf(7)).withCoinbase(coinbase);
        state.setBalance(ALICE, ETHER);
        BigInteger price = BigInteger.valueOf(10);
        BigInteger value = BigInteger.valueOf(1234);

        ExecutionResult r = evm.transact(Message.transfer(ALICE, BOB, value).withGasLimit(50_000).withGasPrice(price), block);

        assertThat(r.succeeded()).isTrue();
        assertThat(r.gasUsed()).isEqualTo(21_000);
        assertThat(state.balance(BOB)).isEqualTo(value);
        assertThat(state.balance(ALICE)).isEqualTo(ETHER.subtract(value).subtract(BigInteger.valueOf(21_000 * 10)));
        assertThat(state.balance(coinbase)).isEqualTo(BigInteger.valueOf(21_000 * 3));
        assertThat(state.nonce(ALICE)).isEqualTo(1);
    }

    @Test
    void clearingAStorageSlotEarnsARefundCappedAtAFifthOfTheGasUsed() {
        Address store = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());
        evm.transact(Message.call(ALICE, store, Bytes32.of(1).bytes()), BLOCK).orThrow();

        ExecutionResult clear = evm.transact(Message.call(ALICE, store, Bytes32.ZERO.bytes()), BLOCK);

        // 21000 + 32 zero calldata bytes * 4 + PUSH,CALLDATALOAD,PUSH (9) + warm-less SSTORE reset (2900 + 2100 cold)
        long gross = 21_000 + 128 + 9 + 5_000;
        assertThat(clear.gasRefunded()).isEqualTo(Math.min(4_800, gross / 5));
        assertThat(clear.gasUsed()).isEqualTo(gross - clear.gasRefunded());
    }

    @Test
    void logsComeBackWithAddressTopicsAndData() {
        // MSTORE(0, 0x2a); LOG2(0, 32, topic1=7, topic0=0xabc)
        Address emitter = deploy(Asm.code().push(0x2a).push(0).op("MSTORE")
                .push(7).push(0xabc).push(32).push(0).op("LOG2", "STOP").bytes());

        ExecutionResult r = evm.transact(Message.call(ALICE, emitter, new byte[] {1}), BLOCK);

        assertThat(r.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(0xabc), Bytes32.of(7)), Bytes32.of(0x2a).bytes()));
    }

    @Test
    void logsOfARevertedCallAreDropped() {
        Address emitter = deploy(Asm.code().push(0).push(0).op("LOG0").push(0).push(0).op("REVERT").bytes());

        ExecutionResult r = evm.transact(Message.call(ALICE, emitter, new byte[] {1}), BLOCK);

        assertThat(r.succeeded()).isFalse();
        assertThat(r.logs()).isEmpty();
    }

    @Test
    void blockContextReachesTheOpcodes() {
        Address coinbase = Address.ofLong(0xc0);
        Bytes32 randao = Bytes32.of(0x5eed);
        BlockContext block = BlockContext.of(4242, 100, 1_800_000_000).withBaseFee(BigInteger.valueOf(3))
                .withCoinbase(coinbase).withGasLimit(25_000_000).withPrevRandao(randao)
                .withBlockHashes(n -> Optional.of(Bytes32.of(1_000 + n)));
        Asm program = Asm.code();
        String[] ops = {"NUMBER", "TIMESTAMP", "CHAINID", "BASEFEE", "COINBASE", "GASLIMIT", "PREVRANDAO"};
        for (int i = 0; i < ops.length; i++) {
            program.op(ops[i]).push(32L * i).op("MSTORE");
        }
        program.push(98).op("BLOCKHASH").push(32L * ops.length).op("MSTORE");
        program.push(32L * (ops.length + 1)).push(0).op("RETURN");
        state.setBalance(ALICE, ETHER);
        Address c = evm.transact(Message.create(ALICE, Asm.deployer(program.bytes())), block).contractAddress();

        byte[] out = evm.call(Message.call(ALICE, c, new byte[] {1}), block).orThrow().returnData();

        List<BigInteger> words = new java.util.ArrayList<>();
        for (int i = 0; i < out.length; i += 32) {
            words.add(new BigInteger(1, java.util.Arrays.copyOfRange(out, i, i + 32)));
        }
        assertThat(words).containsExactly(BigInteger.valueOf(100), BigInteger.valueOf(1_800_000_000), BigInteger.valueOf(4242),
                BigInteger.valueOf(3), new BigInteger(1, coinbase.bytes()), BigInteger.valueOf(25_000_000),
                randao.toBigInteger(), BigInteger.valueOf(1_098));
    }

    @Test
    void callWithDataToAnAddressWithoutCodeSaysToDeployFirstAndChangesNothing() {
        state.setBalance(ALICE, ETHER);
        Bytes32 root = state.root();

        ExecutionResult r = evm.transact(Message.call(ALICE, BOB, new byte[] {1, 2, 3}).withGasPrice(BigInteger.ONE), BLOCK);

        assertThat(r.failure()).containsInstanceOf(Failure.NoContract.class);
        assertThat(r.failure().orElseThrow().message()).isEqualTo("no contract at " + BOB + "; deploy it first or check the address");
        assertThat(state.root()).isEqualTo(root);
        assertThatThrownBy(r::orThrow).isInstanceOf(ExecutionFailedException.class).hasMessageContaining("deploy it first");
    }

    @Test
    void ethereumOptionsLetDataGoToAnAddressWithoutCodeLikeANodeDoes() {
        state.setBalance(ALICE, ETHER);

        ExecutionResult r = evm.transact(Message.call(ALICE, BOB, new byte[] {1, 0}), BLOCK, ExecutionOptions.ETHEREUM);

        assertThat(r.succeeded()).isTrue();
        assertThat(r.gasUsed()).isEqualTo(21_000 + 16 + 4);
    }

    @Test
    void runningOutOfGasHaltsWithAMessageThatPointsToEstimation() {
        Address store = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());

        ExecutionResult r = evm.transact(Message.call(ALICE, store, Bytes32.of(1).bytes()).withGasLimit(25_000), BLOCK);

        assertThat(r.failure()).containsInstanceOf(Failure.Halted.class);
        assertThat(r.failure().orElseThrow().message()).contains("out of gas").contains("estimateGas");
        assertThat(r.gasUsed()).isEqualTo(25_000);
        assertThat(state.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.ZERO);
    }

    @Test
    void estimatedGasIsTheSmallestLimitThatSucceeds() {
        Address store = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());
        Message write = Message.call(ALICE, store, Bytes32.of(5).bytes());

        GasEstimate estimate = evm.estimateGas(write, BLOCK);

        assertThat(estimate.succeeded()).isTrue();
        assertThat(evm.call(write.withGasLimit(estimate.gasLimit()), BLOCK).succeeded()).isTrue();
        assertThat(evm.call(write.withGasLimit(estimate.gasLimit() - 1), BLOCK).succeeded()).isFalse();
        assertThat(state.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.ZERO);
    }

    @Test
    void estimationOfAPricedMessageStaysWithinWhatTheSenderCanPay() {
        Address store = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());
        state.setBalance(BOB, BigInteger.valueOf(100_000 * 10));
        Message write = Message.call(BOB, store, Bytes32.of(5).bytes()).withGasPrice(BigInteger.TEN);

        GasEstimate estimate = evm.estimateGas(write, BLOCK);

        assertThat(estimate.succeeded()).isTrue();
        assertThat(estimate.gasLimit()).isBetween(21_000L + 22_100L, 100_000L);
        assertThat(evm.transact(write.withGasLimit(estimate.gasLimit()), BLOCK).succeeded()).isTrue();
    }

    @Test
    void estimatingARevertingCallReportsTheRevert() {
        Address reverter = deploy(Asm.reverting(Abi.errorString("closed")));

        GasEstimate estimate = evm.estimateGas(Message.call(ALICE, reverter, new byte[] {1}), BLOCK);

        assertThat(estimate.succeeded()).isFalse();
        assertThat(estimate.execution().failure().orElseThrow().message()).isEqualTo("execution reverted: Error(\"closed\")");
    }

    @Test
    void invalidTransactionsAreRejectedWithoutTouchingState() {
        state.setBalance(ALICE, BigInteger.valueOf(100_000));
        Bytes32 root = state.root();

        Failure wrongNonce = evm.transact(Message.transfer(ALICE, BOB, BigInteger.ONE).withGasLimit(21_000).withNonce(3), BLOCK)
                .failure().orElseThrow();
        Failure tooPoor = evm.transact(Message.transfer(ALICE, BOB, BigInteger.ONE).withGasLimit(21_000).withGasPrice(BigInteger.TEN), BLOCK)
                .failure().orElseThrow();
        Failure tooLittleGas = evm.transact(Message.transfer(ALICE, BOB, BigInteger.ONE).withGasLimit(20_999), BLOCK)
                .failure().orElseThrow();

        assertThat(wrongNonce.message()).contains("send with nonce 0");
        assertThat(tooPoor.message()).contains("fund the sender");
        assertThat(tooLittleGas.message()).contains("intrinsic gas 21000");
        assertThat(List.of(wrongNonce, tooPoor, tooLittleGas)).allMatch(f -> f instanceof Failure.Invalid);
        assertThat(state.root()).isEqualTo(root);
    }
}
