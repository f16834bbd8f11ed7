package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;

/** A signed request to cancel an order ({@code Cancel(address owner,bytes32 orderHash)}). */
public record CancelRequest(Address owner, Hash32 orderHash, Signature signature) {}
