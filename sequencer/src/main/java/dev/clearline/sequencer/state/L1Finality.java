package dev.clearline.sequencer.state;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the sealed batches stand on L1, as the L1 loop reported it through the log: how many are
 * posted, how many final, and when each posted one becomes final. A fill or withdrawal that
 * landed in batch {@code b} is <em>matched</em> while {@code b} is not on L1, <em>posted</em>
 * once it is (final at its {@code finalAt} unless a dispute holds it), and <em>final</em> once
 * the rollup finalized it. Only posted, not yet final batches are remembered one by one, so this
 * stays as small as the challenge window.
 */
final class L1Finality {
    private long posted;
    private long finalized;
    /** Posted, not yet final batches: index to {postedAt, finalAt} (L1 seconds). */
    private final TreeMap<Long, long[]> pending = new TreeMap<>();
    /** The challenge period seen on the last posted batch, for estimates of batches not posted yet. */
    private long challengePeriod = -1;

    long posted() {
        return posted;
    }

    long finalized() {
        return finalized;
    }

    /** Records batch {@code index} as posted; null when done, else why it was refused (nothing changes then). */
    String posted(long index, long postedAt, long finalAt, long sealed) {
        if (index != posted) return "batch " + index + " reported posted, but the next batch L1 lacks is " + posted;
        if (index >= sealed) return "batch " + index + " reported posted, but only " + sealed + " batch(es) are sealed";
        if (finalAt < postedAt) return "batch " + index + " final at " + finalAt + ", before it was posted at " + postedAt;
        pending.put(index, new long[] {postedAt, finalAt});
        challengePeriod = finalAt - postedAt;
        posted++;
        return null;
    }

    /** Records the first {@code count} batches as final; null when done (or already known), else why it was refused. */
    String finalized(long count) {
        if (count > posted) return count + " batch(es) reported final, but only " + posted + " are posted";
        if (count <= finalized) return null;
        finalized = count;
        pending.headMap(count).clear();
        return null;
    }

    /** The stage of something that landed in {@code batch} (negative: not in a batch yet), as fields of its view. */
    Map<String, Object> stageOf(long batch) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (batch >= 0) m.put("batch", batch);
        if (batch >= 0 && batch < finalized) {
            m.put("stage", "final");
        } else if (batch >= 0 && batch < posted) {
            long[] t = pending.get(batch);
            m.put("stage", "posted");
            m.put("postedAt", t[0]);
            m.put("finalAt", t[1]);
        } else {
            m.put("stage", "matched");
            if (challengePeriod >= 0) m.put("challengePeriodSeconds", challengePeriod);
        }
        return m;
    }

    /** Starts from where L1 stands ({@link SequencerState#takeUp}): {@code postedAt[i]} is batch {@code finalized + i}'s posting time. */
    void takeUp(long batches, long finalizedCount, long[] postedAt, long period) {
        posted = batches;
        finalized = finalizedCount;
        challengePeriod = period;
        for (int i = 0; i < postedAt.length; i++) pending.put(finalizedCount + i, new long[] {postedAt[i], postedAt[i] + period});
    }

    void writeImage(dev.clearline.engine.image.ImageWriter out) {
        out.writeLong(posted).writeLong(finalized).writeLong(challengePeriod).writeInt(pending.size());
        for (var e : pending.entrySet()) out.writeLong(e.getKey()).writeLong(e.getValue()[0]).writeLong(e.getValue()[1]);
    }

    /** Restores {@link #writeImage} into this (fresh) instance. */
    void readImage(dev.clearline.engine.image.ImageReader in) {
        posted = in.readLong();
        finalized = in.readLong();
        challengePeriod = in.readLong();
        int n = in.readCount(24);
        for (int i = 0; i < n; i++) pending.put(in.readLong(), new long[] {in.readLong(), in.readLong()});
    }

    /**
     * {@link #view} and, while a posted batch is not final, the L1 time of the newest one
     * ({@code lastPostedAt}): the floor a restarted poster reads the rollup at. Only the state query
     * carries it; the replies the log keeps (and a snapshot holds) stay as they were.
     */
    Map<String, Object> stateView() {
        Map<String, Object> m = view();
        if (!pending.isEmpty()) m.put("lastPostedAt", pending.lastEntry().getValue()[0]);
        return m;
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batchesPosted", posted);
        m.put("batchesFinal", finalized);
        if (!pending.isEmpty()) m.put("nextFinalAt", pending.firstEntry().getValue()[1]);
        if (challengePeriod >= 0) m.put("challengePeriodSeconds", challengePeriod);
        return m;
    }
}
