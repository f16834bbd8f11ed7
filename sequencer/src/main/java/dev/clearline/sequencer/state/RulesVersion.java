package dev.clearline.sequencer.state;

/**
 * The version of the rules this build's state machine applies: the command codec, the matching
 * engine, the STF and the sequencer's own bookkeeping, everything that decides which reply, fills
 * and roots one log gives. Two builds with the same version give the same outcomes for the same
 * log; a build whose outcomes differ must carry another version (the pinned outcome in
 * {@code RulesVersionPinTest} fails until it does).
 *
 * <p>Why it matters: a member replays its log after every restart. A build with other rules would
 * compute other outcomes for commands that were acknowledged, and batches that were posted, under
 * the old ones, and diverge from the other members and from L1 without a word. So every term's
 * log records the rules its leader applies (Aeron's app version), every snapshot records the rules
 * that made it, and a member stops rather than apply a command logged under rules that are not its
 * own. The way to new rules is a snapshot at the end of the log: {@code ./clearline sequencer --dir
 * DIR --stop} on the leader, then every member started with the new build (docs/replication.md,
 * "Upgrading to new rules").
 *
 * <p>A rule no logged command can reach keeps the version: the STF's refusal of a withdrawal to the zero address
 * (BAD_RECIPIENT, rules 1) came with the gateways already refusing such a request before the log, so no log holds one
 * and no outcome of an existing log moved (the pinned hashes did not).
 */
public final class RulesVersion {
    /**
     * The rules this build applies. 2: a reduce-only order may rest (GTC, up to its position's size; it fills no more
     * than the position holds when met, and leaves once a fill closed or turned it: {@code POSITION_CLOSED}); under rules 1 the
     * book refused one that was not IOC or FOK. 3: a resting reduce-only order follows its position through every fill and
     * deleverage: cut to a position that shrank below it ({@code Trimmed}), gone with one a deleverage closed; under rules 2
     * it kept its size (its fills capped) and waited for the next taker after a deleverage. 4: a reply's depth shows a
     * pegged order at the price its reference puts it at (within its signed limit), and every command that moved a market's
     * mark or book reports the levels its pegged orders moved to; an order's read names its iceberg slice and its peg; and
     * stop orders ({@code Command.PlaceStop}, {@link StopOrders}), armed off the book until a mark reaches their trigger. Under
     * rules 3 a pegged order showed at its limit, where it stayed, and no log held a stop. 5: trailing stops (a
     * {@code Command.PlaceStop} whose trigger trails the mark by a distance, command type 16); no log of rules 4 held one.
     * 6: a trader's dead man's switch ({@code Command.CancelAllAfter}, command type 17, {@link CancelSchedules}): every
     * open order of a trader leaves once the log's clock reaches the deadline it signed; no log of rules 5 held one.
     * 7: an account read shows each position's entry price, unrealized and realized profit ({@link PositionCosts}, followed
     * from the fills); the state, the fills and every other reply are those of rules 6 (the quiet pin did not move).
     */
    public static final int CURRENT = 7;
    /** Logs and snapshots written before the rules were versioned (Aeron's default app version, snapshot formats up to 5). */
    public static final int UNVERSIONED = 0;

    private RulesVersion() {}

    /** How a version reads in a message: the number, or what 0 means. */
    public static String describe(int rules) {
        return rules == UNVERSIONED ? "0 (a build from before rules were versioned)" : Integer.toString(rules);
    }
}
