package dev.clearline.cli;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.UnreadableBatchException;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replays every batch the rollup holds from L1 data alone and prints a verdict per batch. Exit
 * code 0 when every batch is honest, 3 when at least one is fraud (a watcher challenges it).
 */
@Command(name = "verify-batches", mixinStandardHelpOptions = true,
        description = {"Rebuild the L2 state from L1 alone (the rollup's events and batch calldata) and judge every posted batch.",
                "Exit code 0: every batch honest; 3: at least one batch is fraud (its verdict says where)."})
final class VerifyBatchesCommand implements Callable<Integer> {
    static final int FRAUD_FOUND = 3;

    private final PrintWriter out;

    @Option(names = "--rpc-url", defaultValue = "http://127.0.0.1:8545", converter = Converters.RpcUrl.class,
            description = "JSON-RPC endpoint of the L1. Default: ${DEFAULT-VALUE}.")
    URI rpcUrl;

    @Option(names = "--rollup", required = true, description = "Address of the Rollup contract (0x and 40 hex digits).")
    String rollup;

    @Option(names = "--from-block", defaultValue = "0", description = "First L1 block to read (the rollup's deployment block is enough). Default: ${DEFAULT-VALUE}.")
    long fromBlock;

    VerifyBatchesCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Address rollupAddress;
        try {
            rollupAddress = Address.fromHex(rollup);
        } catch (RuntimeException e) {
            throw new UserError("--rollup " + rollup + " is not an address: give 0x and 40 hex digits (the manifest's Rollup entry)");
        }
        if (fromBlock < 0) throw new UserError("--from-block must be 0 or more, got " + fromBlock);
        Web3j web3j = Web3j.build(new HttpService(rpcUrl.toString()));
        try {
            long chainId = web3j.ethChainId().send().getChainId().longValue();
            RollupLog log = new RollupLog(web3j, rollupAddress.toString());
            List<RollupLog.Posted> posted = log.batches(fromBlock, log.latestBlock());
            BatchVerifier verifier = new BatchVerifier(SignaturesAhead.stf(new Eip712(chainId, rollupAddress)), new MemoryNodeStore());
            int fraud = 0;
            for (RollupLog.Posted p : posted) {
                Verdict v = verifier.verify(p.batch());
                if (!v.honest()) fraud++;
                out.println("batch=" + v.batchIndex() + " block=" + p.blockNumber() + " tx=" + p.transactionHash() + " verdict=" + describe(v));
            }
            out.println("batches=" + posted.size() + " fraud=" + fraud + " verifiedRoot=" + verifier.verifiedRoot());
            return fraud == 0 ? 0 : FRAUD_FOUND;
        } catch (UnreadableBatchException e) {
            throw new UserError(e.getMessage() + "; inspect that transaction, it cannot be judged from L1 data");
        } catch (IOException e) {
            throw new UserError("cannot read L1 at " + rpcUrl + ": " + e.getMessage() + "; check --rpc-url and that the node is running");
        } finally {
            web3j.shutdown();
        }
    }

    private static String describe(Verdict v) {
        return switch (v) {
            case Verdict.Honest h -> "honest postRoot=" + h.postRoot();
            case Verdict.WrongPrevRoot w -> "fraud:wrong-prev-root claimed=" + w.claimed() + " actual=" + w.actual();
            case Verdict.Undecodable u -> "fraud:undecodable step=" + u.step() + " offset=" + u.offset() + " reason=\"" + u.reason() + "\"";
            case Verdict.HeaderMismatch m -> "fraud:header-mismatch field=" + m.field() + " claimed=" + m.claimed() + " actual=" + m.actual();
            case Verdict.RejectedStep r -> "fraud:refused-step step=" + r.step() + " reject=" + r.reason();
            case Verdict.WrongPostRoot w -> "fraud:wrong-post-root claimed=" + w.claimed() + " actual=" + w.actual();
        };
    }
}
