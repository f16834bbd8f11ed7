package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;

/** An order as a client submits it: the fields, the EIP-712 domain it was signed for, the signature. */
public record SignedOrder(Order order, long chainId, Address verifyingContract, Signature signature) {}
