package dev.clearline.prover.l1;

import dev.clearline.contracts.generated.Rollup;
import org.web3j.tuples.generated.Tuple4;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What an account must pay before the rollup takes a batch from it: the whole {@code proposerBond}
 * to join the proposers, or the part a slash took to top its bond up. Empty when the bond is whole.
 *
 * @param join true: {@code joinProposers}; false: {@code topUpBond}
 * @param value the wei to send with it
 */
public record ProposerBond(boolean join, BigInteger value) {
    /** What {@code account} still owes the rollup's bond, read from L1. */
    public static Optional<ProposerBond> missing(Rollup rollup, String account) throws IOException {
        try {
            BigInteger required = rollup.proposerBond().send();
            Tuple4<BigInteger, BigInteger, Boolean, Boolean> p = rollup.proposers(account).send();
            boolean active = p.component3();
            if (active && p.component1().compareTo(required) >= 0) return Optional.empty();
            return Optional.of(new ProposerBond(!active, active ? required.subtract(p.component1()) : required));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading the proposer bond failed: " + e.getMessage(), e);
        }
    }

    /** The call that pays it, ABI-encoded. */
    public String call(Rollup rollup) {
        return (join ? rollup.joinProposers(value) : rollup.topUpBond(value)).encodeFunctionCall();
    }

    /** The function's name, for logs and ledgers. */
    public String action() {
        return join ? "joinProposers" : "topUpBond";
    }
}
