package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.MemoryLeafStore;

import java.util.Arrays;

/**
 * What the exchange needs of a trader on every order, derived once: its book owner id, its used
 * nonces, its leaves' cells in the mirror (the keys are Keccak-256 hashes; a held cell reads the
 * current leaf without hashing or probing) and its resting exposure per market and side.
 */
final class Account {
    final long ownerId;
    final Address address;
    final UsedNonces nonces = new UsedNonces();
    private final MemoryLeafStore mirror;
    private final KeyCache keys;
    private final MemoryLeafStore.Cell balanceCell;
    private int[] markets = new int[0];
    private MemoryLeafStore.Cell[] positionCells = new MemoryLeafStore.Cell[0];
    private Exposure[] exposures = new Exposure[0];

    Account(long ownerId, Address address, MemoryLeafStore mirror, KeyCache keys) {
        this.ownerId = ownerId;
        this.address = address;
        this.mirror = mirror;
        this.keys = keys;
        this.balanceCell = mirror.cell(keys.balance(address));
    }

    BalanceLeaf balance() {
        BalanceLeaf b = balanceCell.decoded(BalanceLeaf.class, BalanceLeaf::decode);
        return b == null ? BalanceLeaf.EMPTY : b;
    }

    PositionLeaf position(int marketId) {
        int i = slot(marketId); // before reading the field: slot() may grow the arrays
        PositionLeaf p = positionCells[i].decoded(PositionLeaf.class, PositionLeaf::decode);
        return p == null ? PositionLeaf.EMPTY : p;
    }

    /** The resting-order sums of one side in one market. */
    Exposure exposure(int marketId, boolean isBuy) {
        int i = slot(marketId);
        return exposures[2 * i + (isBuy ? 0 : 1)];
    }

    private int slot(int marketId) {
        for (int i = 0; i < markets.length; i++) if (markets[i] == marketId) return i;
        int n = markets.length;
        markets = Arrays.copyOf(markets, n + 1);
        positionCells = Arrays.copyOf(positionCells, n + 1);
        exposures = Arrays.copyOf(exposures, 2 * n + 2);
        markets[n] = marketId;
        positionCells[n] = mirror.cell(keys.position(address, marketId));
        exposures[2 * n] = new Exposure();
        exposures[2 * n + 1] = new Exposure();
        return n;
    }
}
