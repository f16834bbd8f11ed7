package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.devnet.node.Block;
import dev.clearline.devnet.node.LogEntry;
import dev.clearline.devnet.node.Receipt;
import dev.clearline.devnet.node.SignedTx;
import java.math.BigInteger;
import java.util.List;
import org.web3j.utils.Numeric;

/** The node's values in the JSON shape of the Ethereum execution API. */
final class JsonViews {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JsonViews() {}

    static String qty(long n) {
        return "0x" + Long.toHexString(n);
    }

    static String qty(BigInteger n) {
        return "0x" + n.toString(16);
    }

    static ObjectNode block(Block b, boolean fullTransactions) {
        ObjectNode o = F.objectNode();
        o.put("number", qty(b.number()));
        o.put("hash", b.hash());
        o.put("parentHash", b.parentHash());
        o.put("nonce", "0x0000000000000000");
        o.put("sha3Uncles", "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
        o.put("logsBloom", b.logsBloom());
        o.put("transactionsRoot", b.transactionsRoot());
        o.put("stateRoot", b.stateRoot());
        o.put("receiptsRoot", b.receiptsRoot());
        o.put("miner", b.miner());
        o.put("difficulty", "0x0");
        o.put("totalDifficulty", "0x0");
        o.put("extraData", "0x");
        o.put("size", qty(1000 + b.transactions().stream().mapToLong(t -> t.raw().length).sum()));
        o.put("gasLimit", qty(b.gasLimit()));
        o.put("gasUsed", qty(b.gasUsed()));
        o.put("timestamp", qty(b.timestamp()));
        o.put("mixHash", b.mixHash());
        o.put("baseFeePerGas", qty(b.baseFeePerGas()));
        o.put("withdrawalsRoot", "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
        o.putArray("withdrawals");
        o.putArray("uncles");
        ArrayNode txs = o.putArray("transactions");
        for (int i = 0; i < b.transactions().size(); i++) {
            SignedTx t = b.transactions().get(i);
            if (fullTransactions) txs.add(transaction(t, b, i));
            else txs.add(t.hash());
        }
        return o;
    }

    /**
     * The block being built, as geth shows its pending block: hash, nonce and miner null (it is not
     * sealed), its transactions as pending ones (no block hash, number or index yet).
     */
    static ObjectNode pendingBlock(Block b, boolean fullTransactions) {
        ObjectNode o = block(b, false);
        o.putNull("hash");
        o.putNull("nonce");
        o.putNull("miner");
        if (fullTransactions) {
            ArrayNode txs = o.putArray("transactions");
            for (int i = 0; i < b.transactions().size(); i++) txs.add(transaction(b.transactions().get(i), null, i));
        }
        return o;
    }

    static ObjectNode transaction(SignedTx t, Block b, int index) {
        ObjectNode o = F.objectNode();
        o.put("hash", t.hash());
        o.put("type", qty(t.type()));
        o.put("nonce", qty(t.nonce()));
        o.put("from", t.from());
        if (t.to() == null) o.putNull("to"); else o.put("to", t.to());
        o.put("value", qty(t.value()));
        o.put("gas", qty(t.gasLimit()));
        o.put("input", Numeric.toHexString(t.data()));
        if (t.type() == 2) {
            o.put("maxFeePerGas", qty(t.maxFeePerGas()));
            o.put("maxPriorityFeePerGas", qty(t.maxPriorityFeePerGas()));
            o.put("gasPrice", qty(b == null ? t.maxFeePerGas() : t.effectiveGasPrice(b.baseFeePerGas())));
        } else {
            o.put("gasPrice", qty(t.maxFeePerGas()));
        }
        if (t.type() != 0) {
            ArrayNode list = o.putArray("accessList");
            if (t.accessListAddresses() > 0) {
                for (org.web3j.crypto.AccessListObject e : accessListOf(t)) {
                    ObjectNode entry = list.addObject();
                    entry.put("address", Numeric.prependHexPrefix(e.getAddress()).toLowerCase());
                    ArrayNode keys = entry.putArray("storageKeys");
                    for (String k : e.getStorageKeys()) keys.add(Numeric.prependHexPrefix(k).toLowerCase());
                }
            }
            o.put("yParity", qty(t.v()));
        }
        if (t.chainId() != null) o.put("chainId", qty(t.chainId()));
        o.put("v", qty(t.v()));
        o.put("r", qty(t.r()));
        o.put("s", qty(t.s()));
        if (b == null) {
            o.putNull("blockHash");
            o.putNull("blockNumber");
            o.putNull("transactionIndex");
        } else {
            o.put("blockHash", b.hash());
            o.put("blockNumber", qty(b.number()));
            o.put("transactionIndex", qty(index));
        }
        return o;
    }

    /** A typed transaction's access list, read back from its envelope (the node keeps only its size, for the gas rules). */
    private static List<org.web3j.crypto.AccessListObject> accessListOf(SignedTx t) {
        var tx = org.web3j.crypto.TransactionDecoder.decode(Numeric.toHexString(t.raw())).getTransaction();
        List<org.web3j.crypto.AccessListObject> list = tx instanceof org.web3j.crypto.transaction.type.Transaction1559 d ? d.getAccessList()
                : tx instanceof org.web3j.crypto.transaction.type.Transaction2930 d ? d.getAccessList() : null;
        return list == null ? List.of() : list;
    }

    static ObjectNode receipt(Receipt r) {
        ObjectNode o = F.objectNode();
        o.put("transactionHash", r.transactionHash());
        o.put("transactionIndex", qty(r.transactionIndex()));
        o.put("blockHash", r.blockHash());
        o.put("blockNumber", qty(r.blockNumber()));
        o.put("from", r.from());
        if (r.to() == null) o.putNull("to"); else o.put("to", r.to());
        if (r.contractAddress() == null) o.putNull("contractAddress"); else o.put("contractAddress", r.contractAddress());
        o.put("cumulativeGasUsed", qty(r.cumulativeGasUsed()));
        o.put("gasUsed", qty(r.gasUsed()));
        o.put("effectiveGasPrice", qty(r.effectiveGasPrice()));
        o.put("status", r.success() ? "0x1" : "0x0");
        o.put("type", qty(r.type()));
        o.put("logsBloom", r.logsBloom());
        ArrayNode logs = o.putArray("logs");
        for (LogEntry l : r.logs()) logs.add(log(l));
        return o;
    }

    static ObjectNode log(LogEntry l) {
        ObjectNode o = F.objectNode();
        o.put("address", l.address());
        ArrayNode topics = o.putArray("topics");
        l.topics().forEach(topics::add);
        o.put("data", l.data());
        o.put("blockNumber", qty(l.blockNumber()));
        o.put("blockHash", l.blockHash());
        o.put("transactionHash", l.transactionHash());
        o.put("transactionIndex", qty(l.transactionIndex()));
        o.put("logIndex", qty(l.logIndex()));
        o.put("removed", false);
        return o;
    }
}
