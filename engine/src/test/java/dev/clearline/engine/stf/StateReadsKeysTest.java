package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StateReads} takes state keys from the store's own cache: reading a leaf again hands the
 * store the key derived the first time (no second Keccak), the cache is bounded, and a store
 * that keeps no keys still reads right.
 */
class StateReadsKeysTest {
    private static final Address ALICE = Address.fromHex("0x00000000000000000000000000000000000a11ce");

    /** A memory store that remembers the key arrays it was asked for. */
    private static final class Watched implements LeafStore {
        final MemoryLeafStore inner = new MemoryLeafStore();
        final KeyCache keys;
        final List<byte[]> asked = new ArrayList<>();

        Watched(KeyCache keys) {
            this.keys = keys;
        }

        @Override
        public KeyCache keys() {
            return keys;
        }

        @Override
        public byte[] get(byte[] key) {
            asked.add(key);
            return inner.get(key);
        }

        @Override
        public void putAll(List<Write> writes) {
            inner.putAll(writes);
        }
    }

    @Test
    void aSecondReadOfTheSameLeafUsesTheKeyDerivedForTheFirst() {
        Watched s = new Watched(new KeyCache(16));
        s.putAll(List.of(new LeafStore.Write(LeafKeys.balance(ALICE), new BalanceLeaf(7, 0).encode())));
        assertThat(StateReads.balance(s, ALICE).free()).isEqualTo(7);
        assertThat(StateReads.balance(s, ALICE).free()).isEqualTo(7);
        assertThat(StateReads.withdrawal(s, 3)).isNull();
        assertThat(StateReads.withdrawal(s, 3)).isNull();
        assertThat(s.asked).hasSize(4);
        assertThat(s.asked.get(1)).isSameAs(s.asked.get(0));
        assertThat(s.asked.get(3)).isSameAs(s.asked.get(2));
    }

    @Test
    void theCacheIsBoundedAndReadsStayRightWhenItStartsOver() {
        Watched s = new Watched(new KeyCache(2));
        List<Address> owners = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Address a = Address.fromHex(String.format("0x%040x", i));
            owners.add(a);
            s.putAll(List.of(new LeafStore.Write(LeafKeys.balance(a), new BalanceLeaf(i, 0).encode())));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < owners.size(); i++) assertThat(StateReads.balance(s, owners.get(i)).free()).isEqualTo(i + 1);
        }
        // five owners through a two-key cache: the first owner's key was dropped and derived again
        assertThat(s.asked.get(5)).isNotSameAs(s.asked.get(0)).isEqualTo(s.asked.get(0));
    }

    @Test
    void theStoresKeepTheirKeysForAsLongAsTheyLive() {
        TreeLeafStore tree = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore()));
        MemoryLeafStore memory = new MemoryLeafStore();
        assertThat(tree.keys()).isNotNull().isSameAs(tree.keys());
        assertThat(memory.keys()).isNotNull().isSameAs(memory.keys());
        assertThat(StateReads.global(tree)).isEqualTo(StateReads.global(memory));
    }
}
