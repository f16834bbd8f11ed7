package dev.clearline.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Failure;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.evm.revert.Revert;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.utils.Numeric;

/**
 * Random sequences of token operations, run in the embedded EVM and in a few lines of Java
 * ledger: every operation succeeds or reverts with exactly the custom error the ledger predicts,
 * and balances, allowances and total supply agree afterwards.
 */
class TestCollateralProperties {
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);
    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
    /** Index 0 is the minter; all four can hold, send and approve. */
    private static final List<Address> ACCOUNTS = List.of(
            Address.ofLong(0x1000), Address.ofLong(0xa11ce), Address.ofLong(0xb0b), Address.ofLong(0xca401));

    sealed interface Op permits Mint, Transfer, Approve, TransferFrom {}

    record Mint(int caller, int to, BigInteger value) implements Op {}

    record Transfer(int from, int to, BigInteger value) implements Op {}

    record Approve(int owner, int spender, BigInteger value) implements Op {}

    record TransferFrom(int spender, int from, int to, BigInteger value) implements Op {}

    @Test
    void everyOperationDoesWhatALedgerPredictsAndTheSupplyIsConserved() {
        Property.forAll(operations()).tries(40).check(ops -> {
            ContractArtifact artifact = Artifacts.onClasspath().load("TestCollateral");
            try (WorldState state = WorldState.inMemory()) {
                Evm evm = new Evm(state);
                evm.revertDecoder().registerAbi(artifact.abiJson());
                byte[] init = Numeric.hexStringToByteArray(TestCollateral.BINARY
                        + FunctionEncoder.encodeConstructor(List.of(address(0))));
                Address token = evm.transact(Message.create(ACCOUNTS.getFirst(), init), BLOCK).contractAddress();
                Ledger ledger = new Ledger();

                for (Op op : ops) {
                    Optional<Revert> expected = ledger.apply(op);
                    ExecutionResult result = evm.transact(Message.call(ACCOUNTS.get(sender(op)), token, calldata(op)), BLOCK);
                    Optional<Revert> actual = result.failure().map(f -> ((Failure.Reverted) f).reason());
                    assertThat(actual).as("%s", op).isEqualTo(expected);
                }

                BigInteger sum = BigInteger.ZERO;
                for (int a = 0; a < ACCOUNTS.size(); a++) {
                    BigInteger onChain = view(evm, token, encode(TestCollateral.FUNC_BALANCEOF, address(a)));
                    assertThat(onChain).as("balance of account %d", a).isEqualTo(ledger.balance(a));
                    sum = sum.add(onChain);
                    for (int s = 0; s < ACCOUNTS.size(); s++) {
                        assertThat(view(evm, token, encode(TestCollateral.FUNC_ALLOWANCE, address(a), address(s))))
                                .isEqualTo(ledger.allowance(a, s));
                    }
                }
                assertThat(view(evm, token, encode(TestCollateral.FUNC_TOTALSUPPLY))).isEqualTo(sum).isEqualTo(ledger.totalSupply);
            }
        });
    }

    /** 1 to 25 token operations; a failure shrinks to the shortest sequence of the smallest amounts. */
    static Gen<List<Op>> operations() {
        Gen<Integer> account = Gens.ints(0, ACCOUNTS.size() - 1);
        Gen<BigInteger> amount = Gens.longs(0, 1_500).map(BigInteger::valueOf);
        Gen<BigInteger> allowance = Gens.oneOf(amount, Gens.constant(MAX));
        Gen<Integer> minter = Gens.frequency(4, Gens.constant(0), 1, Gens.constant(2));
        Gen<Op> mint = Gens.<Object>allOf(minter, account, amount)
                .map(v -> new Mint((Integer) v.get(0), (Integer) v.get(1), (BigInteger) v.get(2)));
        Gen<Op> transfer = Gens.<Object>allOf(account, account, amount)
                .map(v -> new Transfer((Integer) v.get(0), (Integer) v.get(1), (BigInteger) v.get(2)));
        Gen<Op> approve = Gens.<Object>allOf(account, account, allowance)
                .map(v -> new Approve((Integer) v.get(0), (Integer) v.get(1), (BigInteger) v.get(2)));
        Gen<Op> transferFrom = Gens.<Object>allOf(account, account, account, amount)
                .map(v -> new TransferFrom((Integer) v.get(0), (Integer) v.get(1), (Integer) v.get(2), (BigInteger) v.get(3)));
        return Gens.listOf(Gens.<Op>oneOf(mint, transfer, approve, transferFrom), 1, 25);
    }

    /** The token's rules, written from its NatSpec: the expectation each EVM run is checked against. */
    private static final class Ledger {
        private final Map<Integer, BigInteger> balances = new HashMap<>();
        private final Map<List<Integer>, BigInteger> allowances = new HashMap<>();
        private BigInteger totalSupply = BigInteger.ZERO;

        BigInteger balance(int account) {
            return balances.getOrDefault(account, BigInteger.ZERO);
        }

        BigInteger allowance(int owner, int spender) {
            return allowances.getOrDefault(List.of(owner, spender), BigInteger.ZERO);
        }

        Optional<Revert> apply(Op op) {
            return switch (op) {
                case Mint m when m.caller() != 0 -> error("NotMinter(address)", ACCOUNTS.get(m.caller()));
                case Mint m -> {
                    totalSupply = totalSupply.add(m.value());
                    balances.put(m.to(), balance(m.to()).add(m.value()));
                    yield Optional.empty();
                }
                case Transfer t -> move(t.from(), t.to(), t.value());
                case Approve a -> {
                    allowances.put(List.of(a.owner(), a.spender()), a.value());
                    yield Optional.empty();
                }
                case TransferFrom t -> {
                    BigInteger allowed = allowance(t.from(), t.spender());
                    if (!allowed.equals(MAX) && allowed.compareTo(t.value()) < 0) {
                        yield error("InsufficientAllowance(address,uint256,uint256)", ACCOUNTS.get(t.spender()), allowed, t.value());
                    }
                    Optional<Revert> moved = move(t.from(), t.to(), t.value());
                    if (moved.isEmpty() && !allowed.equals(MAX)) {
                        allowances.put(List.of(t.from(), t.spender()), allowed.subtract(t.value()));
                    }
                    yield moved;
                }
            };
        }

        private Optional<Revert> move(int from, int to, BigInteger value) {
            BigInteger balance = balance(from);
            if (balance.compareTo(value) < 0) {
                return error("InsufficientBalance(address,uint256,uint256)", ACCOUNTS.get(from), balance, value);
            }
            balances.put(from, balance.subtract(value));
            balances.put(to, balance(to).add(value));
            return Optional.empty();
        }

        private static Optional<Revert> error(String signature, Object... arguments) {
            return Optional.of(new Revert.CustomError(signature, List.of(arguments)));
        }
    }

    private static int sender(Op op) {
        return switch (op) {
            case Mint m -> m.caller();
            case Transfer t -> t.from();
            case Approve a -> a.owner();
            case TransferFrom t -> t.spender();
        };
    }

    private static byte[] calldata(Op op) {
        return switch (op) {
            case Mint m -> encode(TestCollateral.FUNC_MINT, address(m.to()), new Uint256(m.value()));
            case Transfer t -> encode(TestCollateral.FUNC_TRANSFER, address(t.to()), new Uint256(t.value()));
            case Approve a -> encode(TestCollateral.FUNC_APPROVE, address(a.spender()), new Uint256(a.value()));
            case TransferFrom t -> encode(TestCollateral.FUNC_TRANSFERFROM, address(t.from()), address(t.to()), new Uint256(t.value()));
        };
    }

    private static BigInteger view(Evm evm, Address token, byte[] input) {
        byte[] out = evm.call(Message.call(ACCOUNTS.getFirst(), token, input), BLOCK).orThrow().returnData();
        @SuppressWarnings({"rawtypes", "unchecked"})
        List<Type> values = FunctionReturnDecoder.decode(Numeric.toHexString(out), List.of((TypeReference) new TypeReference<Uint256>() {}));
        return (BigInteger) values.getFirst().getValue();
    }

    private static byte[] encode(String function, Type<?>... args) {
        return Numeric.hexStringToByteArray(FunctionEncoder.encode(new Function(function, List.of(args), List.of())));
    }

    private static org.web3j.abi.datatypes.Address address(int account) {
        return new org.web3j.abi.datatypes.Address(ACCOUNTS.get(account).toHex());
    }
}
