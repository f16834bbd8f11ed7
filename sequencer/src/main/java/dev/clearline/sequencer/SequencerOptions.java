package dev.clearline.sequencer;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The options of {@code ./clearline sequencer}: what it accepts, and what {@code --help} prints.
 * One table, so a new option cannot be accepted without being explained.
 */
final class SequencerOptions {
    /** One option: its name without dashes, its value as the help shows it (empty: a flag), and what it does. */
    record Option(String name, String value, String meaning) {}

    static final List<Option> ALL = List.of(
            new Option("dir", "DIR", "where the node keeps its log, snapshots and archive (default ~/.clearline/sequencer)"),
            new Option("host", "ADDRESS", "the trader API's address (default 127.0.0.1)"),
            new Option("port", "PORT", "the trader API's port: REST and WebSocket /ws (default 8480; 0: any free one)"),
            new Option("chain-id", "ID", "the EIP-712 domain's chain id without an L1 side (default 31337; with --manifest it comes from there)"),
            new Option("rollup", "0x..", "the EIP-712 domain's verifying contract without an L1 side (with --manifest it comes from there)"),
            new Option("verify-threads", "N", "threads that check signatures before the log (default: one per core)"),
            new Option("rate-per-key", "N", "signed orders and cancels a second per trader key, counted once the signature holds (default 2000)"),
            new Option("rate-per-address", "N", "requests of any kind a second per client IP address, REST and WebSocket together (default 4 x --rate-per-key); behind a proxy, every client shares the proxy's"),
            new Option("max-order-lifetime", "none|90s|10m|2h|7d", "take only orders that expire within this long (default none: any order)"),
            new Option("max-mark-age", "none|90s|10m|2h", "past this long since a market's last oracle price, take only cancels and reduce-only orders there"
                    + " (default 60s with --dev-oracle or --price-source, none otherwise)"),
            new Option("snapshot-every", "SECONDS", "seconds between snapshots, which bound a restart's replay (default 60; 0: none)"),
            new Option("keep-log-hours", "H|forever", "hours of recorded log a member keeps before its older snapshot (default 24); a member down longer cannot catch up"),
            new Option("keep-history-hours", "H|forever", "hours of command history GET /admin/history serves (default 24)"),
            new Option("batch-seconds", "S", "seconds a batch stays open before it is sealed (default 2; fixed for a log's life; with an L1 side, under a"
                    + " quarter of the rollup's force delay: from half, another proposer may post ahead of the node, refused at start)"),
            new Option("take-up", "FILE", "start the log from the state ./clearline take-up rebuilt from L1 instead of genesis (an empty --dir;"
                    + " every member the same file): the venue goes on where L1 stands after its log was lost or another proposer's batch took its place"),
            new Option("drop-latest-snapshot", "", "with the node stopped, set the newest snapshot aside (one that does not load) and exit: the next start uses the one before"),
            new Option("stop", "", "stop the running cluster whose leader runs on --dir: every member takes a snapshot at the end of the log and"
                    + " exits (exit 0); the next start replays nothing (how a cluster moves to a build with new rules: docs/replication.md)"),
            new Option("dev-setup", "N", "list a dev market and fund N dev traders at start (local testing only)"),
            new Option("cluster-members", "0=host:port,1=..", "run as one member of a replicated cluster (docs/replication.md); with --member-id"),
            new Option("member-id", "N", "this member's id in --cluster-members"),
            new Option("cluster-secret-file", "FILE", "file holding the secret every member's gateway presents to the cluster (64 hex digits:"
                    + " --new-cluster-secret FILE makes one; the same file for every member); required with --cluster-members, a single node makes its own"),
            new Option("new-cluster-secret", "FILE", "write a new cluster secret to FILE (readable by you only; an existing file is refused) and exit"),
            new Option("leader-timeout-ms", "MS", "in a cluster, how long followers hear nothing from the leader before they elect another"
                    + " (default 500; 100 to 60000; give every member the same): longer where the CPU can starve, so a stall does not"
                    + " elect, at the price of a failover as much slower"),
            new Option("status-port", "PORT", "serve GET /member (role, seq, state root, log position) and GET /metrics (Prometheus; alert rules in ops/prometheus) on this port"),
            new Option("min-free-mb", "MB", "stop this member (exit code 4) when the disk has less free space (default 256)"),
            new Option("idle", "low-cpu|backoff|spin", "how the cluster's agents wait for work (default: backoff for one member, low-cpu in a cluster)"),
            new Option("l1-rpc", "URL", "the L1's JSON-RPC endpoint: take priority ops, post, bond and finalize batches; with --manifest"),
            new Option("manifest", "FILE", "the deployment manifest ./clearline deploy wrote"),
            new Option("operator-key-file", "FILE", "file holding the key that bonds and posts batches (64 hex digits; or $CLEARLINE_OPERATOR_KEY)"),
            new Option("operator-key", "HEX", "the same key on the command line, where every user of the machine sees it"),
            new Option("operator-keystore", "FILE", "the operator key in an Ethereum V3 keystore (encrypted; ./clearline keystore new makes one),"
                    + " opened with --operator-password-file or $CLEARLINE_KEYSTORE_PASSWORD"),
            new Option("operator-password-file", "FILE", "the --operator-keystore's password: the file's first line"),
            new Option("confirmations", "N", "L1 blocks a priority op waits before the node takes it (default 0 on a development node;"
                    + " required anywhere else: at least the chain's reorg depth, e.g. 64 on Ethereum, since an op taken into the log and"
                    + " then reorganised away leaves batches L1 refuses)"),
            new Option("l1-interval-ms", "MS", "milliseconds between L1 rounds (default 1000)"),
            new Option("min-tip-gwei", "G", "smallest priority fee of the operator's transactions, in gwei (default 1)"),
            new Option("max-fee-gwei", "G", "highest fee per gas the operator pays, re-sends included, in gwei (default 500): a batch"
                    + " waits rather than pay more"),
            new Option("resend-after-ms", "MS", "an operator transaction not mined this long is sent again under the same nonce: with"
                    + " fees 25% higher if L1 mined a block without it, unchanged if no block came (default 6000)"),
            new Option("dev-oracle", "MARKET=PRICE,..", "the dev oracle key signs a random walk from PRICE per lot, in collateral base units"),
            new Option("price-source", "FILE", "sign prices read from the HTTP sources this file lists (docs: sequencer/README.md)"),
            new Option("oracle-key-file", "FILE", "file holding the key --price-source signs with (or $CLEARLINE_ORACLE_KEY)"),
            new Option("oracle-key", "HEX", "the same key on the command line"),
            new Option("oracle-keystore", "FILE", "the oracle key in an Ethereum V3 keystore, opened with --oracle-password-file or"
                    + " $CLEARLINE_KEYSTORE_PASSWORD"),
            new Option("oracle-password-file", "FILE", "the --oracle-keystore's password: the file's first line"));

