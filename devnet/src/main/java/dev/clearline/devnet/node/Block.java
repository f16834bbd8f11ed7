package dev.clearline.devnet.node;

import java.math.BigInteger;
import java.util.List;

/**
 * A mined block: its header fields, its transactions (decoded) and their receipts, in order.
 * The hash is keccak256 of the RLP header in the Shanghai layout.
 */
public record Block(long number, String hash, String parentHash, long timestamp, long gasLimit, long gasUsed,
                    BigInteger baseFeePerGas, String stateRoot, String transactionsRoot, String receiptsRoot,
                    String logsBloom, String miner, String mixHash, List<SignedTx> transactions,
                    List<Receipt> receipts) {

    public Block {
        transactions = List.copyOf(transactions);
        receipts = List.copyOf(receipts);
    }
}
