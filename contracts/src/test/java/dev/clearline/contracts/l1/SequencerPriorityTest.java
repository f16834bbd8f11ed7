package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.l1.RollupTest.Batch;
import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Log;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/**
 * The rollup's sequencer posts first. Without that, any bonded address could post a valid batch
 * before the operator (one consuming a forced request it queued for free), the operator's next
 * batch would no longer chain on the tip, and a sequencer whose acknowledged trades cannot be
 * re-ordered could post nothing more until the queue froze the rollup.
 */
class SequencerPriorityTest {
    static final Address SEQUENCER = Address.ofLong(0x5e9);
    static final Address ROGUE = Address.ofLong(0x6060);
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final String RESERVED = "ReservedForSequencer(address,uint256)";

    final L1Fixture l1 = new L1Fixture(Params.defaults().withSequencer(SEQUENCER));

    @AfterEach
    void close() {
        l1.close();
    }

    @Test
    void test_constructor_namesTheSequencer_inStorageAndInAnEvent() {
        ExecutionResult r = l1.ok(l1.tryDeploy("Rollup", l1.rollupArgs(a -> a.set(10, addr(ROGUE)))));
        assertThat(l1.viewUint(r.contractAddress(), "sequencer()")).isEqualTo(BigInteger.valueOf(0x6060));
        Log named = event(r, "SequencerChanged(address,address)");
        assertThat(named.topics().get(1).toBigInteger()).isZero();
        assertThat(named.topics().get(2).toBigInteger()).isEqualTo(BigInteger.valueOf(0x6060));
    }

    @Test
    void test_anotherProposersBatch_consumingNoOp_isTheSequencers() {
        l1.join(ROGUE);
        l1.join(SEQUENCER);
        assertThat(l1.viewUint(l1.rollup, "sequencer()")).isEqualTo(BigInteger.valueOf(0x5e9));
        ExecutionResult refused = Batch.of(l1, ROGUE, List.of(Transitions.liquidate(ALICE, 1))).submit();
        assertReverted(refused, RESERVED);
        assertThat(revertArgs(refused).get(0).toString()).containsIgnoringCase("5e9");
        assertThat(revertArgs(refused).get(1)).as("never open without an op left waiting").isEqualTo(BigInteger.ZERO);
        assertThat(l1.nextBatchIndex()).isZero();
        l1.ok(Batch.of(l1, SEQUENCER, List.of(Transitions.liquidate(ALICE, 1))).submit());
        assertThat(l1.nextBatchIndex()).isOne();
    }

    /**
     * The audit's attack: a free forced cancel, then a valid batch consuming it before the operator.
     * Refused while the op is fresh, so the operator's own batch (consuming it) still chains on the tip.
     */
    @Test
    void test_aForeignBatchConsumingAFreshForcedRequest_isRefused_andTheSequencersBatchIsTaken() {
        l1.join(ROGUE);
        l1.join(SEQUENCER);
        long queuedAt = l1.now;
        byte[] order = Hash.sha3("rogue's order".getBytes());
        l1.ok(l1.send(ROGUE, l1.rollup, "requestForcedCancel(bytes32)", b32(order)));
        byte[] op = Transitions.forcedCancel(0, queuedAt, ROGUE, order);
        l1.advance(60);
        ExecutionResult refused = Batch.of(l1, ROGUE, List.of(op)).submit();
        assertReverted(refused, RESERVED);
        assertThat(revertArgs(refused).get(1)).isEqualTo(BigInteger.valueOf(queuedAt + FORCE_DELAY / 2));
        l1.ok(Batch.of(l1, SEQUENCER, List.of(op, Transitions.liquidate(ALICE, 1))).submit());
        assertThat(l1.nextBatchIndex()).isOne();
    }

