package dev.clearline.sequencer.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.engine.order.Signer;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An account's open orders come in pages (a market maker's tens of thousands would outgrow the
 * largest reply): pages of any size, followed from {@code openOrdersNext}, put back together are
 * the whole list in the order the orders were placed, and {@code openOrderCount} counts them.
 */
class AccountPagesTest {
    private static final SequencerState NODE = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());

    static {
        List<Command> session = SequencerStateTest.SESSION;
        for (int i = 0; i < session.size(); i++) NODE.apply(session.get(i), Market.START * 1000 + i);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> open(Map<String, Object> account) {
        return (List<Object>) account.get("openOrders");
    }

    @Test
    void pagesOfAnySizeFollowedFromNextAreTheWholeListInOrder() {
        List<Signer> traders = SequencerStateTest.M.traders;
        int most = 0;
        for (Signer t : traders) most = Math.max(most, open(NODE.account(t.address(), 0, Integer.MAX_VALUE)).size());
        assertThat(most).as("the session leaves some trader with several open orders").isGreaterThan(3);
        Property.forAll(Gens.ints(0, traders.size() - 1), Gens.ints(1, 12)).tries(40).check((who, page) -> {
            var trader = traders.get(who).address();
            Map<String, Object> all = NODE.account(trader, 0, Integer.MAX_VALUE);
            assertThat(all).doesNotContainKey("openOrdersNext");
            List<Object> read = new ArrayList<>();
            long from = 0;
            int pages = 0;
            while (true) {
                Map<String, Object> a = NODE.account(trader, from, page);
                assertThat(a.get("openOrderCount")).isEqualTo(open(all).size());
                assertThat(open(a).size()).isLessThanOrEqualTo(page);
                read.addAll(open(a));
                pages++;
                if (!a.containsKey("openOrdersNext")) break;
                assertThat(open(a)).hasSize(page);
                from = (Long) a.get("openOrdersNext");
                assertThat(from).isEqualTo((long) pages * page);
            }
            assertThat(read).isEqualTo(open(all));
            assertThat(pages).isEqualTo(Math.max(1, (open(all).size() + page - 1) / page));
            // the rest of the account is the same on every page
            Map<String, Object> beyond = NODE.account(trader, open(all).size() + 5L, page);
            assertThat(open(beyond)).isEmpty();
            assertThat(beyond.get("positions")).isEqualTo(all.get("positions"));
            assertThat(beyond.get("free")).isEqualTo(all.get("free"));
        });
    }

    @Test
    void theQueryAnswersItsPageFromItsIndex() {
        var trader = SequencerStateTest.M.traders.get(0).address();
        String reply = new String(ReplyCodec.encode(NODE.apply(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, trader, null, 0), 0)));
        assertThat(reply).contains("\"openOrderCount\":" + open(NODE.account(trader, 0, Integer.MAX_VALUE)).size());
    }
}
