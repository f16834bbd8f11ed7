package dev.clearline.devnet.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.junit.NextBlocks;
import dev.clearline.devnet.node.NodeConfig;
import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.http.HttpService;

/** The compatibility suite against the embedded devnet, over real HTTP. */
class DevnetCompatibilityTest extends L1Compatibility {
    private Devnet devnet;

    @Override
    Web3jService startNode() {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(clock::get), 0));
        return new HttpService(devnet.rpcUrl());
    }

    @Override
    String webSocketUrl() {
        return devnet.rpcUrl().replaceFirst("^http", "ws");
    }

    @Override
    void stopNode() {
        devnet.close();
    }

    /**
     * A revert brings back the settings of the next blocks as they were at its snapshot (coinbase, gas limit, the next
     * base fee and prevRandao), as Hardhat's node does; the devnet kept the later ones, so one test's coinbase or gas
     * limit reached the blocks of the tests after it. Hardhat's node 2.29 was checked by hand (2026-12-06: the four come
     * back, impersonation stays, as here); in this suite its EDR panicked at the next test's {@code evm_mine} ("There
     * must be a log line", in its block logger) and took the node down, so the check runs on the devnet only.
     */
    @Test
    void aRevertBringsBackTheNextBlocksSettingsOfItsSnapshot() throws Exception {
        NextBlocks next = new NextBlocks(service);
        String first = "0x00000000000000000000000000000000000000aa";
        byte[] firstRandao = new byte[32];
        java.util.Arrays.fill(firstRandao, (byte) 0x11);
        next.setCoinbase(first);
        next.setGasLimit(33_554_432);
        next.setNextBaseFee(BigInteger.valueOf(1_000_000_000));
        next.setNextPrevRandao(firstRandao);
        String inner = time.snapshot();
        byte[] laterRandao = new byte[32];
        java.util.Arrays.fill(laterRandao, (byte) 0x22);
        next.setCoinbase("0x00000000000000000000000000000000000000bb");
        next.setGasLimit(50_331_648);
        next.setNextBaseFee(BigInteger.valueOf(2_000_000_000));
        next.setNextPrevRandao(laterRandao);
        assertThat(time.revert(inner)).isTrue();
        time.mine();
        var block = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock();
        assertThat(block.getMiner()).isEqualTo(first);
        assertThat(block.getGasLimit()).isEqualTo(BigInteger.valueOf(33_554_432));
        assertThat(block.getBaseFeePerGas()).isEqualTo(BigInteger.valueOf(1_000_000_000));
        assertThat(block.getMixHash()).isEqualTo(Numeric.toHexString(firstRandao));
    }
}
