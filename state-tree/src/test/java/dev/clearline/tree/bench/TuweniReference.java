package dev.clearline.tree.bench;

import java.lang.reflect.Field;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.rlp.RLP;
import org.apache.tuweni.trie.BranchNode;
import org.apache.tuweni.trie.ExtensionNode;
import org.apache.tuweni.trie.LeafNode;
import org.apache.tuweni.trie.MerklePatriciaTrie;
import org.apache.tuweni.trie.Node;

/** Apache Tuweni's Merkle Patricia trie (Ethereum's state trie shape), the reference in the benchmark. */
final class TuweniReference {
    private final MerklePatriciaTrie<Bytes> trie = MerklePatriciaTrie.storingBytes();

    void put(byte[] key, byte[] value) {
        try {
            trie.putAsync(Bytes.wrap(key), Bytes.wrap(value)).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the Tuweni trie", e);
        }
    }

    byte[] rootHash() {
        return trie.rootHash().toArrayUnsafe();
    }

    /**
     * Bytes of an Ethereum-style proof for {@code key}: the RLP of every hash-referenced node on its
     * path (nodes under 32 bytes are inlined in their parent and not counted twice). Tuweni has no
     * proof API, so this walks its nodes.
     */
    int proofBytes(byte[] key) throws ReflectiveOperationException {
        Field f = MerklePatriciaTrie.class.getDeclaredField("root");
        f.setAccessible(true);
        @SuppressWarnings("unchecked")
        Node<Bytes> node = (Node<Bytes>) f.get(trie);
        int nibble = 0;
        int total = 0;
        boolean first = true;
        while (node != null) {
            Bytes rlp = node.rlp();
            if (first || rlp.size() >= 32) {
                total += rlp.size();
            }
            first = false;
            if (node instanceof BranchNode<Bytes> b) {
                if (nibble >= 64) {
                    break;
                }
                int n = (key[nibble / 2] >> (nibble % 2 == 0 ? 4 : 0)) & 0xF;
                node = b.child((byte) n);
                nibble++;
            } else if (node instanceof ExtensionNode<Bytes> e) {
                Bytes path = RLP.decodeList(rlp, r -> r.readValue());
                int flag = (path.get(0) & 0xFF) >> 4;
                nibble += path.size() * 2 - ((flag & 1) == 1 ? 1 : 2);
                node = e.child();
            } else if (node instanceof LeafNode) {
                break;
            } else {
                break;
            }
        }
        return total;
    }
}
