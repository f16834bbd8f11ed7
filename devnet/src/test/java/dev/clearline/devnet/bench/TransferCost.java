package dev.clearline.devnet.bench;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.node.NodeConfig;
import dev.clearline.devnet.node.Outcome;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Where a transfer's and an {@code eth_call}'s CPU goes, layer by layer, in one process: the node
 * alone ({@code DevnetNode.sendRawTransaction}), the JSON-RPC dispatcher on top, then HTTP with
 * one client thread. Figures are CPU microseconds per operation (thread CPU for the in-process
 * layers, the server threads' CPU for HTTP), so they hold on a loaded machine where rates do not.
 * Printed per round so the JIT's warm-up shows.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp <devnet test classpath>
 * dev.clearline.devnet.bench.TransferCost [rounds] [per-round]}.
 */
public final class TransferCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private TransferCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        DevAccounts keys = DevAccounts.defaults();
        try (Devnet devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> System.currentTimeMillis() / 1000), 0))) {
            Deployer.Result result = new Deployer(devnet.web3jService(), keys.first(), Artifacts.onClasspath(), Deployer.Settings.defaults(),
                    m -> { }, System::currentTimeMillis)
                    .deploy(ContractSet.standard(), DeploymentParameters.defaults(keys.first().getAddress(), Map.of()),
                            Files.createTempDirectory("cost").resolve("m.json"), true);
            if (!(result instanceof Deployer.Deployed deployed)) throw new IllegalStateException("deployment failed: " + result);
            String token = deployed.manifest().address("TestCollateral");
            Credentials sender = keys.keys().get(1);
            String receiver = keys.first().getAddress();
            Chain chain = new Chain(null, devnet.chainId());
            long minterNonce = devnet.node().pendingNonce(keys.first().getAddress()).longValueExact();
            expectDone(devnet.node().sendRawTransaction(Numeric.hexStringToByteArray(
                    chain.signed(keys.first(), BigInteger.valueOf(minterNonce), token, Chain.mint(sender.getAddress(), 1_000_000_000L), 100_000))));
            long nonce = devnet.node().pendingNonce(sender.getAddress()).longValueExact();
            int total = rounds * perRound * 3;
            List<byte[]> raw = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                raw.add(Numeric.hexStringToByteArray(chain.signed(sender, BigInteger.valueOf(nonce + i), token, Chain.transfer(receiver, 1), 100_000)));
            }
            byte[] call = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":\"" + token + "\",\"data\":\""
                    + Chain.balanceOf(receiver) + "\"},\"latest\"]}").getBytes(StandardCharsets.UTF_8);
            int next = 0;
            BlockingRpcClient client = new BlockingRpcClient(devnet.rpcUrl());
            System.out.println("CPU us per operation (node = DevnetNode alone, rpc = + JSON-RPC dispatch, http = server threads' CPU)");
            if (System.getProperty("nodeOnly") != null) {
                for (int r = 0; r < rounds * 3; r++) {
                    long t0 = cpu();
                    long p0 = processCpu();
                    for (int i = 0; i < perRound; i++) expectDone(devnet.node().sendRawTransaction(raw.get(next++)));
                    System.out.printf("round %d: transfer node thread %.0f process %.0f%n", r, (cpu() - t0) / 1e3 / perRound,
                            (processCpu() - p0) / 1e3 / perRound);
                }
                return;
            }
            for (int r = 0; r < rounds; r++) {
                long t0 = cpu();
                for (int i = 0; i < perRound; i++) expectDone(devnet.node().sendRawTransaction(raw.get(next++)));
                long node = cpu() - t0;
                t0 = cpu();
                for (int i = 0; i < perRound; i++) devnet.dispatcher().handle(body("eth_sendRawTransaction", Numeric.toHexString(raw.get(next++))));
                long rpc = cpu() - t0;
                long s0 = serverCpu();
                for (int i = 0; i < perRound; i++) client.post(body("eth_sendRawTransaction", Numeric.toHexString(raw.get(next++))));
                long http = serverCpu() - s0;
                t0 = cpu();
                for (int i = 0; i < perRound; i++) devnet.dispatcher().handle(call);
                long callRpc = cpu() - t0;
                s0 = serverCpu();
                for (int i = 0; i < perRound; i++) client.post(call);
                long callHttp = serverCpu() - s0;
                System.out.printf("round %d: transfer node %.0f rpc %.0f http %.0f | eth_call rpc %.0f http %.0f%n", r,
                        node / 1e3 / perRound, rpc / 1e3 / perRound, http / 1e3 / perRound, callRpc / 1e3 / perRound, callHttp / 1e3 / perRound);
            }
        }
    }

    private static byte[] body(String method, String param) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[\"" + param + "\"]}").getBytes(StandardCharsets.UTF_8);
    }

    private static void expectDone(Outcome<?> o) {
        if (!(o instanceof Outcome.Done<?>)) throw new IllegalStateException("refused: " + o);
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU of every thread the HTTP server runs on. */
    private static long serverCpu() {
        long sum = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("devnet-rpc")) sum += Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
        }
        return sum;
    }
}
