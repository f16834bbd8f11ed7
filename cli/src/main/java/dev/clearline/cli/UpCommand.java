package dev.clearline.cli;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the local stack as far as it exists today: the devnet plus the deployed contract set, then print the manifest.",
                "The sequencer and the watcher will join this command as they land. Ctrl-C stops everything."})
final class UpCommand implements Callable<Integer> {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Lifecycle lifecycle;

    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--manifest", defaultValue = Manifest.DEFAULT_PATH, description = "Where the manifest is written. Default: ${DEFAULT-VALUE}.")
    Path manifest;

    UpCommand(PrintWriter out, PrintWriter err, Lifecycle lifecycle) {
        this.out = out;
        this.err = err;
        this.lifecycle = lifecycle;
    }

    @Override
    public Integer call() throws Exception {
        ManifestTarget.requireWritable(manifest);
        Devnet devnet = node.start();
        try {
            DevnetCommand.printBanner(out, devnet, node.dataDir == null ? null : node.dataDir.toString());
            // A chain that starts at genesis cannot hold an earlier deployment: deploy fresh.
            boolean fresh = devnet.node().blockNumber() == 0;
            int code = DeployCommand.deploy(devnet.web3jService(), devnet.accounts().first(), manifest, fresh, 1,
                    Duration.ofSeconds(60), Map.of(), out, err);
            if (code != 0) {
                devnet.close();
                return code;
            }
            out.println(Manifest.read(manifest).orElseThrow().toJson());
            out.println("Press Ctrl-C to stop.");
            out.flush();
        } catch (RuntimeException e) {
            devnet.close();
            throw e;
        }
        lifecycle.awaitStop(devnet::close);
        return 0;
    }
}
