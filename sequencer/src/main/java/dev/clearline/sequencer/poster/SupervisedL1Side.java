package dev.clearline.sequencer.poster;

import dev.clearline.sequencer.l1.SequencerLink;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single node's L1 side that outlives a handed-away role. When governance names another sequencer
 * while the node runs, its poster stops ({@link BatchPoster.NotSequencer}) and the trader API halts
 * new orders, as for any stop; but a role handed back (a rotation undone, a mistaken
 * {@code set-sequencer} corrected) used to leave the node halted until someone restarted it. Here
 * the role is checked again every {@code recheckMillis}, and once the rollup takes this key's
 * batches again (or posting is opened to all) the L1 side starts anew from the rollup's tip and the
 * API takes orders again. Any other stop keeps the node halted for an operator, and a freeze goes
 * to {@code frozen} as before ({@link WhenPostingStops}).
 */
public final class SupervisedL1Side implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SupervisedL1Side.class);

    /** Starts an L1 side (checks included), as {@link L1Side#start} does. */
    public interface Starter {
        L1Side start() throws IOException;
    }

    /** Runs {@link L1Side#preflight}: throws {@link L1Side.NotTheSequencer} while the role is another key's. */
    public interface RoleCheck {
        void check() throws IOException;
    }

    /** What the trader API is told: stop taking new orders (with why), or take them again. */
    public interface Gate {
        void halt(String why);

        void resume();
    }

    private final Starter starter;
    private final RoleCheck roleCheck;
    private final Gate gate;
    private final Consumer<BatchPoster.Frozen> frozen;
    private final long recheckMillis;
    private volatile L1Side current;
    private volatile Thread waiting;
    private volatile boolean closed;

    SupervisedL1Side(Starter starter, RoleCheck roleCheck, Gate gate, Consumer<BatchPoster.Frozen> frozen, long recheckMillis) {
        this.starter = starter;
        this.roleCheck = roleCheck;
        this.gate = gate;
        this.frozen = frozen;
        this.recheckMillis = recheckMillis;
    }

    /** Starts the L1 side of {@code s} (an IOException says what does not match, as {@link L1Side#start}) and supervises it. */
    public static SupervisedL1Side start(L1Side.Settings s, SequencerLink link, Gate gate, Consumer<BatchPoster.Frozen> frozen,
                                         long recheckMillis) throws IOException {
        SupervisedL1Side side = new SupervisedL1Side(() -> L1Side.start(s, link), () -> L1Side.preflight(s), gate, frozen, recheckMillis);
        side.attach(side.starter.start());
        return side;
    }

    /** The L1 side running now (a new one after each resumption). */
    public L1Side current() {
        return current;
    }

    private void attach(L1Side side) {
        current = side;
        side.loop().stopped().thenAccept(why -> {
            if (why instanceof BatchPoster.Frozen f) {
                frozen.accept(f);
            } else if (why instanceof BatchPoster.NotSequencer) {
                gate.halt("its batches no longer reach L1 (" + why.getMessage() + "); the node takes orders again by itself once the"
                        + " rollup takes this key's batches again");
                if (!closed) waitForRole(side);
            } else {
                gate.halt("its batches no longer reach L1 (" + why.getMessage() + ")");
            }
        });
    }

    /** Off the stopped loop's thread (which completed its future and must not join itself). */
    private void waitForRole(L1Side stopped) {
        waiting = Thread.ofPlatform().daemon().name("l1-role-wait").start(() -> {
            try {
                stopped.close();
                while (!closed) {
                    Thread.sleep(recheckMillis);
                    if (roleReturned()) {
                        L1Side next = starter.start();
                        if (closed) {
                            next.close();
                            return;
                        }
                        gate.resume();
                        log.info("event=sequencer_role_returned action=\"posting and taking orders again\"");
                        attach(next);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // closing
            } catch (L1Side.FrozenRollup e) {
                frozen.accept(new BatchPoster.Frozen(e.getMessage()));
            } catch (IOException | RuntimeException e) {
                // the role came back but the side did not start (L1 went away in between): stay halted, say so
                log.error("event=l1_side_restart_failed error=\"{}\" action=\"restart the node\"", e.getMessage());
                gate.halt("its batches no longer reach L1: the rollup took this key's batches again, but the L1 side did not start ("
                        + e.getMessage() + "); restart the node");
            }
        });
    }

    /** Whether the rollup takes this key's batches again; an L1 that does not answer is asked again at the next check. */
    private boolean roleReturned() throws IOException {
        try {
            roleCheck.check();
            return true;
        } catch (L1Side.NotTheSequencer e) {
            return false;
        } catch (L1Side.FrozenRollup e) {
            throw e;
        } catch (IOException e) {
            log.warn("event=sequencer_role_check_failed error=\"{}\" retryInMs={}", e.getMessage(), recheckMillis);
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        Thread w = waiting;
        if (w != null) {
            w.interrupt();
            w.join(10_000);
        }
        L1Side c = current;
        if (c != null) c.close();
    }
}