    /**
     * An operator that leaves an op waiting half the force delay is failing its users: from then on
     * another bonded proposer may post a batch consuming it, before anyone may freeze the rollup.
     */
    @Test
    void test_aForeignBatchIsTaken_onceTheOldestOpHasWaitedHalfTheForceDelay() {
        l1.join(ROGUE);
        long queuedAt = l1.now;
        l1.ok(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", uint(5)));
        l1.ok(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", uint(6)));
        byte[] first = Transitions.forcedWithdrawal(0, queuedAt, ALICE, 5);
        l1.advance(queuedAt + FORCE_DELAY / 2 - 1 - l1.now);
        assertReverted(Batch.of(l1, ROGUE, List.of(first)).submit(), RESERVED);
        l1.advance(1);
        // the first op consumed is the oldest: its age, not a later one's, opens the posting
        l1.ok(Batch.of(l1, ROGUE, List.of(first)).submit());
        assertThat(l1.nextBatchIndex()).isOne();
        ExecutionResult second = Batch.of(l1, ROGUE, List.of(Transitions.forcedWithdrawal(1, queuedAt, ALICE, 6))).submit();
        l1.ok(second);
    }

    /**
     * A rejection rewinds the tip and makes the ops its batches consumed unconsumed again, old as they
     * are: their wait for another proposer restarts at the rewind, or an attacker who won a dispute on
     * time against an honest operator's defender could post the next batch before the operator.
     */
    @Test
    void test_afterARejection_theUnconsumedOpsWaitForAnotherProposerFromTheRewind() {
        l1.join(ROGUE);
        l1.join(SEQUENCER);
        long queuedAt = l1.now;
        l1.ok(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", uint(5)));
        byte[] op = Transitions.forcedWithdrawal(0, queuedAt, ALICE, 5);
        l1.advance(5);
        l1.ok(Batch.of(l1, SEQUENCER, List.of(op)).submit());
        l1.advance(FORCE_DELAY / 2 + 100);
        long rewoundAt = l1.now;
        l1.ok(l1.send(l1.game, l1.rollup, "rejectBatch(uint64,uint64,address)", u64(0), u64(1), addr(ROGUE)));
        assertThat(l1.nextBatchIndex()).isZero();

        ExecutionResult refused = Batch.of(l1, ROGUE, List.of(op)).submit();
        assertReverted(refused, RESERVED);
        assertThat(revertArgs(refused).get(1)).as("from the rewind, not the enqueue").isEqualTo(BigInteger.valueOf(rewoundAt + FORCE_DELAY / 2));
        l1.ok(l1.send(SEQUENCER, l1.rollup, PROPOSER_BOND, "topUpBond()")); // the rejection slashed it, as the poster's ensureBond restores
        l1.ok(Batch.of(l1, SEQUENCER, List.of(op)).submit());
        assertThat(l1.nextBatchIndex()).isOne();
    }

    /** Governance hands the role to a new operator key, or opens posting with zero; nobody else may. */
    @Test
    void test_setSequencer_byGovernanceOnly_handsTheRoleOver_andZeroOpensPosting() {
        l1.join(ROGUE);
        l1.join(SEQUENCER);
        assertReverted(l1.send(ROGUE, l1.rollup, "setSequencer(address)", addr(ROGUE)), "NotGovernance(address)");
        assertThat(l1.viewUint(l1.rollup, "sequencer()")).isEqualTo(BigInteger.valueOf(0x5e9));

        ExecutionResult handed = l1.ok(l1.send(GOVERNANCE, l1.rollup, "setSequencer(address)", addr(ROGUE)));
        Log changed = event(handed, "SequencerChanged(address,address)");
        assertThat(changed.topics().get(1).toBigInteger()).isEqualTo(BigInteger.valueOf(0x5e9));
        assertThat(changed.topics().get(2).toBigInteger()).isEqualTo(BigInteger.valueOf(0x6060));
        assertReverted(Batch.of(l1, SEQUENCER, List.of(Transitions.liquidate(ALICE, 1))).submit(), RESERVED);
        l1.ok(Batch.of(l1, ROGUE, List.of(Transitions.liquidate(ALICE, 1))).submit());

        l1.ok(l1.send(GOVERNANCE, l1.rollup, "setSequencer(address)", addr(Address.ZERO)));
        assertThat(l1.viewUint(l1.rollup, "sequencer()")).isZero();
        l1.ok(Batch.of(l1, SEQUENCER, List.of(Transitions.liquidate(ALICE, 2))).submit());
        assertThat(l1.nextBatchIndex()).isEqualTo(2);
    }
}
