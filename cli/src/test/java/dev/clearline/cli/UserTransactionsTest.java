package dev.clearline.cli;

import static dev.clearline.cli.CensorshipFreezeTest.cli;
import static dev.clearline.cli.CensorshipFreezeTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.Transfer;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Convert;
import org.web3j.utils.Numeric;

/**
 * A trader's L1 transactions are estimated and priced as the operator's are. They went out as
 * legacy transactions at a fixed 20 gwei with an 8,000,000 gas limit: never mined while the base
 * fee is higher, and refused outright to a trader holding less than the 0.16 ETH that limit
 * times price comes to, whatever the call really costs.
 */
@WithDevnet(http = true)
class UserTransactionsTest {
    @Test
    void aTraderWithLittleEthDepositsPayingOnlyWhatTheCallsUseAtTheMarketsFees(DevnetContext l1) throws Exception {
        Credentials trader = Credentials.create("0x2222222222222222222222222222222222222222222222222222222222222222");
        BigInteger funded = Convert.toWei(new BigDecimal("0.01"), Convert.Unit.ETHER).toBigIntegerExact();
        assertThat(Transfer.sendFunds(l1.web3j(), l1.key(9), trader.getAddress(), new BigDecimal("0.01"), Convert.Unit.ETHER).send()
                .isStatusOK()).isTrue();
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(),
                new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000)));
        assertThat(minter.mint(trader.getAddress(), BigInteger.valueOf(10_000_000)).send().isStatusOK()).isTrue();
        List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(trader.getEcKeyPair().getPrivateKey(), 64), "--json");

        CensorshipFreezeTest.Run deposit = cli(common, "deposit", "10", "--anyway");
        assertThat(deposit.code()).as(deposit.err()).isZero();
        TransactionReceipt r = l1.web3j().ethGetTransactionReceipt(json(deposit).path("tx").asText()).send().getTransactionReceipt().orElseThrow();
        var tx = l1.web3j().ethGetTransactionByHash(r.getTransactionHash()).send().getTransaction().orElseThrow();
        assertThat(tx.getType()).as("an EIP-1559 transaction, priced from the base fee").isEqualTo("0x2");
        assertThat(tx.getGas()).as("the estimate with a margin, not a fixed limit").isLessThan(BigInteger.valueOf(500_000))
                .isGreaterThanOrEqualTo(r.getGasUsed());
        BigInteger left = l1.web3j().ethGetBalance(trader.getAddress(), DefaultBlockParameterName.LATEST).send().getBalance();
        assertThat(left).as("the approve and the deposit cost only their gas").isLessThan(funded)
                .isGreaterThan(funded.divide(BigInteger.TWO));
        assertThat(l1.web3j().ethGetTransactionCount(trader.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount())
                .as("approve, then deposit, one nonce each").isEqualTo(BigInteger.TWO);

        CensorshipFreezeTest.Run capless = cli(common, "deposit", "1", "--max-fee-gwei", "0", "--anyway");
        assertThat(capless.code()).isEqualTo(2);
        assertThat(capless.err()).contains("--max-fee-gwei must be 1 or more").doesNotContain("\tat ");
        CensorshipFreezeTest.Run hasty = cli(common, "deposit", "1", "--resend-after-ms", "5", "--anyway");
        assertThat(hasty.code()).isEqualTo(2);
        assertThat(hasty.err()).contains("--resend-after-ms must be 100 or more").doesNotContain("\tat ");
    }

    @Test
    void aRefusalIsNamedByTheContractsCustomError() {
        FeeBumpingTransactions t = new FeeBumpingTransactions(null, new dev.clearline.prover.l1.TxSender(null, Credentials.create("0x01"), 1, null, null),
                Artifacts.onClasspath());
        // RollupFrozen(uint64 frozenAt) with frozenAt 1234, as a node quotes revert data
        String data = org.web3j.crypto.Hash.sha3String("RollupFrozen(uint64)").substring(0, 10) + "00".repeat(30) + "04d2";
        assertThat(t.refusal("execution reverted (data " + data + ")")).startsWith("RollupFrozen(1234)").contains(data);
        assertThat(t.refusal("insufficient funds for gas * price + value")).isEqualTo("insufficient funds for gas * price + value");
    }
}
