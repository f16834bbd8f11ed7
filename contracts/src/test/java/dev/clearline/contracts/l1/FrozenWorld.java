package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;

import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Int64;
import org.web3j.abi.datatypes.generated.Uint32;

/**
 * A rollup whose last finalized state is a real state tree of balances, positions in one market
 * and withdrawals, frozen because a forced withdrawal was never consumed; plus one deposit the
 * frozen state never consumed.
 */
final class FrozenWorld {
    static final int MARKET = 1;
    static final Address FUNDER = Address.ofLong(0xf0fd);
    static final Address PROPOSER = Address.ofLong(0x9909);
    static final Address LATE = Address.ofLong(0x1a7e);
    static final Address CENSORED = Address.ofLong(0xce45);
    /** The insurance fund's owner (docs/protocol.md section 3): its leaves are fund credit, not claims. */
    static final Address INSURANCE_FUND = Address.ofLong(0xf1);

    record Account(Address owner, long free, long lots, long quote, long positionFunding) {}

    record Withdrawal(long id, Address recipient, long amount) {}

    final L1Fixture l1;
    final StateTree tree = new StateTree();
    final StateTree.Market market;
    final List<Account> accounts;
    final List<Withdrawal> withdrawals;
    final long deposited;
    final long lateDeposit = 777;
    long lateDepositIndex;
    long lateDepositTime;

    FrozenWorld(L1Fixture l1, StateTree.Market market, List<Account> accounts, List<Withdrawal> withdrawals) {
        this.l1 = l1;
        this.market = market;
        this.accounts = accounts;
        this.withdrawals = withdrawals;
        long total = 0;
        tree.put(StateTree.marketKey(MARKET), market.value());
        for (Account a : accounts) {
            tree.put(StateTree.balanceKey(a.owner()), StateTree.balanceValue(a.free(), 1));
            if (a.lots() != 0 || a.quote() != 0) {
                tree.put(StateTree.positionKey(a.owner(), MARKET), StateTree.positionValue(a.lots() * market.lot(), a.quote(), a.positionFunding()));
            }
            total += a.free() + settled(a);
        }
        for (Withdrawal w : withdrawals) {
            tree.put(StateTree.withdrawalKey(w.id()), StateTree.withdrawalValue(w.recipient(), w.amount()));
            total += w.amount();
        }
        total += market.fees();
        this.deposited = total;
        byte[] root = tree.commit();

        // The whole state's collateral arrives as one deposit, consumed by one finalized batch.
        l1.fund(FUNDER, total);
        byte[] dep = l1.deposit(FUNDER, total);
        l1.join(PROPOSER);
        List<byte[]> ts = List.of(dep);
        l1.ok(l1.submit(PROPOSER, L1Fixture.header(0, l1.tipRoot(), root, ts, 1), Transitions.concat(ts)));
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
    }

    long settled(Account a) {
        return a.quote() - a.lots() * (market.fundingIndex() - a.positionFunding());
    }

    long equity(Account a) {
        return settled(a) + a.lots() * market.mark();
    }

    /** A deposit and a forced withdrawal nobody consumes; after the force delay anyone freezes. */
    ExecutionResult freeze() {
        l1.fund(LATE, lateDeposit);
        lateDepositIndex = l1.queueLength();
        lateDepositTime = l1.now;
        byte[] op = l1.deposit(LATE, lateDeposit);
        l1.ok(l1.send(CENSORED, l1.rollup, "requestForcedWithdrawal(uint256)", uint(5)));
        l1.advance(FORCE_DELAY + 1);
        return l1.ok(l1.send(Address.ofLong(0xf2ee), l1.rollup, "freeze(bytes)", new DynamicBytes(op)));
    }

    StaticStruct positionLeaf(Account a) {
        return new StaticStruct(new Int64(a.lots() * market.lot()), new Int64(a.quote()), new Int64(a.positionFunding()));
    }

