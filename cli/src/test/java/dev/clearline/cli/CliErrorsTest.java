package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A user's mistake gets one or two lines that say what is wrong and what to do, a non-zero exit
 * code, and never a stack trace or an exception's class name. Each case runs the CLI in-process
 * through {@link Main#run} with captured output, as a user would type it.
 */
class CliErrorsTest {
    /** A fully qualified exception class name, as a stack trace or a toString() would print it. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z]\\w*(Exception|Error)\\b");
    private static final String KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    @TempDir
    Path tmp;

    private static CliTest.Run run(String... args) {
        return CliTest.run(stop -> { }, args);
    }

    /** Exit {@code code}, at most two lines on stderr containing {@code fragments}, nothing that looks like a trace. */
    private static void assertCleanFailure(CliTest.Run r, int code, String... fragments) {
        String all = r.out() + r.err();
        assertThat(r.code()).as(all).isEqualTo(code);
        assertThat(r.err()).contains(fragments);
        assertThat(r.err().strip().lines().count()).as(r.err()).isBetween(1L, 2L);
        assertThat(CLASS_NAME.matcher(all).find()).as(all).isFalse();
        assertThat(all).doesNotContain("Exception", "at dev.clearline", "\tat ", "is running");
    }

    @Test
    void deployWithAPrivateKeyThatIsNotHexSaysWhatAKeyLooksLike() {
        assertCleanFailure(run("deploy", "--private-key", "nothex"), 2,
                "--private-key", "64 hex digits", "not hex digits", "clearline deploy --help");
    }

    @Test
    void deployWithAPrivateKeyShorterThan32BytesIsRefusedNotPadded() {
        assertCleanFailure(run("deploy", "--private-key", "0x12"), 2, "--private-key", "32 bytes", "has 2 hex digits");
    }

    @Test
    void deployWithAPrivateKeyOfZeroOrAtTheCurveOrderIsRefused() {
        assertCleanFailure(run("deploy", "--private-key", "0x" + "00".repeat(32)), 2, "--private-key", "curve order");
        assertCleanFailure(run("deploy", "--private-key", "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"), 2,
                "--private-key", "curve order");
        // 65 hex digits: too long is refused as well.
        assertCleanFailure(run("deploy", "--private-key", KEY_0 + "0"), 2, "--private-key", "has 65 hex digits");
    }

    @Test
    void deployTakesAKeystoreOrAKeyFileAndSaysWhatIsWrongWithThemBeforeAnythingIsSent() throws Exception {
        java.nio.file.Path missing = java.nio.file.Files.createTempDirectory("deploy-keys").resolve("none.json");
        assertCleanFailure(run("deploy", "--keystore", missing.toString(), "--rpc-url", "http://127.0.0.1:9"), 1,
                "cannot read --keystore " + missing, "does not exist");
        assertCleanFailure(run("deploy", "--password-file", missing.toString(), "--rpc-url", "http://127.0.0.1:9"), 2,
                "--password-file opens a --keystore");
        assertCleanFailure(run("deploy", "--key-file", missing.toString(), "--key", KEY_0, "--rpc-url", "http://127.0.0.1:9"), 2,
                "give one key, not --key and --key-file");
    }

    @Test
    void deployTakesItsKeyAsKeyLikeEveryOtherCommand() {
        // `--key` is what order, deposit, mint and configure-market take: deploy refused it as an unknown option
        assertCleanFailure(run("deploy", "--key", "0x12"), 2, "--key", "32 bytes", "has 2 hex digits");
        assertThat(run("deploy", "--help").out()).contains("--key", "--private-key");
    }

    @Test
    void anOptionThatIsOneWordOfAnotherCommandsNameForItIsSuggested() {
        CliTest.Run r = run("watch", "--key", "0x" + "11".repeat(32));
        assertCleanFailure(r, 2, "unknown option '--key'", "did you mean", "'--key-file'");
    }

    @Test
    void theOptionMeantIsSuggestedEvenWherePicocliGuessesOtherwise() {
        // watch keeps its state under --data-dir, up under --dir: picocli's own guesses for '--dir' left it out
        assertCleanFailure(run("watch", "--dir", "/tmp/w"), 2, "unknown option '--dir'", "did you mean '--data-dir'");
        assertCleanFailure(run("watch", "--dir=/tmp/w"), 2, "unknown option '--dir=/tmp/w'", "did you mean '--data-dir'");
        assertCleanFailure(run("status", "--rpc", "http://127.0.0.1:1"), 2, "did you mean '--rpc-url'");
        assertThat(run("watch", "--frobnicate").err()).as("nothing near it").doesNotContain("did you mean");
        // a slip in a required option's name: picocli finds it missing first, the slip is what to fix
        CliTest.Run slip = run("order", "--sid", "buy", "--market", "1", "--price", "1", "--lots", "1");
        assertCleanFailure(slip, 2, "unknown option '--sid'", "did you mean '--side'");
        assertThat(slip.err()).doesNotContain("missing");
        assertCleanFailure(run("order", "--market", "1"), 2, "missing required options");
        assertThat(run("watch", "-x").err()).as("a one-letter option is near every other: none offered").doesNotContain("did you mean");
    }

    @Test
    void aPrivateKeyIsNeverEchoedInTheError() {
        String almost = "0x" + "ab".repeat(31) + "zz";
        CliTest.Run r = run("deploy", "--private-key", almost);
        assertCleanFailure(r, 2, "--private-key");
        assertThat(r.err()).doesNotContain("abab");
    }

    @Test
    void aNumberThatIsNotOneIsCalledAWholeNumberNotAJavaType() {
        CliTest.Run r = run("verify-batch", "x");
        assertCleanFailure(r, 2, "'x' is not a whole number", "clearline verify-batch --help");
        assertThat(r.err()).doesNotContain("a long");
        assertCleanFailure(run("trace", "1", "two"), 2, "'two' is not a whole number");
    }

    /**
     * A price or size that could never be an order is refused before the venue is asked anything: offline, a typo read
     * "cannot reach the sequencer", and the price's own fault came only once the venue answered. The API here listens
     * nowhere, so reaching it would fail with exit code 1.
     */
    @Test
    void aPriceSizeOrMarginThatCouldNeverBeIsRefusedBeforeTheVenueIsAsked() {
        String[] venue = {"--api", "http://127.0.0.1:1", "--key", KEY_0};
        for (String price : new String[] {"abc", "-3", "0", "0.000000", "1e3", "60.0000001"}) {
            CliTest.Run r = run(concat(new String[] {"order", "--market", "1", "--side", "buy", "--price", price, "--lots", "2"}, venue));
            assertCleanFailure(r, 2, "--price", price);
            assertThat(r.err()).as(price).doesNotContain("sequencer");
            if (price.startsWith("0")) assertThat(r.err()).contains("a price must be more than 0, not " + price);
            CliTest.Run amend = run(concat(new String[] {"amend", "0x" + "ab".repeat(32), "--price", price}, venue));
            assertCleanFailure(amend, 2, "--price");
        }
        for (String lots : new String[] {"0", "-1", "two", "1.5"}) {
            assertCleanFailure(run(concat(new String[] {"order", "--market", "1", "--side", "sell", "--price", "60", "--lots", lots}, venue)), 2,
                    "--lots", lots.equals("0") || lots.equals("-1") ? "1 lot or more, not " + lots : "'" + lots + "' is not a number of lots");
            assertCleanFailure(run(concat(new String[] {"amend", "0x" + "ab".repeat(32), "--lots", lots}, venue)), 2, "--lots");
        }
        for (String amount : new String[] {"abc", "0", "1.0000001"}) {
            CliTest.Run r = run(concat(new String[] {"margin", "add", amount, "--market", "1"}, venue));
            assertCleanFailure(r, 2, "AMOUNT");
            assertThat(r.err()).as(amount).doesNotContain("sequencer");
        }
        String hash = "0x" + "ab".repeat(32);
        assertCleanFailure(run(concat(new String[] {"cancel"}, venue)), 2, "give the hash of the order to cancel", "--all");
        assertCleanFailure(run(concat(new String[] {"cancel", hash, "--all"}, venue)), 2, "not both");
        assertCleanFailure(run(concat(new String[] {"cancel", hash, "--market", "1"}, venue)), 2, "--market goes with --all");
        assertCleanFailure(run(concat(new String[] {"cancel", hash, "0x12"}, venue)), 2, "'0x12' is not an order hash");
        assertCleanFailure(run(concat(new String[] {"deposit", "5", "--wait", "--anyway"}, venue)), 2, "--wait", "--anyway", "give one");
        assertCleanFailure(run(concat(new String[] {"deposit", "5", "--wait", "--wait-seconds", "0"}, venue)), 2, "--wait-seconds", "1 to 86400");
        // a well-formed price goes on to the venue, which is not there
        assertThat(run(concat(new String[] {"order", "--market", "1", "--side", "buy", "--price", "60.5", "--lots", "2"}, venue)).code()).isEqualTo(1);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * A withdrawal's recipient is where L1 pays: a mistyped digit in a checksummed (mixed-case) address, or the zero address,
     * is refused before anything is signed. The same check for every address a person types: a mint's recipient, a
     * market's oracle, an escape's owner.
     */
    @Test
    void anAddressWithAWrongChecksumOrTheZeroAddressIsNeverPaid() {
        String good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // EIP-55's own example
        String typo = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
        assertCleanFailure(run("withdraw", "1", "--to", typo, "--key", "0x" + "11".repeat(32)), 2, "--to", "wrong EIP-55 checksum", "a digit is likely mistyped");
        assertCleanFailure(run("withdraw", "1", "--to", "0x" + "0".repeat(40), "--key", "0x" + "11".repeat(32)), 2, "--to is the zero address");
        assertCleanFailure(run("withdraw", "1", "--to", "0x1234", "--key", "0x" + "11".repeat(32)), 2, "--to", "'0x1234' is not an address", "40 hex digits");
        assertCleanFailure(run("mint", "1", "--to", typo), 2, "--to", "wrong EIP-55 checksum");
        assertCleanFailure(run("escape", "--owner", typo), 2, "--owner", "wrong EIP-55 checksum");
        assertCleanFailure(run("configure-market", "--market", "3", "--tick", "1", "--lot", "1", "--oracle", typo), 2, "--oracle", "wrong EIP-55 checksum");
        Converters.L1Address addresses = new Converters.L1Address();
        assertThat(addresses.convert(good).toString()).isEqualToIgnoringCase(good);
        assertThat(addresses.convert(" " + good.toLowerCase() + " ").toString()).as("one case carries no checksum").isEqualToIgnoringCase(good);
        assertThat(addresses.convert("0X" + good.substring(2).toUpperCase()).toString()).isEqualToIgnoringCase(good);
    }

    @Test
    void aMarketIdIsAUint32AsOnL1() {
        // 2^32 does not wrap to market 0, and -1 is not market 4294967295: both name the range
        assertCleanFailure(run("markets", "--market", "4294967296"), 2, "--market", "0 to 4294967295", "4294967296");
        assertCleanFailure(run("markets", "--market", "-1"), 2, "--market", "0 to 4294967295");
        assertCleanFailure(run("order", "--market", "x", "--side", "buy", "--price", "1", "--lots", "1"), 2, "0 to 4294967295", "'x'");
        // a market from 2^31 up is the engine's negative int, as the order's EIP-712 word holds it
        assertThat(new Converters.MarketId().convert("2147483649")).isEqualTo((int) 0x8000_0001L);
        assertThat(new Converters.MarketId().convert("4294967295")).isEqualTo(-1);
        assertThat(new Converters.MarketId().convert("1")).isEqualTo(1);
    }

    @Test
    void devnetWithANegativePortNamesTheValidRangeAndStartsNothing() {
        assertCleanFailure(run("devnet", "--port", "-5"), 2, "--port", "0-65535");
    }

    @Test
    void devnetWithAPortAbove65535NamesTheValidRange() {
        assertCleanFailure(run("devnet", "--port", "99999"), 2, "--port", "0-65535", "99999");
    }

    @Test
    void devnetOnAPortAlreadyInUseSaysSoAndSuggestsAnother() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertCleanFailure(run("devnet", "--port", Integer.toString(taken.getLocalPort())), 1,
                    "cannot start the devnet", "cannot listen", "--port");
        }
    }

    @Test
    void deployWithACorruptManifestNamesTheFileAndTheWayOut() throws Exception {
        Path manifest = tmp.resolve("deployment.json");
        Files.writeString(manifest, "{\"version\": 1, \"chainId\": ");
        assertCleanFailure(run("deploy", "--manifest", manifest.toString(), "--rpc-url", "http://127.0.0.1:1"), 1,
                manifest.toString(), "not valid JSON", "line", "deploy --fresh");
    }

    @Test
    void deployWithAManifestOfTheWrongShapeListsWhatIsWrong() throws Exception {
        Path manifest = tmp.resolve("deployment.json");
        Files.writeString(manifest, "{\"version\": 1, \"chainId\": 31337, \"contracts\": \"TestCollateral\", \"name\": 5}");
        assertCleanFailure(run("deploy", "--manifest", manifest.toString(), "--rpc-url", "http://127.0.0.1:1"), 1,
                manifest.toString(), "not a Clearline deployment manifest", "\"contracts\" is missing or not an array",
                "\"deployer\"", "deploy --fresh");
    }

    @Test
    void deployWithAManifestOfAnotherFormatVersionSaysWhichVersion() throws Exception {
        Path manifest = tmp.resolve("deployment.json");
        Files.writeString(manifest, "[1, 2, 3]");
        assertCleanFailure(run("deploy", "--manifest", manifest.toString(), "--rpc-url", "http://127.0.0.1:1"), 1, "not a JSON object");
        Files.writeString(manifest, "{\"version\": 7}");
        assertCleanFailure(run("deploy", "--manifest", manifest.toString(), "--rpc-url", "http://127.0.0.1:1"), 1, "format version 7");
    }

    @Test
    void deployWithAManifestInAnUnwritablePlaceFailsBeforeSendingAnything() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
        try (Devnet devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> 1_700_000_000L), 0))) {
            assertCleanFailure(run("deploy", "--rpc-url", devnet.rpcUrl(), "--manifest", notADirectory.resolve("deployment.json").toString()), 1,
                    "cannot write the manifest", "is not a directory", "--manifest");
            assertThat(devnet.node().blockNumber()).as("no transaction was sent").isZero();
        }
        assertCleanFailure(run("deploy", "--manifest", tmp.toString()), 1, "is a directory", "--manifest");
    }

    @Test
    void deployWithAParameterThatIsNotAnAddressFailsBeforeSendingAnything() throws Exception {
        Path manifest = tmp.resolve("deployment.json");
        try (Devnet devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> 1_700_000_000L), 0))) {
            assertCleanFailure(run("deploy", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(),
                    "--param", "collateral.minter=nothex"), 1, "--param", "collateral.minter=nothex is not an address");
            assertThat(devnet.node().blockNumber()).as("no transaction was sent").isZero();
        }
        assertThat(manifest).doesNotExist();
    }

    @Test
    void deployWithAMisspeltParameterNameListsTheKnownNamesAndSendsNothing() {
        Path manifest = tmp.resolve("deployment.json");
        assertCleanFailure(run("deploy", "--manifest", manifest.toString(), "--param", "rollup.challengPeriod=60"), 1,
                "unknown deployment parameter rollup.challengPeriod", "rollup.challengePeriod", "--param");
        assertThat(manifest).doesNotExist();
    }

    @Test
    void upWithAManifestInAnUnwritablePlaceFailsBeforeStartingTheDevnet() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
        assertCleanFailure(run("up", "--port", "0", "--manifest", notADirectory.resolve("m.json").toString()), 1,
                "cannot write the manifest");
    }

    @Test
    void anUnknownCommandSuggestsTheNearestOne() {
        assertCleanFailure(run("deplyo"), 2, "unknown command 'deplyo'", "did you mean 'deploy'", "clearline --help");
        assertCleanFailure(run("frobnicate"), 2, "unknown command 'frobnicate'");
        assertThat(run("frobnicate").err()).as("nothing near it: no guesses beside --help").doesNotContain("did you mean");
        assertCleanFailure(run("verify"), 2, "unknown command 'verify'", "did you mean", "'verify-batch");
    }

    @Test
    void onlyNamesCloseToWhatWasTypedAreSuggested() {
        assertThat(ErrorReporting.near("deplyo", "deploy")).as("a swap of neighbours").isTrue();
        assertThat(ErrorReporting.near("--rpc", "--rpc-url")).as("a shortened option").isTrue();
        assertThat(ErrorReporting.near("--dept", "--depth")).isTrue();
        assertThat(ErrorReporting.near("positons", "positions")).isTrue();
        assertThat(ErrorReporting.near("frobnicate", "watch")).isFalse();
        assertThat(ErrorReporting.near("frobnicate", "escape")).isFalse();
        assertThat(ErrorReporting.near("up", "mint")).isFalse();
        assertThat(ErrorReporting.near("--x", "--max-order-lifetime")).as("too short to be a prefix").isFalse();
        assertThat(ErrorReporting.near("--key", "--operator-key-file")).as("one word of the name").isTrue();
        assertThat(ErrorReporting.near("--file", "--operator-key-file")).isTrue();
        assertThat(ErrorReporting.near("--ke", "--operator-key-file")).as("too short to be a word").isFalse();
        assertThat(ErrorReporting.near("--rate", "--operator-key-file")).isFalse();
        assertThat(ErrorReporting.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ErrorReporting.editDistance("", "abc")).isEqualTo(3);
        assertThat(ErrorReporting.editDistance("ab", "ba")).isEqualTo(1);
    }

    @Test
    void anUnknownOptionNamesItAndPointsToHelp() {
        assertCleanFailure(run("devnet", "--prot", "8545"), 2, "unknown option '--prot'", "clearline devnet --help");
    }

    @Test
    void anApiUrlWithoutItsSchemeIsShownTheTradersApisOwnExample() {
        CliTest.Run r = run("positions", "--api", "127.0.0.1:8480", "--key", "0x" + "11".repeat(32));
        assertCleanFailure(r, 2, "--api", "such as http://127.0.0.1:8480");
        assertThat(r.err()).doesNotContain("8545");
        // a host that does not resolve is not "connection refused"
        assertCleanFailure(run("positions", "--api", "http://nosuchhost.invalid:8480", "--key", "0x" + "11".repeat(32)), 1,
                "the host nosuchhost.invalid is unknown", "--api");
    }

    @Test
    void deployWithAnRpcUrlThatIsNotHttpSaysWhatAnRpcUrlLooksLike() {
        assertCleanFailure(run("deploy", "--rpc-url", "notaurl"), 2, "--rpc-url", "http://127.0.0.1:8545");
        assertCleanFailure(run("deploy", "--rpc-url", "ftp://example.org"), 2, "--rpc-url", "not an http(s) URL");
        assertCleanFailure(run("deploy", "--rpc-url", "http://"), 2, "--rpc-url");
    }

    @Test
    void deployToAnUnreachableNodeAsksWhetherTheNodeIsRunning() {
        assertCleanFailure(run("deploy", "--rpc-url", "http://127.0.0.1:1", "--manifest", tmp.resolve("m.json").toString()), 1,
                "cannot talk to the node: connection refused", "is the RPC URL right and the node running?");
        assertThat(tmp.resolve("m.json")).doesNotExist();
    }

    @Test
    void devnetWithABadChainIdNamesTheValidRange() {
        assertCleanFailure(run("devnet", "--chain-id", "abc"), 2, "--chain-id", "not a whole number");
        assertCleanFailure(run("devnet", "--chain-id", "0"), 2, "--chain-id", "1 to 4503599627370476");
        assertCleanFailure(run("devnet", "--chain-id", "-1"), 2, "--chain-id", "1 to 4503599627370476");
    }

    @Test
    void devnetWithANegativeBlockTimeIsRefused() {
        assertCleanFailure(run("devnet", "--block-time", "-1"), 2, "--block-time", "0 (automine)");
        assertCleanFailure(run("devnet", "--block-time", "NaN"), 2, "--block-time");
        assertCleanFailure(run("devnet", "--block-time", "soon"), 2, "--block-time", "not a number of seconds");
    }

    @Test
    void devnetWithADataDirThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("chain"), "x");
        assertCleanFailure(run("devnet", "--data-dir", file.toString()), 2, "--data-dir", "is not a directory");
        assertCleanFailure(run("devnet", "--port", "0", "--data-dir", file.resolve("below").toString()), 2, "--data-dir", "is not a directory");
    }

    @Test
    void devnetWithAnUnresolvableHostOrABadMnemonicSaysWhichOption() {
        assertCleanFailure(run("devnet", "--host", "999.1.1.1"), 2, "--host", "127.0.0.1");
        CliTest.Run r = run("devnet", "--port", "0", "--mnemonic", "correct horse battery staple");
        assertCleanFailure(r, 1, "--mnemonic", "BIP-39");
        assertThat(r.err()).doesNotContain("horse");
    }

    @Test
    void countsAndTimeoutsOutsideTheirRangesNameTheRange() {
        assertCleanFailure(run("devnet", "--accounts", "0"), 2, "--accounts", "1 to 1000");
        assertCleanFailure(run("deploy", "--confirmations", "0"), 2, "--confirmations", "1 to 1000");
        assertCleanFailure(run("deploy", "--timeout", "-3"), 2, "--timeout", "1 to 86400");
        assertCleanFailure(run("deploy", "--param", "nokey"), 2, "--param");
    }

    @Test
    void blockTxsOutsideItsRangeOrBesideADataDirIsRefusedWithWhatToDo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        assertCleanFailure(run("devnet", "--port", "0", "--block-txs", "0"), 1, "--block-txs", "1 to 1000");
        assertCleanFailure(run("devnet", "--port", "0", "--block-txs", "8", "--data-dir", dir.toString()), 1,
                "--block-txs", "--data-dir", "drop one of them");
    }

    @Test
    void verboseOrClearlineDebugShowsTheStackTraceForABugReport() {
        for (String[] args : new String[][]{{"-v", "deploy", "--private-key", "0x12"}, {"deploy", "--verbose", "--private-key", "0x12"}}) {
            CliTest.Run r = run(args);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("32 bytes", "ParameterException", "\tat ");
        }
        StringWriter err = new StringWriter();
        int code = Main.run(new String[]{"deploy", "--private-key", "0x12"}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true), stop -> { }, true);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("ParameterException", "\tat ");
    }

    @Command(name = "broken")
    static final class Broken implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("the frobnicator is out of sync");
        }
    }

    @Test
    void anUnexpectedFailureIsOneLineThatSaysHowToReportIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Broken());
        StringWriter out = new StringWriter();
        ErrorReporting errors = new ErrorReporting(new PrintWriter(out, true), new PrintWriter(err, true), () -> false);
        cli.setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors);
        assertThat(cli.execute()).isEqualTo(ErrorReporting.BUG);
        assertThat(err.toString()).contains("broken: the frobnicator is out of sync", "--verbose", "CLEARLINE_DEBUG=1", "report");
        assertThat(err.toString()).doesNotContain("Exception", "\tat ");
        assertThat(err.toString().strip().lines().count()).isEqualTo(2);
        assertThat(out.toString()).as("no --json asked: stdout stays empty").isEmpty();
    }

    @Test
    void aFailureUnderJsonIsAlsoOneObjectOnStdoutForTheScript() throws Exception {
        String[] args = {"claim", "--rpc-url", "http://127.0.0.1:1", "--rollup", "0x" + "11".repeat(20), "--key", KEY_0};
        CliTest.Run text = run(args);
        assertThat(text.code()).isEqualTo(1);
        assertThat(text.out()).as("without --json nothing on stdout").isEmpty();
        CliTest.Run json = run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--json")).toArray(String[]::new));
        assertThat(json.code()).isEqualTo(1);
        assertThat(json.err()).as("people still read the line on stderr").contains("connection refused");
        com.fasterxml.jackson.databind.JsonNode o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(o.path("error").asText()).contains("connection refused");
        assertThat(o.path("exitCode").asInt()).isEqualTo(1);
    }
}
