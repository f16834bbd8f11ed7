package dev.clearline.engine.batch;

import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one command's transitions may be cut between batches. The STF fills an IOC or FOK order
 * only in the batch that posted it, so such an order's PostOrder and every later Trade naming it
 * are one run that no batch boundary may split; every other transition is a run of its own. Only a
 * group longer than a whole batch is ever cut (a mass liquidation after one oracle price, many
 * pegs carried across the book): shorter groups go into one batch whole.
 */
public final class OrderRuns {
    private OrderRuns() {
    }

    /**
     * How {@link BatchBuilder#appendAll} takes {@code group} in: whole (one run) when it fits in a
     * batch, else its {@link #lengths}. {@code firstOrderId} is asked only for a group that does not fit.
     */
    public static int[] forBatches(List<? extends Transition> group, int maxTransitions, java.util.function.LongSupplier firstOrderId) {
        return group.size() <= maxTransitions ? new int[] {group.size()} : lengths(group, firstOrderId.getAsLong());
    }

    /**
     * The lengths of {@code group}'s runs, in order (they add up to its size).
     *
     * @param firstOrderId the short id the group's first PostOrder gets ({@code GLOBAL.orderCount + 1}
     *     before the group): later PostOrders take the ids after it, as the STF gives them
     */
    public static int[] lengths(List<? extends Transition> group, long firstOrderId) {
        int n = group.size();
        Map<Long, Integer> postedAt = new HashMap<>();
        long next = firstOrderId;
        for (int i = 0; i < n; i++) {
            if (group.get(i) instanceof Transition.PostOrder p) {
                long id = next++;
                if (p.order().timeInForce() != TimeInForce.GTC) postedAt.put(id, i);
            }
        }
        int[] reach = new int[n]; // the last index that must share a batch with index i
        for (int i = 0; i < n; i++) reach[i] = i;
        if (!postedAt.isEmpty()) {
            for (int i = 0; i < n; i++) {
                switch (group.get(i)) {
                    case Transition.Trade t -> { extend(reach, postedAt, t.makerId(), i); extend(reach, postedAt, t.takerId(), i); }
                    case Transition.TradeAtPrice t -> { extend(reach, postedAt, t.makerId(), i); extend(reach, postedAt, t.takerId(), i); }
                    default -> { }
                }
            }
        }
        int[] runs = new int[n];
        int count = 0;
        for (int i = 0; i < n; ) {
            int end = reach[i];
            for (int j = i + 1; j <= end; j++) end = Math.max(end, reach[j]);
            runs[count++] = end - i + 1;
            i = end + 1;
        }
        return java.util.Arrays.copyOf(runs, count);
    }

    private static void extend(int[] reach, Map<Long, Integer> postedAt, long orderId, int i) {
        Integer at = postedAt.get(orderId);
        if (at != null && at < i) reach[at] = Math.max(reach[at], i);
    }
}
