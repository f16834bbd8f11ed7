package dev.clearline.prover.l1;

import dev.clearline.contracts.generated.Rollup;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.tuples.generated.Tuple4;

import java.io.IOException;
import java.math.BigInteger;

/**
 * How long the rollup's sequencer has posted no batch of its own: since its last batch, or since the
 * rollup's deployment when it never posted. Past the force delay it is gone, not censoring. A batch of
 * the queued ops posted by someone else then only postpones the freeze, whose escape pays every position
 * at its equity: no op closes a position, so while others keep consuming the ops, open positions could
 * never leave. The watcher's censorship guard stands down then, and {@code propose} asks first.
 */
public final class SequencerSilence {
    private final Rollup rollup;
    private final Web3j web3j;
    /** The rollup's deployment block's time, -1 until read (it never changes). */
    private long deployedAt = -1;

    public SequencerSilence(Rollup rollup, Web3j web3j) {
        this.rollup = rollup;
        this.web3j = web3j;
    }

    /** Seconds of L1 time from {@code sequencer}'s last batch (the rollup's deployment when it never posted) to {@code now}. */
    public long silentFor(String sequencer, long now) throws IOException {
        Tuple4<BigInteger, BigInteger, Boolean, Boolean> p = read(() -> rollup.proposers(sequencer).send());
        if (p.component4()) return now - read(() -> rollup.batch(p.component2()).send()).submittedAt.longValueExact();
        if (deployedAt < 0) {
            long block = new RollupLog(web3j, rollup.getContractAddress()).deploymentBlock();
            deployedAt = read(() -> web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false).send()
                    .getBlock().getTimestamp()).longValueExact();
        }
        return now - deployedAt;
    }

    /** Whether a sequencer silent for {@code silentFor} seconds is gone, for a rollup whose force delay is {@code forceDelay}. */
    public static boolean gone(long silentFor, long forceDelay) {
        return silentFor > forceDelay;
    }

    private static <T> T read(L1Call.Remote<T> r) throws IOException {
        return L1Call.read("reading the sequencer's last batch failed", r);
    }
}
