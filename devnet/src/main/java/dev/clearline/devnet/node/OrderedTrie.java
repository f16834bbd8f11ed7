package dev.clearline.devnet.node;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpString;
import org.web3j.utils.Numeric;

/**
 * The Merkle-Patricia root of a list keyed by rlp(index), as Ethereum computes
 * transactionsRoot and receiptsRoot. Built once per block from scratch: blocks are small.
 */
final class OrderedTrie {
    private record Item(byte[] nibbles, byte[] value) {}

    private OrderedTrie() {}

    static String root(List<byte[]> values) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            items.add(new Item(nibbles(RlpEncoder.encode(RlpString.create(i))), values.get(i)));
        }
        return Numeric.toHexString(Hash.sha3(node(items, 0)));
    }

    private static byte[] node(List<Item> items, int depth) {
        if (items.size() == 1) {
            Item only = items.get(0);
            return list(string(hexPrefix(only.nibbles(), depth, only.nibbles().length, true)), string(only.value()));
        }
        int common = commonPrefix(items, depth);
        if (common > 0) {
            byte[] key = hexPrefix(items.get(0).nibbles(), depth, depth + common, false);
            return list(string(key), ref(node(items, depth + common)));
        }
        byte[][] children = new byte[17][];
        for (int n = 0; n < 16; n++) {
            List<Item> branch = new ArrayList<>();
            for (Item it : items) if (it.nibbles().length > depth && it.nibbles()[depth] == n) branch.add(it);
            children[n] = branch.isEmpty() ? string(new byte[0]) : ref(node(branch, depth + 1));
        }
        children[16] = string(new byte[0]);
        for (Item it : items) if (it.nibbles().length == depth) children[16] = string(it.value());
        return list(children);
    }

    private static int commonPrefix(List<Item> items, int depth) {
        int len = 0;
        byte[] first = items.get(0).nibbles();
        while (true) {
            int at = depth + len;
            for (Item it : items) {
                if (it.nibbles().length <= at || first.length <= at || it.nibbles()[at] != first[at]) return len;
            }
            len++;
        }
    }

    /** Nodes shorter than 32 bytes are embedded; longer ones are referenced by hash. */
    private static byte[] ref(byte[] encoded) {
        return encoded.length < 32 ? encoded : string(Hash.sha3(encoded));
    }

    private static byte[] hexPrefix(byte[] nibbles, int from, int to, boolean leaf) {
        int len = to - from;
        boolean odd = len % 2 == 1;
        byte[] out = new byte[len / 2 + 1];
        int flag = (leaf ? 2 : 0) + (odd ? 1 : 0);
        int i = from;
        if (odd) out[0] = (byte) (flag << 4 | nibbles[i++]);
        else out[0] = (byte) (flag << 4);
        for (int o = 1; i < to; i += 2, o++) out[o] = (byte) (nibbles[i] << 4 | nibbles[i + 1]);
        return out;
    }

    private static byte[] nibbles(byte[] key) {
        byte[] n = new byte[key.length * 2];
        for (int i = 0; i < key.length; i++) {
            n[2 * i] = (byte) ((key[i] >> 4) & 0xf);
            n[2 * i + 1] = (byte) (key[i] & 0xf);
        }
        return n;
    }

    private static byte[] string(byte[] b) {
        return RlpEncoder.encode(RlpString.create(b));
    }

    private static byte[] list(byte[]... encodedItems) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] e : encodedItems) body.writeBytes(e);
        byte[] payload = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (payload.length < 56) {
            out.write(0xc0 + payload.length);
        } else {
            byte[] len = Numeric.toBytesPadded(java.math.BigInteger.valueOf(payload.length), 4);
            int skip = 0;
            while (len[skip] == 0) skip++;
            out.write(0xf7 + len.length - skip);
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }
}
