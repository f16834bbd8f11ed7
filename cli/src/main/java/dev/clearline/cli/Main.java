package dev.clearline.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code clearline} command. */
@Command(name = "clearline", mixinStandardHelpOptions = true, version = "clearline 0.1.0-SNAPSHOT",
        description = "Clearline: an open toolkit for an optimistic Layer-2 perpetuals exchange.",
        footer = {"", "The launcher (./clearline) also runs:",
                "  sequencer         A sequencer node and its trader API; its options:",
                "                      ./clearline sequencer --help",
                "  test              Build everything and run the whole test suite.",
                "  build             Build without tests.",
                "  bench MODULE      A module's benchmark; figures land in bench-results/.",
                "  mutation          PIT mutation testing (summary: bench-results/mutation/);",
                "                      mutation contracts|stf|tree: Solidity's campaigns (the L1",
                "                      contracts, the STF, the proof library)."},
        subcommands = {DevnetCommand.class, DeployCommand.class, UpCommand.class, VerifyBatchesCommand.class, VerifyBatchCommand.class,
                TraceCommand.class, ReportCommand.class, WatchCommand.class,
                DepositCommand.class, UserCommands.Markets.class, UserCommands.PlaceOrder.class, UserCommands.Amend.class, UserCommands.CancelOrder.class, UserCommands.Positions.class,
                UserCommands.AdjustMargin.class, UserCommands.Withdraw.class, UserCommands.Claim.class, StatusCommand.class,
                UserCommands.ForceWithdraw.class, UserCommands.ForceCancel.class, UserCommands.Freeze.class, EscapeCommands.Take.class,
                GovernanceCommands.ConfigureMarket.class, GovernanceCommands.SetSequencer.class, GovernanceCommands.Mint.class, BondsCommand.class, ProposeCommand.class, TakeUpCommand.class,
                KeystoreCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    /** Environment variable that turns on stack traces for every failure, as {@code --verbose} does. */
    public static final String DEBUG_ENV = "CLEARLINE_DEBUG";

    private boolean verbose;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Log at INFO (default: WARN only) and print the stack trace of any failure. Logs are key=value lines on stderr.")
    void verbose(boolean on) {
        verbose = on;
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(on ? Level.INFO : Level.WARN);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err, Lifecycle.untilInterrupted(), "1".equals(System.getenv(DEBUG_ENV))));
    }

    /** Runs the command line; {@code lifecycle} decides when long-running commands stop. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Lifecycle lifecycle) {
        return run(args, out, err, lifecycle, false);
    }

    /**
     * As {@link #run(String[], PrintWriter, PrintWriter, Lifecycle)}; {@code debug} prints the
     * stack trace of every failure, as {@code --verbose} does.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Lifecycle lifecycle, boolean debug) {
        Main main = new Main();
        main.verbose(false); // the log level is process-wide: a previous run in this JVM may have raised it
        ErrorReporting errors = new ErrorReporting(out, err, () -> debug || main.verbose);
        // `clearline devnet ...` is started often and should answer fast: picocli builds the model of
        // every subcommand it is given (their options, mixins and field initialisers), which was the
        // largest part of the devnet's start-up. The same root command with only `devnet` under it.
        CommandLine cli = args.length > 0 && "devnet".equals(args[0])
                ? new CommandLine(new DevnetOnly(main), new Factory(out, err, lifecycle)) : commandLine(main, out, err, lifecycle);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(errors);
        cli.setExecutionExceptionHandler(errors);
        return cli.execute(args);
    }

    /** The whole command tree as {@code clearline} runs it (tests read its model: every option's help). */
    static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err, Lifecycle lifecycle) {
        CommandLine cli = new CommandLine(main, new Factory(out, err, lifecycle));
        hideSequencerOption(cli);
        return cli;
    }

    /**
     * Every user command shares one set of options, but those that work from L1 alone (claim, freeze,
     * escape, governance) never ask the sequencer: their help does not offer {@code --api}. They still
     * take it, unused, so that a script passing the same options to every command keeps working.
     */
    private static void hideSequencerOption(CommandLine cli) {
        if (cli.getCommand() instanceof UserCommands.Base base && !base.asksSequencer()) {
            var spec = cli.getCommandSpec();
            var api = spec.findOption("--api");
            if (api != null) {
                spec.remove(api);
                spec.addOption(CommandLine.Model.OptionSpec.builder(api).hidden(true).build());
            }
        }
        cli.getSubcommands().values().forEach(Main::hideSequencerOption);
    }

    /** The root command with only {@code devnet} under it (see {@link #run}); same name, version and options. */
    @Command(name = "clearline", mixinStandardHelpOptions = true, version = "clearline 0.1.0-SNAPSHOT",
            description = "Clearline: an open toolkit for an optimistic Layer-2 perpetuals exchange.",
            subcommands = {DevnetCommand.class})
    static final class DevnetOnly {
        private final Main main;

        DevnetOnly(Main main) {
            this.main = main;
        }

        @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
                description = "Log at INFO (default: WARN only) and print the stack trace of any failure. Logs are key=value lines on stderr.")
        void verbose(boolean on) {
            main.verbose(on);
        }
    }

    /** Hands every command the output streams and the lifecycle. */
    private record Factory(PrintWriter out, PrintWriter err, Lifecycle lifecycle) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == DevnetCommand.class) return cls.cast(new DevnetCommand(out, err, lifecycle));
            if (cls == DeployCommand.class) return cls.cast(new DeployCommand(out, err));
            if (cls == UpCommand.class) return cls.cast(new UpCommand(out, err, lifecycle));
            if (cls == VerifyBatchesCommand.class) return cls.cast(new VerifyBatchesCommand(out));
            if (cls == VerifyBatchCommand.class) return cls.cast(new VerifyBatchCommand(out, err));
            if (cls == TraceCommand.class) return cls.cast(new TraceCommand(out, err));
            if (cls == ReportCommand.class) return cls.cast(new ReportCommand(out));
            if (cls == WatchCommand.class) return cls.cast(new WatchCommand(out, lifecycle, System.getenv()));
            if (cls == KeystoreCommand.New.class) {
                return cls.cast(new KeystoreCommand.New(out, System.getenv(), Terminal::askPassword, new java.security.SecureRandom()));
            }
            if (EscapeCommands.HatchBase.class.isAssignableFrom(cls)) {
                return cls.cast(cls.getDeclaredConstructor(PrintWriter.class, PrintWriter.class, java.util.function.LongSupplier.class)
                        .newInstance(out, err, (java.util.function.LongSupplier) System::nanoTime));
            }
            if (cls == ProposeCommand.class) return cls.cast(new ProposeCommand(out, err, System::nanoTime));
            if (UserCommands.Base.class.isAssignableFrom(cls)) return cls.cast(cls.getDeclaredConstructor(PrintWriter.class).newInstance(out));
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
