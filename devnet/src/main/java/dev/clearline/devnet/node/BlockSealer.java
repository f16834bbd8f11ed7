package dev.clearline.devnet.node;

import dev.clearline.evm.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;
import org.web3j.rlp.RlpType;
import org.web3j.utils.Numeric;

/**
 * Turns executed transactions into a block: Shanghai header, its keccak(RLP) hash, MPT
 * transactions and receipts roots, the logs bloom, and receipts and logs stamped with the
 * block hash and their positions.
 */
final class BlockSealer {
    /** keccak256(rlp([])): the ommers hash of every post-merge block. */
    static final String EMPTY_OMMERS = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
    /** The root of an empty Merkle-Patricia trie. */
    static final String EMPTY_TRIE = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
    // The header's constant fields, decoded once rather than per block.
    private static final RlpString OMMERS_FIELD = RlpString.create(Hex.decode(EMPTY_OMMERS));
    private static final RlpString WITHDRAWALS_FIELD = RlpString.create(Hex.decode(EMPTY_TRIE));

    /**
     * What the node chooses for a block beyond its contents: the gas limit, the coinbase (who gets
     * the tips) and the prevRandao ({@code evm_setBlockGasLimit}, {@code hardhat_setCoinbase},
     * {@code hardhat_setPrevRandao} change them; a re-executed block uses the ones it recorded).
     */
    record Settings(long gasLimit, String coinbase, byte[] prevRandao) {}

    BlockSealer() {}

    Block seal(long number, String parentHash, long timestamp, long gasUsed, BigInteger baseFee, byte[] root,
                       List<SignedTx> txs, List<Receipt> receipts, Settings settings) {
        long blockGasLimit = settings.gasLimit();
        byte[] bloom = new byte[Bloom.BYTES];
        List<byte[]> encodedReceipts = new ArrayList<>(receipts.size());
        List<byte[]> rawTxs = new ArrayList<>(txs.size());
        for (SignedTx tx : txs) rawTxs.add(tx.raw());
        for (Receipt r : receipts) {
            byte[] receiptBloom = Hex.decode(r.logsBloom());
            Bloom.or(bloom, receiptBloom);
            encodedReceipts.add(encodeReceipt(r, receiptBloom));
        }
        String txRoot = txs.isEmpty() ? EMPTY_TRIE : OrderedTrie.root(rawTxs);
        String receiptsRoot = receipts.isEmpty() ? EMPTY_TRIE : OrderedTrie.root(encodedReceipts);
        byte[] mixHash = settings.prevRandao();
        List<RlpType> header = List.of(
                RlpString.create(Hex.decode(parentHash)),
                OMMERS_FIELD,
                RlpString.create(Hex.decode(settings.coinbase())),
                RlpString.create(root),
                RlpString.create(Hex.decode(txRoot)),
                RlpString.create(Hex.decode(receiptsRoot)),
                RlpString.create(bloom),
                RlpString.create(BigInteger.ZERO),
                RlpString.create(BigInteger.valueOf(number)),
                RlpString.create(BigInteger.valueOf(blockGasLimit)),
                RlpString.create(BigInteger.valueOf(gasUsed)),
                RlpString.create(BigInteger.valueOf(timestamp)),
                RlpString.create(new byte[0]),
                RlpString.create(mixHash),
                RlpString.create(new byte[8]),
                RlpString.create(baseFee),
                WITHDRAWALS_FIELD);
        String hash = Hex.encode(Hash.sha3(RlpEncoder.encode(new RlpList(header))));
        List<Receipt> stamped = new ArrayList<>();
        int logIndex = 0;
        for (Receipt r : receipts) {
            List<LogEntry> logs = new ArrayList<>();
            for (LogEntry l : r.logs()) {
                logs.add(new LogEntry(l.address(), l.topics(), l.data(), number, hash, l.transactionHash(),
                        l.transactionIndex(), logIndex++));
            }
            stamped.add(new Receipt(r.transactionHash(), r.transactionIndex(), number, hash, r.from(), r.to(),
                    r.contractAddress(), r.cumulativeGasUsed(), r.gasUsed(), r.effectiveGasPrice(), r.success(), logs,
                    r.logsBloom(), r.type(), r.revertData()));
        }
        return new Block(number, hash, parentHash, timestamp, blockGasLimit, gasUsed, baseFee,
                Hex.encode(root), txRoot, receiptsRoot, Hex.encode(bloom), settings.coinbase(), Hex.encode(mixHash), txs,
                stamped);
    }

    /**
     * The block's prevRandao (post-merge mixHash) unless one was set: keccak of the block number as a 32-byte word.
     * A made-up beacon value, but deterministic, so a replayed block gets the same one.
     */
    static byte[] prevRandao(long number) {
        return Hash.sha3(Numeric.toBytesPadded(BigInteger.valueOf(number), 32));
    }

    /** EIP-2718 receipt encoding: [status, cumulativeGas, bloom, logs], prefixed by the type for typed transactions. */
    private static byte[] encodeReceipt(Receipt r, byte[] bloom) {
        List<RlpType> logs = new ArrayList<>();
        for (LogEntry l : r.logs()) {
            List<RlpType> topics = new ArrayList<>(l.topics().size());
            for (String t : l.topics()) topics.add(RlpString.create(Hex.decode(t)));
            logs.add(new RlpList(RlpString.create(Hex.decode(l.address())), new RlpList(topics), RlpString.create(Hex.decode(l.data()))));
        }
        byte[] body = RlpEncoder.encode(new RlpList(RlpString.create(r.success() ? 1 : 0),
                RlpString.create(BigInteger.valueOf(r.cumulativeGasUsed())),
                RlpString.create(bloom), new RlpList(logs)));
        if (r.type() == 0) return body;
        byte[] typed = new byte[body.length + 1];
        typed[0] = (byte) r.type();
        System.arraycopy(body, 0, typed, 1, body.length);
        return typed;
    }
}
