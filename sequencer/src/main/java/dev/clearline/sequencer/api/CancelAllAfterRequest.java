package dev.clearline.sequencer.api;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Signature;

/**
 * A trader's dead man's switch as the API takes it: {@code CancelAllAfter(address owner,uint64 deadline,uint64 nonce)}
 * signed under the rollup's EIP-712 domain. {@code deadline} is unix seconds on the node's clock (0: off), {@code nonce}
 * above the last one the node took from {@code owner} (docs/api.md, "Cancel all after").
 */
public record CancelAllAfterRequest(Address owner, long deadline, long nonce, Signature signature) {}
