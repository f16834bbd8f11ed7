package dev.clearline.engine.order;

import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.abi.Keccak;

import java.nio.charset.StandardCharsets;

/**
 * EIP-712 hashing for every message Clearline signs. The domain is
 * {@code EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)} with
 * name "Clearline" and version "1", so a signature is bound to one chain and one rollup contract.
 */
public final class Eip712 {
    public static final String ORDER_TYPE = "Order(address trader,uint32 market,bool isBuy,uint64 price,uint64 size,"
            + "uint64 displaySize,uint8 timeInForce,uint8 flags,uint8 peg,int32 pegOffset,uint64 expiry,uint64 nonce,uint64 margin)";
    public static final String CANCEL_TYPE = "Cancel(address owner,bytes32 orderHash)";
    public static final String ALLOCATE_TYPE = "Allocate(address owner,uint32 market,uint64 amount,uint64 nonce)";
    public static final String RELEASE_TYPE = "Release(address owner,uint32 market,uint64 amount,uint64 nonce)";
    public static final String WITHDRAW_TYPE = "Withdraw(address owner,address recipient,uint64 amount,uint64 nonce)";
    public static final String ORACLE_PRICE_TYPE = "OraclePrice(uint32 market,uint64 price,int64 fundingIndex,uint64 timestamp)";
    /** The node's dead man's switch: not an L1 transition, no contract reads it (docs/api.md, "Cancel all after"). */
    public static final String CANCEL_ALL_AFTER_TYPE = "CancelAllAfter(address owner,uint64 deadline,uint64 nonce)";
    static final String DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

    private static final byte[] ORDER_TYPEHASH = typeHash(ORDER_TYPE);
    private static final byte[] CANCEL_TYPEHASH = typeHash(CANCEL_TYPE);
    private static final byte[] ALLOCATE_TYPEHASH = typeHash(ALLOCATE_TYPE);
    private static final byte[] RELEASE_TYPEHASH = typeHash(RELEASE_TYPE);
    private static final byte[] WITHDRAW_TYPEHASH = typeHash(WITHDRAW_TYPE);
    private static final byte[] ORACLE_TYPEHASH = typeHash(ORACLE_PRICE_TYPE);
    private static final byte[] CANCEL_ALL_AFTER_TYPEHASH = typeHash(CANCEL_ALL_AFTER_TYPE);

    private final long chainId;
    private final Address verifyingContract;
    private final byte[] domainSeparator;

    public Eip712(long chainId, Address verifyingContract) {
        this.chainId = chainId;
        this.verifyingContract = verifyingContract;
        this.domainSeparator = Keccak.hash(new AbiWriter(5)
                .bytes32(typeHash(DOMAIN_TYPE))
                .bytes32(Keccak.hash("Clearline".getBytes(StandardCharsets.UTF_8)))
                .bytes32(Keccak.hash("1".getBytes(StandardCharsets.UTF_8)))
                .uint(chainId)
                .address(verifyingContract.bytes())
                .toBytes());
    }

    public long chainId() {
        return chainId;
    }

    public Address verifyingContract() {
        return verifyingContract;
    }

    public Hash32 domainSeparator() {
        return new Hash32(domainSeparator);
    }

    /** The order's EIP-712 digest; also its identity in the state tree (the ORDER key's orderHash). */
    public Hash32 orderDigest(Order o) {
        return digest(new AbiWriter(14)
                .bytes32(ORDER_TYPEHASH)
                .address(o.trader().bytes())
                .uint(o.marketId() & 0xffffffffL)
                .bool(o.isBuy())
                .uint(o.price())
                .uint(o.size())
                .uint(o.displaySize())
                .uint(o.timeInForce().code())
                .uint(o.flags() & 0xff)
                .uint(o.peg().code())
                .int64(o.pegOffset())
                .uint(o.expiry())
                .uint(o.nonce())
                .uint(o.margin())
                .toBytes());
    }

    public Hash32 cancelDigest(Address owner, Hash32 orderHash) {
        return digest(new AbiWriter(3).bytes32(CANCEL_TYPEHASH).address(owner.bytes()).bytes32(orderHash.bytes()).toBytes());
    }

    public Hash32 allocateDigest(Address owner, int marketId, long amount, long nonce) {
        return marginDigest(ALLOCATE_TYPEHASH, owner, marketId, amount, nonce);
    }

    public Hash32 releaseDigest(Address owner, int marketId, long amount, long nonce) {
        return marginDigest(RELEASE_TYPEHASH, owner, marketId, amount, nonce);
    }

    public Hash32 withdrawDigest(Address owner, Address recipient, long amount, long nonce) {
        return digest(new AbiWriter(5).bytes32(WITHDRAW_TYPEHASH).address(owner.bytes()).address(recipient.bytes())
                .uint(amount).uint(nonce).toBytes());
    }

    /** A trader's order to its node: cancel all of its orders once the node's clock reaches {@code deadline} (0: never). */
    public Hash32 cancelAllAfterDigest(Address owner, long deadline, long nonce) {
        return digest(new AbiWriter(4).bytes32(CANCEL_ALL_AFTER_TYPEHASH).address(owner.bytes()).uint(deadline).uint(nonce).toBytes());
    }

    public Hash32 oraclePriceDigest(int marketId, long price, long fundingIndex, long timestamp) {
        return digest(new AbiWriter(5).bytes32(ORACLE_TYPEHASH).uint(marketId & 0xffffffffL).uint(price)
                .int64(fundingIndex).uint(timestamp).toBytes());
    }

    private Hash32 marginDigest(byte[] typeHash, Address owner, int marketId, long amount, long nonce) {
        return digest(new AbiWriter(5).bytes32(typeHash).address(owner.bytes()).uint(marketId & 0xffffffffL)
                .uint(amount).uint(nonce).toBytes());
    }

    private Hash32 digest(byte[] encodedStruct) {
        byte[] structHash = Keccak.hash(encodedStruct);
        byte[] msg = new byte[66];
        msg[0] = 0x19;
        msg[1] = 0x01;
        System.arraycopy(domainSeparator, 0, msg, 2, 32);
        System.arraycopy(structHash, 0, msg, 34, 32);
        return new Hash32(Keccak.hash(msg));
    }

    private static byte[] typeHash(String type) {
        return Keccak.hash(type.getBytes(StandardCharsets.US_ASCII));
    }
}
