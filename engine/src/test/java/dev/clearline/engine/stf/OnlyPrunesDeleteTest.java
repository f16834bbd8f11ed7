package dev.clearline.engine.stf;

import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.transition.Transition.ForcedWithdrawal;
import dev.clearline.engine.transition.Transition.PruneOrder;
import dev.clearline.engine.transition.Transition.PruneOrderHash;
import dev.clearline.engine.transition.Transition.TradeAtPrice;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.clearline.engine.testkit.World.LOT;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/protocol.md sections 5 and 8: PruneOrder and PruneOrderHash are the only transitions that
 * delete a leaf, and each deletes exactly the ORDER or ORDER_HASH leaf it names, so only their
 * one-step proofs need openings. Over random
 * flows of every other transition kind the STF produces (trades, cancels, liquidations with fees,
 * deleverages, withdrawals, oracle and priority ops), every write carries a non-empty ABI value (a
 * whole number of words), and a key once present stays present.
 */
class OnlyPrunesDeleteTest {
    @Test
    void everyWriteOfEveryTransitionIsANonEmptyValueAndNoKeyDisappears() {
        Property.forAll(Gens.seeds(), Gens.ints(20, 80)).tries(10).check((seed, steps) -> {
            ClaimsCoverProperties.Flow f = new ClaimsCoverProperties.Flow(seed);
            f.run(steps);
            Checking store = new Checking();
            Stf stf = f.w.stf;
            for (ClaimsCoverProperties.Flow.Step s : f.applied) {
                assertThat(stf.apply(store, s.t(), s.batch()).applied()).as("replay of %s", s.t()).isTrue();
            }
            assertThat(store.writes).as("writes checked").isPositive();
        });
    }

    /** The kinds the random flows above do not produce, each through the same checking store. */
    @Test
    void cancelsForcedOpsMarginMovesAndBookPeggedFillsWriteOnlyValues() {
        World w = new World();
        Checking store = new Checking();
        Signer alice = World.signer(1);
        Signer bob = World.signer(2);
        Order bid = w.order(alice, 1, Side.BUY, 10_000, 2 * LOT, 100_000);
        Order pegged = new Order(bob.address(), 1, Side.SELL, 9_900, 2 * LOT, 0, TimeInForce.GTC, 0, Peg.BOOK, 1, 0, 99, 100_000);
        Order neverPosted = w.order(alice, 1, Side.BUY, 10_000, LOT, 0);
        Order expiring = new Order(alice.address(), 1, Side.BUY, 9_000, LOT, 0, TimeInForce.GTC, 0, 5, w.nonceSeq(), 0);
        List<Transition> ts = List.of(
                w.market(1), w.deposit(alice.address(), 10_000_000), w.deposit(bob.address(), 10_000_000),
                w.price(1, 10_000, 0, 1), w.market(1),                  // a parameter update of an existing market
                w.allocate(alice, 1, 50_000, 0), w.release(alice, 1, 20_000, 1),
                w.post(alice, bid), w.post(bob, pegged),
                new TradeAtPrice(2, 1, LOT, 9_900),                  // maker: the book-pegged sell (id 2)
                w.cancel(alice, w.hash(bid)),                           // a posted order
                w.cancel(alice, w.hash(neverPosted)),                   // a tombstone
                w.forcedCancel(bob.address(), w.hash(pegged)),
                w.forcedCancel(bob.address(), w.hash(w.order(bob, 1, Side.SELL, 10_000, LOT, 0))),
                new ForcedWithdrawal(6, 0, bob.address(), 1_000),
                w.withdraw(alice, 1_000, 2),
                new PruneOrder(1),                                      // the cancelled bid
                w.post(alice, expiring), w.price(1, 10_000, 0, 6),
                new PruneOrderHash(w.hash(expiring)));                  // its market's clock passed its expiry
        for (Transition t : ts) {
            store.pruning = switch (t) {
                case PruneOrder p -> StateKeys.orderState(p.orderId()).toArray();
                case PruneOrderHash p -> StateKeys.order(dev.clearline.tree.Bytes32.of(p.orderHash().bytes())).toArray();
                default -> null;
            };
            assertThat(w.stf.apply(store, t).applied()).as("%s", t).isTrue();
        }
        assertThat(store.writes).isGreaterThan(ts.size());
        assertThat(store.deletes).isEqualTo(2);
    }

    /** A memory store that refuses any deletion but that of the leaf the current prune names. */
    static final class Checking implements LeafStore {
        final MemoryLeafStore inner = new MemoryLeafStore();
        final Set<ByteBuffer> present = new HashSet<>();
        long writes;
        long deletes;
        /** The key the current transition prunes, or null. */
        byte[] pruning;

        @Override
        public byte[] get(byte[] key) {
            return inner.get(key);
        }

        @Override
        public void putAll(List<Write> ws) {
            for (Write w : ws) {
                if (w.deletes()) {
                    assertThat(pruning).as("only a PruneOrder or PruneOrderHash deletes").isNotNull();
                    assertThat(w.key()).as("and only the leaf it names").isEqualTo(pruning);
                    assertThat(ws).as("and nothing else").hasSize(1);
                    present.remove(ByteBuffer.wrap(w.key().clone()));
                    deletes++;
                    continue;
                }
                assertThat(w.value()).as("a write's value").isNotNull().isNotEmpty();
                assertThat(w.value().length % 32).as("an ABI-encoded leaf is whole words").isZero();
                present.add(ByteBuffer.wrap(w.key().clone()));
                writes++;
            }
            inner.putAll(ws);
            for (ByteBuffer k : present) assertThat(inner.get(k.array())).as("a key once written stays present").isNotNull();
        }
    }
}
