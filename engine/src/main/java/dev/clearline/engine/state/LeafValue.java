package dev.clearline.engine.state;

/**
 * A leaf's value as its record: every leaf type encodes itself to the ABI words the tree hashes
 * (docs/protocol.md section 3), and {@code decode(encode(x))} is {@code x} for each of them
 * ({@code LeafRoundTripProperties}), so a store may keep the record and encode it only when asked.
 */
public sealed interface LeafValue permits BalanceLeaf, GlobalLeaf, MarketLeaf, OrderHashLeaf, OrderLeaf, PositionLeaf, WithdrawalLeaf {
    byte[] encode();
}
