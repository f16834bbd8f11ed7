package dev.clearline.devnet.node;

import java.math.BigInteger;

/** An eth_call / eth_estimateGas request. Null fields take the node's defaults. */
public record CallRequest(String from, String to, Long gas, BigInteger gasPrice, BigInteger value, byte[] data) {}
