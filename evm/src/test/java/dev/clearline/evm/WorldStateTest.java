package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldStateTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final Address BOB = Address.ofLong(0xb0b);
    static final BlockContext BLOCK = BlockContext.of(1, 1, 1);
    static final byte[] STORE_CALLDATA = Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes();

    @Test
    void nestedSnapshotsRestoreBalancesAndStorageAcrossTransactions() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            state.setBalance(ALICE, BigInteger.valueOf(1_000));
            Address store = evm.transact(Message.create(ALICE, Asm.deployer(STORE_CALLDATA)), BLOCK).contractAddress();
            evm.transact(Message.call(ALICE, store, Bytes32.of(1).bytes()), BLOCK).orThrow();

            int outer = state.snapshot();
            evm.transact(Message.transfer(ALICE, BOB, BigInteger.valueOf(100)), BLOCK).orThrow();
            evm.transact(Message.call(ALICE, store, Bytes32.of(2).bytes()), BLOCK).orThrow();
            int inner = state.snapshot();
            evm.transact(Message.transfer(ALICE, BOB, BigInteger.valueOf(50)), BLOCK).orThrow();
            evm.transact(Message.call(ALICE, store, Bytes32.of(3).bytes()), BLOCK).orThrow();

            state.revertTo(inner);
            assertThat(state.balance(BOB)).isEqualTo(BigInteger.valueOf(100));
            assertThat(state.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.of(2));

            state.revertTo(outer);
            assertThat(state.balance(BOB)).isZero();
            assertThat(state.balance(ALICE)).isEqualTo(BigInteger.valueOf(1_000));
            assertThat(state.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.of(1));
            assertThat(state.snapshotDepth()).isZero();
            assertThatThrownBy(() -> state.revertTo(inner)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no snapshot 1");
        }
    }

    @Test
    void committedStateSurvivesReopeningTheDirectory(@TempDir Path dir) {
        Bytes32 first;
        Bytes32 second;
        Address store;
        try (WorldState state = WorldState.open(dir)) {
            Evm evm = new Evm(state);
            state.setBalance(ALICE, BigInteger.valueOf(500));
            store = evm.transact(Message.create(ALICE, Asm.deployer(STORE_CALLDATA)), BLOCK).contractAddress();
            evm.transact(Message.call(ALICE, store, Bytes32.of(0x77).bytes()), BLOCK).orThrow();
            first = state.commit();
            state.setBalance(ALICE, BigInteger.valueOf(1));
            second = state.commit();
            state.setBalance(ALICE, BigInteger.valueOf(2)); // never committed
        }
        assertThat(first).isNotEqualTo(second);
        assertThat(WorldState.head(dir)).contains(second);

        try (WorldState reopened = WorldState.open(dir)) {
            assertThat(reopened.root()).isEqualTo(second);
            assertThat(reopened.balance(ALICE)).isEqualTo(BigInteger.ONE);
            assertThat(reopened.storageAt(store, Bytes32.ZERO)).isEqualTo(Bytes32.of(0x77));
            assertThat(reopened.code(store)).isEqualTo(STORE_CALLDATA);
            assertThat(reopened.nonce(ALICE)).isEqualTo(2);
        }
        try (WorldState older = WorldState.open(dir, first)) {
            assertThat(older.balance(ALICE)).isEqualTo(BigInteger.valueOf(500));
        }
    }

    @Test
    void snapshotsDoNotMoveThePersistedHead(@TempDir Path dir) {
        Bytes32 committed;
        try (WorldState state = WorldState.open(dir)) {
            state.setBalance(ALICE, BigInteger.TEN);
            committed = state.commit();
            state.setBalance(ALICE, BigInteger.TWO);
            int id = state.snapshot();
            state.setBalance(ALICE, BigInteger.ONE);
            state.revertTo(id);
            assertThat(state.balance(ALICE)).isEqualTo(BigInteger.TWO);
        }
        assertThat(WorldState.head(dir)).contains(committed);
        try (WorldState reopened = WorldState.open(dir)) {
            assertThat(reopened.balance(ALICE)).isEqualTo(BigInteger.TEN);
        }
    }

    @Test
    void aDirectoryCanBeOpenedOnlyOnceAtATime(@TempDir Path dir) {
        try (WorldState first = WorldState.open(dir)) {
            assertThatThrownBy(() -> WorldState.open(dir)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another process or WorldState");
            assertThat(first.balance(ALICE)).isZero();
        }
    }

    @Test
    void openingAnUnknownRootSaysWhatToDo(@TempDir Path dir) {
        assertThatThrownBy(() -> WorldState.open(dir, Bytes32.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no state with root");
    }

    @Test
    void accountProofStartsWithTheRootNode() {
        try (WorldState state = WorldState.inMemory()) {
            state.setBalance(ALICE, BigInteger.valueOf(321));
            state.setNonce(ALICE, 4);
            state.setBalance(BOB, BigInteger.ONE);
            Bytes32 root = state.commit();

            AccountProof proof = state.proof(ALICE, List.of(Bytes32.ZERO), root);

            assertThat(proof.balance()).isEqualTo(BigInteger.valueOf(321));
            assertThat(proof.nonce()).isEqualTo(4);
            assertThat(proof.storageHash()).isEqualTo(WorldState.emptyRoot());
            assertThat(proof.accountProof()).isNotEmpty();
            // A Merkle-Patricia proof's first node is the root node: its keccak is the state root.
            assertThat(Keccak.hash(Hex.decode(proof.accountProof().getFirst()))).isEqualTo(root.bytes());
            assertThat(proof.storageProof()).singleElement().satisfies(s -> assertThat(s.value()).isZero());
        }
    }

    @Test
    void accountReadsAndWritesRoundTrip() {
        try (WorldState state = WorldState.inMemory()) {
            assertThat(state.exists(ALICE)).isFalse();
            state.setBalance(ALICE, BigInteger.TWO.pow(200));
            state.setCode(BOB, new byte[] {0x60, 0x00});
            state.setStorageAt(BOB, Bytes32.of(3), Bytes32.of(4));

            assertThat(state.exists(ALICE)).isTrue();
            assertThat(state.balance(ALICE)).isEqualTo(BigInteger.TWO.pow(200));
            assertThat(state.hasCode(BOB)).isTrue();
            assertThat(state.codeHash(BOB).bytes()).isEqualTo(Keccak.hash(new byte[] {0x60, 0x00}));
            assertThat(state.storageAt(BOB, Bytes32.of(3))).isEqualTo(Bytes32.of(4));
        }
    }

    @Test
    void aClosedStateRejectsUseWithAClearMessage() {
        WorldState state = WorldState.inMemory();
        state.close();
        state.close();

        assertThatThrownBy(() -> state.balance(ALICE)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> new Evm(state).call(Message.transfer(ALICE, BOB, BigInteger.ZERO), BLOCK))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badAddressesAreRejectedWithTheirLength() {
        assertThatThrownBy(() -> Address.of("0x1234")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is 2 bytes, an address has 20");
        assertThatThrownBy(() -> new Address(new byte[21])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Address.of("0xzz")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not hex");
    }

    @Test
    void createAddressesMatchKnownVectors() {
        Address sender = Address.of("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");

        assertThat(Arrays.asList(Address.ofCreate(sender, 0), Address.ofCreate(sender, 1), Address.ofCreate(sender, 2)))
                .containsExactly(Address.of("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"),
                        Address.of("0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"),
                        Address.of("0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91"));
    }

    @Test
    void createAddressMatchesTheEvmForLargeNonces() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            for (long nonce : new long[] {127, 128, 255, 256, 70_000}) {
                state.setNonce(ALICE, nonce);
                Address deployed = evm.transact(Message.create(ALICE, Asm.deployer(new byte[] {0})), BLOCK).contractAddress();
                assertThat(deployed).as("nonce %d", nonce).isEqualTo(Address.ofCreate(ALICE, nonce));
            }
        }
    }
}
