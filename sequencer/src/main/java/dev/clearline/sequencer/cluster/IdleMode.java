package dev.clearline.sequencer.cluster;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How a member's agents (media driver, archive, consensus module, service) wait when a duty cycle
 * found no work: the node's {@code --idle} setting. Every wait that ends is a wake-up of a thread,
 * and on a machine where the members share a few cores the wake-ups, not the work, were most of a
 * follower's CPU per order (docs/replication.md, "Idle strategies").
 */
public enum IdleMode {
    /**
     * Sleep 1 ms after every duty cycle without work, nothing shorter ({@link LowCpuIdleStrategy};
     * retry loops between offers still wait briefly). An agent wakes about a thousand times a second
     * whatever the load, so a message waits at most about a millisecond per hop and heartbeats
     * (every 50 ms) stay on time. The default of a member of several: with members sharing cores,
     * each order used to set off a back-off ladder (spins, a yield, parks of 50, 100, 200, 400 µs...)
     * in every agent of every member, some ten wake-ups per agent per order.
     */
    LOW_CPU("low-cpu") {
        @Override
        public Supplier<IdleStrategy> strategy() {
            return () -> new LowCpuIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1));
        }
    },
    /**
     * 10 spins, one yield, then parks from 50 µs doubling to 1 ms. The default of a single member:
     * a message that arrives while an agent is idle waits tens of microseconds instead of up to a
     * millisecond at each of its hops (one member's median acknowledgement 0.9-1.0 ms against
     * 2.7-3.8 ms with {@link #LOW_CPU} at 2k-5k orders/s, sequencer/README.md), for more wake-ups
     * when the load is light.
     */
    BACKOFF("backoff") {
        @Override
        public Supplier<IdleStrategy> strategy() {
            return () -> new BackoffIdleStrategy(10, 1, TimeUnit.MICROSECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(1));
        }
    },
    /**
     * Never sleep: every agent keeps a core busy (four per member, plus the gateway's thread). The
     * lowest latency, for an operator whose members each have that many dedicated, isolated cores;
     * on shared cores it starves the other members.
     */
    SPIN("spin") {
        @Override
        public Supplier<IdleStrategy> strategy() {
            return BusySpinIdleStrategy::new;
        }
    };

    /**
     * The node's default for a cluster of {@code members}: {@link #LOW_CPU} where several members
     * share the cores (this project's machines), {@link #BACKOFF} for a single member, the local
     * default, whose four agents alone cost little in wake-ups and whose every hop waited up to
     * a millisecond in {@link #LOW_CPU}.
     */
    public static IdleMode defaultFor(int members) {
        if (members < 1) throw new IllegalArgumentException("a cluster has at least one member, not " + members);
        return members == 1 ? BACKOFF : LOW_CPU;
    }

    private final String option;

    IdleMode(String option) {
        this.option = option;
    }

    /** A fresh strategy per agent (strategies keep state). */
    public abstract Supplier<IdleStrategy> strategy();

    /** How the command line writes it. */
    public String option() {
        return option;
    }

    /** Reads {@code --idle}'s value, saying which values exist when it is none of them. */
    public static IdleMode parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (IdleMode m : values()) {
            if (m.option.equals(v)) return m;
        }
        throw new IllegalArgumentException("--idle " + value + " is not a known idle mode; pass one of "
                + String.join(", ", Arrays.stream(values()).map(IdleMode::option).toList())
                + " (low-cpu when members share cores, spin only with dedicated cores)");
    }
}
