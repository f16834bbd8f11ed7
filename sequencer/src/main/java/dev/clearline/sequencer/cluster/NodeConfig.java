package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.RulesVersion;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One member of a sequencer cluster: where it keeps its files ({@code dir/aeron} for the media
 * driver, {@code dir/archive} for the recorded log and snapshots, {@code dir/cluster} for the
 * consensus module's recording log and mark files), which member it is, every member's endpoints,
 * the failure-detection timing, how often the leader takes a snapshot and how its agents wait for
 * work ({@link IdleMode}).
 *
 * <p>Every member of one cluster must be started with the same member list, the same
 * {@link Genesis} and the same {@link ClusterSecret}; only {@code memberId} and {@code dir} differ.
 * A config made without a secret gets a fresh one of its own (a single member's default: its
 * gateway is in the same JVM). A single member with ports of 0
 * (the default, {@link #ephemeral}) picks free loopback ports at start.
 */
public record NodeConfig(Path dir, Genesis genesis, int memberId, List<Member> members, Timing timing, Duration snapshotInterval, IdleMode idle,
                         int maxReplyBytes, LogStorage logStorage, int rules, ClusterSecret secret) {

    /** A member of this build: it applies {@link RulesVersion#CURRENT}. */
    public NodeConfig(Path dir, Genesis genesis, int memberId, List<Member> members, Timing timing, Duration snapshotInterval, IdleMode idle,
                      int maxReplyBytes, LogStorage logStorage) {
        this(dir, genesis, memberId, members, timing, snapshotInterval, idle, maxReplyBytes, logStorage, RulesVersion.CURRENT,
                ClusterSecret.generate(new SecureRandom()));
    }

    /** With the largest reply the egress carries ({@link SequencerService#MAX_REPLY}) and the default log storage. */
    public NodeConfig(Path dir, Genesis genesis, int memberId, List<Member> members, Timing timing, Duration snapshotInterval, IdleMode idle) {
        this(dir, genesis, memberId, members, timing, snapshotInterval, idle, SequencerService.MAX_REPLY, LogStorage.DEFAULT);
    }

    public NodeConfig {
        java.util.Objects.requireNonNull(logStorage, "log storage");
        java.util.Objects.requireNonNull(secret, "cluster secret");
        if (rules < 0 || rules > 0xff) throw new IllegalArgumentException("a rules version is 0 to 255 (Aeron's app version keeps it in one byte), got " + rules);
        if (maxReplyBytes < 1 || maxReplyBytes > SequencerService.MAX_REPLY) {
            throw new IllegalArgumentException("the largest reply must be 1 to " + SequencerService.MAX_REPLY + " bytes, got " + maxReplyBytes);
        }
        members = List.copyOf(members);
        java.util.Objects.requireNonNull(idle, "idle mode");
        if (members.isEmpty()) throw new IllegalArgumentException("a cluster needs at least one member");
        Set<Integer> ids = new HashSet<>();
        for (Member m : members) {
            if (!ids.add(m.id())) throw new IllegalArgumentException("member id " + m.id() + " is listed twice in the cluster members; give each member its own id");
        }
        if (!ids.contains(memberId)) {
            throw new IllegalArgumentException("member id " + memberId + " is not in the cluster members " + ids
                    + "; pass --member-id with one of them");
        }
        Set<String> endpoints = new HashSet<>();
        for (Member m : members) {
            for (int p : m.ports()) {
                if (p == 0 && members.size() > 1) {
                    throw new IllegalArgumentException("member " + m.id() + " has port 0; every member of a multi-member cluster needs fixed ports the others can reach");
                }
                if (p != 0 && !endpoints.add(m.host() + ":" + p)) {
                    throw new IllegalArgumentException("endpoint " + m.host() + ":" + p + " is used twice in the cluster members; each member needs "
                            + "five ports of its own (ingress, consensus, log, catch-up, archive)");
                }
            }
        }
        if (snapshotInterval.isNegative()) throw new IllegalArgumentException("the snapshot interval must not be negative");
        if (members.size() > 1 && !snapshotInterval.isZero() && snapshotInterval.compareTo(SESSION_TIMEOUT.multipliedBy(2)) < 0) {
            // Aeron resets every client session's activity time when a snapshot completes: with snapshots more
            // often than the session timeout, the session of a dead gateway (one on every killed member) is never
            // timed out, and after a few failovers the cluster refuses new gateways ("concurrent session limit")
            throw new IllegalArgumentException("--snapshot-every " + snapshotInterval.toSeconds() + " s is too short for a cluster: snapshots reset "
                    + "the " + SESSION_TIMEOUT.toSeconds() + " s client-session timeout, so dead gateways' sessions would never close; "
                    + "pass --snapshot-every " + SESSION_TIMEOUT.multipliedBy(2).toSeconds() + " or more (or 0 for none)");
        }
    }

    /**
     * A cluster client (a gateway) that sends nothing for this long is closed by the leader. A
     * gateway sends a keep-alive every second, so only a dead or stalled one is closed; a stalled
     * one reconnects and resends. Dead gateways' sessions (one per killed member) must go before
     * they fill {@link #MAX_CLIENT_SESSIONS}.
     */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How many client sessions the cluster holds open at once (Aeron's default is 10). Every
     * member's gateway is one, and a restarted member's new gateway opens another while the old one
     * waits out {@link #SESSION_TIMEOUT}; other clients (tools, extra gateways) count too.
     */
    public static final int MAX_CLIENT_SESSIONS = 64;

    /** How often the leader takes a snapshot unless told otherwise ({@code --snapshot-every}, {@code ./clearline up}). */
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofSeconds(60);

    /** The single-member default: free loopback ports, Aeron's default timing, snapshots only on request. */
    public static NodeConfig ephemeral(Path dir, Genesis genesis) {
        return new NodeConfig(dir, genesis, 0, List.of(new Member(0, "localhost", 0, 0, 0, 0, 0)), Timing.AERON_DEFAULTS, Duration.ZERO, IdleMode.defaultFor(1));
    }

    /** One member of a multi-member cluster with the tuned failover timing. */
    public static NodeConfig member(Path dir, Genesis genesis, int memberId, List<Member> members, Duration snapshotInterval, ClusterSecret secret) {
        return new NodeConfig(dir, genesis, memberId, members, members.size() > 1 ? Timing.FAST_FAILOVER : Timing.AERON_DEFAULTS, snapshotInterval,
                IdleMode.defaultFor(members.size())).withSecret(secret);
    }

    public NodeConfig withSnapshotInterval(Duration interval) {
        return new NodeConfig(dir, genesis, memberId, members, timing, interval, idle, maxReplyBytes, logStorage, rules, secret);
    }

    public NodeConfig withTiming(Timing t) {
        return new NodeConfig(dir, genesis, memberId, members, t, snapshotInterval, idle, maxReplyBytes, logStorage, rules, secret);
    }

    /** The same settings with its agents waiting as {@code mode} says ({@code --idle}). */
    public NodeConfig withIdle(IdleMode mode) {
        return new NodeConfig(dir, genesis, memberId, members, timing, snapshotInterval, mode, maxReplyBytes, logStorage, rules, secret);
    }

    /**
     * The same settings with replies over {@code bytes} sent without their lists (tests: the path of
     * an order that swept tens of thousands of makers, without such a book; docs/api.md, "Acknowledgement").
     */
    public NodeConfig withMaxReply(int bytes) {
        return new NodeConfig(dir, genesis, memberId, members, timing, snapshotInterval, idle, bytes, logStorage, rules, secret);
    }

    /** The same settings with the log stored as {@code storage} says ({@code --keep-log-hours}; tests: small segments). */
    public NodeConfig withLogStorage(LogStorage storage) {
        return new NodeConfig(dir, genesis, memberId, members, timing, snapshotInterval, idle, maxReplyBytes, storage, rules, secret);
    }

    /** The same settings for a member applying {@code version} (tests: a member of another build, {@link RulesVersion}). */
    public NodeConfig withRules(int version) {
        return new NodeConfig(dir, genesis, memberId, members, timing, snapshotInterval, idle, maxReplyBytes, logStorage, version, secret);
    }

    /** The same settings with sessions admitted on {@code s} ({@code --cluster-secret-file}; every member of a cluster needs the same one). */
    public NodeConfig withSecret(ClusterSecret s) {
        return new NodeConfig(dir, genesis, memberId, members, timing, snapshotInterval, idle, maxReplyBytes, logStorage, rules, s);
    }

    /** The same settings with every 0 port replaced by a free one (only a single member may have any). */
    public NodeConfig withFreePorts() throws IOException {
        List<Member> out = new ArrayList<>();
        // every socket stays bound until all ports are taken: a port closed at once may come back for the next
        // one, and the config would name it twice
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (Member m : members) out.add(m.withFreePorts(held));
        } finally {
            for (DatagramSocket socket : held) socket.close();
        }
        return new NodeConfig(dir, genesis, memberId, out, timing, snapshotInterval, idle, maxReplyBytes, logStorage, rules, secret);
    }

    public Member self() {
        return members.stream().filter(m -> m.id() == memberId).findFirst().orElseThrow();
    }

    public String aeronDir() {
        return dir.resolve("aeron").toString();
    }

    /** Aeron's cluster-members string: {@code id,ingress,consensus,log,catchup,archive|...}. */
    String aeronMembers() {
        return members.stream().map(Member::aeronEndpoints).collect(Collectors.joining("|"));
    }

    /** What a client outside this JVM connects with: every member's UDP ingress and the cluster's secret. */
    public ClusterIngress ingress() {
        return new ClusterIngress(ingressEndpoints(), secret);
    }

    /** What a cluster client connects to: every member's ingress, {@code id=host:port,...}. */
    public String ingressEndpoints() {
        return members.stream().map(m -> m.id() + "=" + m.host() + ":" + m.ingress()).collect(Collectors.joining(","));
    }

    /**
     * One member's five UDP endpoints. The command line writes a member as {@code id=host:base}
     * (ports base..base+4 in the order below) or {@code id=host:ingress:consensus:log:catchup:archive}.
     */
    public record Member(int id, String host, int ingress, int consensus, int log, int catchup, int archive) {
        public Member {
            if (id < 0) throw new IllegalArgumentException("member id " + id + " is negative");
            if (host == null || host.isBlank() || host.contains(",") || host.contains("|")) {
                throw new IllegalArgumentException("member " + id + " has no usable host: \"" + host + "\"");
            }
            for (int p : new int[] {ingress, consensus, log, catchup, archive}) {
                if (p < 0 || p > 65_535) throw new IllegalArgumentException("member " + id + " has port " + p + " outside 0..65535");
            }
        }

        int[] ports() {
            return new int[] {ingress, consensus, log, catchup, archive};
        }

        String aeronEndpoints() {
            return id + "," + host + ":" + ingress + "," + host + ":" + consensus + "," + host + ":" + log
                    + "," + host + ":" + catchup + "," + host + ":" + archive;
        }

        Member withFreePorts(List<DatagramSocket> held) throws IOException {
            return new Member(id, host, free(ingress, held), free(consensus, held), free(log, held), free(catchup, held), free(archive, held));
        }

        /** Parses {@code id=host:base} or {@code id=host:ingress:consensus:log:catchup:archive}. */
        public static Member parse(String spec) {
            String s = spec.trim();
            int eq = s.indexOf('=');
            String help = "; write a member as id=host:basePort (ports basePort..basePort+4) or id=host:ingress:consensus:log:catchup:archive";
            if (eq <= 0) throw new IllegalArgumentException("cluster member \"" + spec + "\" has no id" + help);
            String[] parts = s.substring(eq + 1).split(":");
            try {
                int id = Integer.parseInt(s.substring(0, eq));
                if (parts.length == 2) {
                    int base = Integer.parseInt(parts[1]);
                    if (base <= 0 || base + 4 > 65_535) throw new IllegalArgumentException("cluster member \"" + spec + "\": base port " + base + " leaves no room for five ports" + help);
                    return new Member(id, parts[0], base, base + 1, base + 2, base + 3, base + 4);
                }
                if (parts.length == 6) {
                    return new Member(id, parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3]),
                            Integer.parseInt(parts[4]), Integer.parseInt(parts[5]));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cluster member \"" + spec + "\" has a non-numeric id or port" + help);
            }
            throw new IllegalArgumentException("cluster member \"" + spec + "\" has " + (parts.length - 1) + " ports" + help);
        }

        /** Parses a comma-separated member list. */
        public static List<Member> parseList(String list) {
            List<Member> out = new ArrayList<>();
            for (String spec : list.split(",")) {
                if (!spec.isBlank()) out.add(parse(spec));
            }
            return out;
        }

        /** The form {@link #parse} reads back. */
        public String spec() {
            return id + "=" + host + ":" + ingress + ":" + consensus + ":" + log + ":" + catchup + ":" + archive;
        }
    }

    /**
     * Failure detection. A follower that hears nothing from the leader for {@code leaderHeartbeatTimeout}
     * starts an election; the leader sends a heartbeat every {@code leaderHeartbeatInterval} when it has
     * nothing else to send; an election round (canvass, nomination, ballot) waits {@code electionTimeout};
     * a member starting up waits up to {@code startupCanvassTimeout} to hear from every member before an
     * election among a majority. Zero leaves Aeron's default.
     */
    public record Timing(Duration leaderHeartbeatTimeout, Duration leaderHeartbeatInterval, Duration electionTimeout, Duration startupCanvassTimeout) {
        /** The shortest and longest {@code --leader-timeout-ms}: under 100 ms a GC pause elects; over a minute a dead leader stops trading that long. */
        public static final Duration SHORTEST_LEADER_TIMEOUT = Duration.ofMillis(100), LONGEST_LEADER_TIMEOUT = Duration.ofSeconds(60);
        /** Aeron's own defaults (heartbeat timeout 10 s, interval 200 ms, election 1 s, canvass 60 s): the single member's timing. */
        public static final Timing AERON_DEFAULTS = new Timing(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        /**
         * A dead leader is noticed within 500 ms of its last heartbeat (10 heartbeats missed) and a
         * new one elected within a few election rounds: about 1.4 s from kill to the first
         * acknowledgement by the new leader on a loaded 2-core machine. Shorter timeouts risk
         * elections during GC pauses or CPU starvation; those cost a moment of latency, never data.
         */
        public static final Timing FAST_FAILOVER = forLeaderTimeout(Duration.ofMillis(500));

        /**
         * A cluster's timing scaled from how long followers wait for the leader ({@code --leader-timeout-ms}): heartbeats
         * ten times as often (a leader must miss ten before it is given up), election rounds of half of it, and 10 s for
         * a starting member to hear from every other. Longer keeps a machine whose CPU can starve from electing at every
         * stall (a starved three-member cluster once flapped elections into a wedge, docs/replication.md); a dead leader
         * then costs about that much longer too.
         */
        public static Timing forLeaderTimeout(Duration leaderTimeout) {
            if (leaderTimeout.compareTo(SHORTEST_LEADER_TIMEOUT) < 0 || leaderTimeout.compareTo(LONGEST_LEADER_TIMEOUT) > 0) {
                throw new IllegalArgumentException("a leader timeout of " + leaderTimeout.toMillis() + " ms is outside " + SHORTEST_LEADER_TIMEOUT.toMillis()
                        + " to " + LONGEST_LEADER_TIMEOUT.toMillis() + " ms");
            }
            return new Timing(leaderTimeout, leaderTimeout.dividedBy(10), leaderTimeout.dividedBy(2), Duration.ofSeconds(10));
        }

        public Timing {
            for (Duration d : new Duration[] {leaderHeartbeatTimeout, leaderHeartbeatInterval, electionTimeout, startupCanvassTimeout}) {
                if (d.isNegative()) throw new IllegalArgumentException("cluster timeouts must not be negative: " + d);
            }
            if (!leaderHeartbeatInterval.isZero() && !leaderHeartbeatTimeout.isZero() && leaderHeartbeatInterval.compareTo(leaderHeartbeatTimeout) >= 0) {
                throw new IllegalArgumentException("the leader heartbeat interval " + leaderHeartbeatInterval.toMillis()
                        + " ms must be shorter than the heartbeat timeout " + leaderHeartbeatTimeout.toMillis() + " ms");
            }
        }
    }

    /** {@code port}, or when it is 0 a free one, whose socket {@code held} keeps bound until the caller closes it. */
    private static int free(int port, List<DatagramSocket> held) throws IOException {
        if (port != 0) return port;
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        held.add(s);
        return s.getLocalPort();
    }
}
