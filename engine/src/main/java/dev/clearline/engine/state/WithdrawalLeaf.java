package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;

/** {@code abi.encode(address recipient, uint64 amount)}: claimable on L1 once its batch is final. */
public record WithdrawalLeaf(Address recipient, long amount) implements LeafValue {
    public byte[] encode() {
        return new AbiWriter(2).address(recipient.bytes()).uint(amount).toBytes();
    }

    public static WithdrawalLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 2);
        return new WithdrawalLeaf(new Address(r.address()), r.uint(63));
    }
}
