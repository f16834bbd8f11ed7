package dev.clearline.prover.dispute;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.compat.HardhatNode;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.TimeTravel;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The whole dispute of {@link DisputeOnDevnetTest} on a second L1: Hardhat's node (EDR) over HTTP
 * JSON-RPC, with the standard contract set deployed by the same deployer. The watcher, the lying
 * proposer and the assertions are the same; only the node differs.
 */
class DisputeOnHardhatTest {
    @Test
    void aLyingBatchIsProvenWrongOnHardhatsNodeToo() throws Exception {
        try (HardhatNode node = HardhatNode.start()) {
            HttpService service = new HttpService(node.url());
            Web3j web3j = Web3j.build(service);
            DevAccounts accounts = DevAccounts.defaults();
            Manifest manifest = switch (new Deployer(service, accounts.first(), Artifacts.onClasspath(), Deployer.Settings.defaults(),
                    m -> { }, System::currentTimeMillis).deploy(ContractSet.standard(),
                    // the lying sequencer posts from key 3 (Rollout): as a deployment would, the rollup names it
                    DeploymentParameters.defaults(accounts.first().getAddress(), Map.of("rollup.sequencer", accounts.keys().get(3).getAddress())),
                    Files.createTempDirectory("clearline-hardhat-dispute").resolve("deployment.json"), true)) {
                case Deployer.Deployed d -> d.manifest();
                case Deployer.Failed f -> throw new IllegalStateException("deploying the contract set on Hardhat failed: " + f.message());
            };
            DevnetContext l1 = new DevnetContext(null, service, web3j, manifest, accounts, new TimeTravel(service));
            DisputeOnDevnetTest.lyingBatchAmongHonestOnes(l1);
            web3j.shutdown();
        }
    }
}
