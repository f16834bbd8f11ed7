package dev.clearline.cli;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.Refusals;
import dev.clearline.prover.l1.TxSender;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.exceptions.ContractCallException;

/**
 * The user's L1 transactions, sent the way the operator's are ({@link TxSender}): the gas is the
 * node's estimate with a margin, the fees follow the latest base fee, and a transaction not mined
 * in time is re-sent under its nonce with higher fees until it is, up to a cap.
 *
 * <p>web3j's wrappers would send a legacy transaction at the gas price and limit of their gas
 * provider. A fixed price is never mined while the base fee is above it (on a congested chain, just
 * when everyone escapes) and overpays when it is below; a fixed limit makes the node ask the
 * balance to cover limit times price, so a trader holding less ETH than that could not even
 * deposit. A call the estimate says would revert is not sent at all: the user is told which of the
 * contracts' custom errors it hit instead of paying for the failure.
 */
final class FeeBumpingTransactions extends TransactionManager {
    /** The contracts a user command calls: their custom errors name a refusal. */
    private static final List<String> CALLED = List.of("Rollup", "EscapeHatch", "DisputeGame", "TestCollateral");

    private final Web3j web3j;
    private final TxSender sender;
    private final Artifacts artifacts;

    FeeBumpingTransactions(Web3j web3j, TxSender sender, Artifacts artifacts) {
        super(web3j, sender.address());
        this.web3j = web3j;
        this.sender = sender;
        this.artifacts = artifacts;
    }

    @Override
    protected TransactionReceipt executeTransaction(BigInteger gasPrice, BigInteger gasLimit, String to, String data, BigInteger value,
            boolean constructor) throws IOException, TransactionException {
        return send(to, data, value);
    }

    @Override
    protected TransactionReceipt executeTransactionEIP1559(long chainId, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas,
            BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor) throws IOException, TransactionException {
        return send(to, data, value);
    }

    private TransactionReceipt send(String to, String data, BigInteger value) throws IOException, TransactionException {
        try {
            return sender.send(to, data, value).receipt();
        } catch (TxSender.WouldRevert e) {
            throw new TransactionException("L1 would refuse it, so nothing was sent: " + refusal(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the transaction waited to be mined; it may still be mined (./clearline status shows)", e);
        }
    }

    /** The node's words, with the custom error its revert data selects named when it is one of the contracts'. */
    String refusal(String node) {
        return new Refusals(artifacts, CALLED).named(node);
    }

    /** Sending goes through {@link #executeTransaction}, which waits until mined; nothing here sends without waiting. */
    @Override
    public EthSendTransaction sendTransaction(BigInteger gasPrice, BigInteger gasLimit, String to, String data, BigInteger value,
            boolean constructor) {
        throw new UnsupportedOperationException("the CLI sends through executeTransaction (estimated, priced and re-sent until mined)");
    }

    @Override
    public EthSendTransaction sendEIP1559Transaction(long chainId, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas, BigInteger gasLimit,
            String to, String data, BigInteger value, boolean constructor) {
        throw new UnsupportedOperationException("the CLI sends through executeTransactionEIP1559 (estimated, priced and re-sent until mined)");
    }

    @Override
    public String sendCall(String to, String data, DefaultBlockParameter block) throws IOException {
        EthCall call = web3j.ethCall(Transaction.createEthCallTransaction(getFromAddress(), to, data), block).send();
        if (call.hasError()) {
            String why = call.getError().getMessage() + (call.getError().getData() == null ? "" : " " + call.getError().getData());
            throw new ContractCallException("the call reverted: " + refusal(why));
        }
        return call.getValue();
    }

    @Override
    public EthGetCode getCode(String address, DefaultBlockParameter block) throws IOException {
        return web3j.ethGetCode(address, block).send();
    }
}
