package dev.clearline.engine.testkit;

import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.stf.MemoryLeafStore;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/** Snapshots for "nothing changed" assertions: a book's resting orders and a leaf store's leaves. */
public final class Market {
    private Market() {}

    public static List<String> book(OrderBook book) {
        List<String> out = new ArrayList<>();
        for (Side side : Side.values()) {
            book.forEachResting(side, (id, owner, price, visible, hidden, expires) ->
                    out.add(side + " " + id + " " + owner + " " + price + " " + visible + " " + hidden + " " + expires));
        }
        out.add("best " + book.bestBidTicks() + "/" + book.bestAskTicks() + " resting " + book.restingOrders());
        return out;
    }

    public static TreeMap<String, String> leaves(MemoryLeafStore store) {
        TreeMap<String, String> out = new TreeMap<>();
        HexFormat hex = HexFormat.of();
        store.forEach((k, v) -> out.put(hex.formatHex(k), hex.formatHex(v)));
        return out;
    }
}
