package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;

/**
 * An order whose signature the verify stage checked: {@code hash} is its EIP-712 digest and
 * {@code order.trader()} its recovered signer. The matcher trusts it; make one through
 * {@link SignatureStage} (benchmarks of the matcher alone may build one directly).
 */
public record VerifiedOrder(Order order, Hash32 hash, Signature signature) implements Verification {}
