package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.tree.Bytes32;

/** The STF's view of the team's key rule ({@link StateKeys}), as raw arrays; market ids are uint32. */
final class LeafKeys {
    private static final byte[] GLOBAL_KEY = StateKeys.global().toArray();
    /** The global key for reads, shared: leaf stores never modify keys, and no caller may. */
    static final byte[] GLOBAL_SHARED = StateKeys.global().toArray();

    private LeafKeys() {}

    static byte[] balance(Address owner) {
        return StateKeys.balance(owner).toArray();
    }

    static byte[] position(Address owner, int marketId) {
        return StateKeys.position(owner, marketId & 0xffffffffL).toArray();
    }

    static byte[] order(Hash32 orderHash) {
        return StateKeys.order(Bytes32.of(orderHash.bytes())).toArray();
    }

    static byte[] orderState(long orderId) {
        return StateKeys.orderState(orderId).toArray();
    }

    static byte[] market(int marketId) {
        return StateKeys.market(marketId & 0xffffffffL).toArray();
    }

    static byte[] withdrawal(long id) {
        return StateKeys.withdrawal(id).toArray();
    }

    static byte[] global() {
        return GLOBAL_KEY.clone();
    }
}
