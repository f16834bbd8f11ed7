package dev.clearline.devnet.node;

import dev.clearline.devnet.Devnet;
import java.math.BigInteger;
import java.nio.file.Path;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * A devnet on a data directory that mines {@code n} ether transfers (with a state edit before the
 * last two blocks and one after them, see {@link #CAROL}), prints what it holds and
 * then waits to be killed: the other half of {@link KilledNodeReopensTest}, run as its own process
 * so that the kill is a real one (no shutdown hook, no close).
 */
public final class NodeToKill {
    static final String BOB = "0x00000000000000000000000000000000000000b0";
    /** Set to 5 wei after block n - 2 and to 7 after the last block, by {@code hardhat_setBalance}. */
    static final String CAROL = "0x00000000000000000000000000000000000c0001";

    private NodeToKill() {}

    /** A signed transfer of one wei to {@link #BOB}. */
    static byte[] oneWei(Credentials from, long nonce) {
        RawTransaction tx = RawTransaction.createTransaction(31337, BigInteger.valueOf(nonce), BigInteger.valueOf(21_000), BOB,
                BigInteger.ONE, "", BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(10_000_000_000L));
        return TransactionEncoder.signMessage(tx, 31337, from);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int transfers = Integer.parseInt(args[1]);
        Devnet devnet = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir));
        Credentials alice = devnet.accounts().first();
        for (int i = 0; i < transfers; i++) {
            if (i == transfers - 2) devnet.node().setBalance(CAROL, BigInteger.valueOf(5));
            if (!(devnet.node().sendRawTransaction(oneWei(alice, i)) instanceof Outcome.Done<?>)) {
                throw new IllegalStateException("transfer " + i + " refused");
            }
        }
        DevnetNode node = devnet.node();
        node.setBalance(CAROL, BigInteger.valueOf(7));
        System.out.println("mined " + node.blockNumber() + " " + node.head().hash() + " " + node.balance(BOB, node.blockNumber()));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
