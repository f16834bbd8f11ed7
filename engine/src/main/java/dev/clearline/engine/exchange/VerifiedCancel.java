package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;

/** A cancel whose signature recovers to {@code owner}. */
public record VerifiedCancel(Address owner, Hash32 orderHash, Signature signature) implements Verification {}