    private SequencerOptions() {
    }

    /** The names of the options that take a value. */
    static Set<String> withValue() {
        return ALL.stream().filter(o -> !o.value().isEmpty()).map(Option::name).collect(Collectors.toUnmodifiableSet());
    }

    /** The names of the options that take none. */
    static Set<String> flags() {
        return ALL.stream().filter(o -> o.value().isEmpty()).map(Option::name).collect(Collectors.toUnmodifiableSet());
    }

    /** What {@code ./clearline sequencer --help} prints. */
    static String help() {
        StringBuilder b = new StringBuilder("""
                Usage: ./clearline sequencer [OPTIONS]
                A sequencer node: the engine as an Aeron Cluster service, the trader API (REST and WebSocket),
                and, with --l1-rpc and --manifest, its L1 side. Logs are key=value lines on stderr, at INFO
                (its events: start, role changes, snapshots, batches posted); stdout carries SEQUENCER_READY.

                """);
        int width = ALL.stream().mapToInt(o -> o.name().length() + o.value().length() + 1).max().orElse(0) + 4;
        for (Option o : ALL) {
            String left = "  --" + o.name() + (o.value().isEmpty() ? "" : " " + o.value());
            b.append(left).append(" ".repeat(Math.max(1, width - left.length() + 2))).append(o.meaning()).append('\n');
        }
        return b.toString();
    }
}