    StaticStruct marketLeaf() {
        StateTree.Market m = market;
        return new StaticStruct(u64(m.tick()), u64(m.lot()), new Uint32(m.imf()), new Uint32(m.mmf()), new Uint32(m.maker()),
                new Uint32(m.taker()), new Uint32(m.liquidationFee()), addr(m.oracle()), u64(m.mark()), new Int64(m.fundingIndex()), u64(m.lastOracleTs()), u64(m.fees()));
    }

    static final String POSITION_ARGS = "(address,uint32,(int64,int64,int64),(uint64,uint64,uint32,uint32,uint32,uint32,uint32,address,uint64,int64,uint64,uint64),bytes)";

    ExecutionResult reportBadDebt(Address caller, Account a) {
        return l1.send(caller, l1.hatch, "reportBadDebt" + POSITION_ARGS, addr(a.owner()), new Uint32(MARKET), positionLeaf(a), marketLeaf(),
                new DynamicBytes(tree.proof(StateTree.positionKey(a.owner(), MARKET), StateTree.marketKey(MARKET))));
    }

    ExecutionResult escapePosition(Address caller, Account a) {
        return l1.send(caller, l1.hatch, "escapePosition" + POSITION_ARGS, addr(a.owner()), new Uint32(MARKET), positionLeaf(a), marketLeaf(),
                new DynamicBytes(tree.proof(StateTree.positionKey(a.owner(), MARKET), StateTree.marketKey(MARKET))));
    }

    ExecutionResult escapeBalance(Address caller, Account a) {
        return l1.send(caller, l1.hatch, "escapeBalance(address,uint64,uint64,bytes)", addr(a.owner()), u64(a.free()), u64(1),
                new DynamicBytes(tree.proof(StateTree.balanceKey(a.owner()))));
    }

    ExecutionResult reportFundBalance(Address caller, Account fund) {
        return l1.send(caller, l1.hatch, "reportFundBalance(uint64,uint64,bytes)", u64(fund.free()), u64(1),
                new DynamicBytes(tree.proof(StateTree.balanceKey(fund.owner()))));
    }

    static final String FUND_POSITION_ARGS = "(uint32,(int64,int64,int64),(uint64,uint64,uint32,uint32,uint32,uint32,uint32,address,uint64,int64,uint64,uint64),bytes)";

    ExecutionResult reportFundPosition(Address caller, Account fund) {
        return l1.send(caller, l1.hatch, "reportFundPosition" + FUND_POSITION_ARGS, new Uint32(MARKET), positionLeaf(fund), marketLeaf(),
                new DynamicBytes(tree.proof(StateTree.positionKey(fund.owner(), MARKET), StateTree.marketKey(MARKET))));
    }

    ExecutionResult sweepRemainder(Address caller) {
        return l1.send(caller, l1.hatch, "sweepRemainder()");
    }

    /** Seconds from the freeze until the remainder may be swept: the claim window plus 52 more. */
    static long sweepDelay() {
        return CLAIM_WINDOW * 53;
    }

    static boolean isFund(Account a) {
        return a.owner().equals(INSURANCE_FUND);
    }

    boolean hasPosition(Account a) {
        return a.lots() != 0 || a.quote() != 0;
    }

    /** The insurance fund's claims: its free balance plus its positions' positive equity. */
    BigInteger fundCredit() {
        long c = 0;
        for (Account a : accounts) if (isFund(a)) c += a.free() + (hasPosition(a) ? Math.max(0, equity(a)) : 0);
        return BigInteger.valueOf(c);
    }

    ExecutionResult claimWithdrawal(Address caller, Withdrawal w) {
        return l1.send(caller, l1.rollup, "claimWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id()), addr(w.recipient()),
                u64(w.amount()), new DynamicBytes(tree.proof(StateTree.withdrawalKey(w.id()))));
    }

    ExecutionResult refundLateDeposit(Address caller) {
        return l1.send(caller, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(lateDepositIndex), u64(lateDepositTime),
                addr(LATE), u64(lateDeposit));
    }

    List<Account> underwater() {
        List<Account> out = new ArrayList<>();
        for (Account a : accounts) if (equity(a) < 0) out.add(a);
        return out;
    }

    BigInteger badDebt() {
        return BigInteger.valueOf(underwater().stream().mapToLong(a -> -equity(a)).sum());
    }
}
