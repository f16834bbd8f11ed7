package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

class NodeTransactionsTest {
    static final AtomicLong CLOCK = new AtomicLong(1_700_000_000L);
    static Devnet devnet;
    static Web3j web3j;

    @BeforeAll
    static void start() {
        devnet = Devnet.inProcess(NodeConfig.defaults(CLOCK::get));
        web3j = devnet.web3j();
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    @Test
    void defaultMnemonicGivesHardhatsFirstAccountWithTenThousandEth() throws Exception {
        assertThat(devnet.accounts().first().getAddress()).isEqualTo("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assertThat(web3j.ethGetBalance(devnet.accounts().first().getAddress(), DefaultBlockParameterName.LATEST).send().getBalance())
                .isEqualTo(new BigInteger("10000000000000000000000"));
        assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
    }

    @Test
    void eip1559TransferIsMinedWithReceiptAndFeesCharged() throws Exception {
        Credentials alice = devnet.accounts().keys().get(1);
        String bob = devnet.accounts().keys().get(2).getAddress();
        BigInteger before = web3j.ethGetBalance(alice.getAddress(), DefaultBlockParameterName.LATEST).send().getBalance();
        BigInteger bobBefore = web3j.ethGetBalance(bob, DefaultBlockParameterName.LATEST).send().getBalance();
        BigInteger nonce = web3j.ethGetTransactionCount(alice.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount();
        long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        RawTransaction tx = RawTransaction.createEtherTransaction(31337, nonce, BigInteger.valueOf(21000), bob,
                BigInteger.valueOf(12345), BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(5_000_000_000L));
        EthSendTransaction sent = web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, 31337, alice))).send();
        assertThat(sent.hasError()).as(String.valueOf(sent.getError() == null ? "" : sent.getError().getMessage())).isFalse();
        TransactionReceipt r = web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send().getTransactionReceipt().orElseThrow();
        assertThat(r.isStatusOK()).isTrue();
        assertThat(r.getGasUsed()).isEqualTo(BigInteger.valueOf(21000));
        assertThat(r.getBlockNumber().longValueExact()).isEqualTo(head + 1);
        BigInteger paid = r.getGasUsed().multiply(Numeric.decodeQuantity(r.getEffectiveGasPrice()));
        assertThat(web3j.ethGetBalance(alice.getAddress(), DefaultBlockParameterName.LATEST).send().getBalance())
                .isEqualTo(before.subtract(paid).subtract(BigInteger.valueOf(12345)));
        assertThat(web3j.ethGetBalance(bob, DefaultBlockParameterName.LATEST).send().getBalance())
                .isEqualTo(bobBefore.add(BigInteger.valueOf(12345)));
        EthBlock.Block block = web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameter.valueOf(r.getBlockNumber()), true).send().getBlock();
        assertThat(block.getHash()).isEqualTo(r.getBlockHash());
        assertThat(block.getTransactions()).hasSize(1);
    }
}
