package dev.clearline.devnet.bench;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import dev.clearline.devnet.rpc.RpcDispatcher;
import dev.clearline.devnet.rpc.RpcHttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which HTTP server library serves JSON-RPC fastest here: Jetty 12 (core handler), Netty 4.1 (the line web3j's Vert.x already brings)
 * (HTTP codec + aggregator, dispatch off the event loop) and Undertow 2.4 (blocking handler),
 * each in front of the same {@link RpcDispatcher} on the same in-process node, the same client
 * (the JDK's blocking HttpURLConnection, HTTP/1.1 keep-alive, N concurrent threads), in alternating rounds.
 * Writes bench-results/server-choice.md.
 *
 * <p>Args: {@code --seconds S} per measurement (default 3), {@code --rounds R} (default 2),
 * {@code --clients N} (default 8).
 */
public final class ServerChoice {
    private interface Served extends AutoCloseable {
        String url();

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        int seconds = 3;
        int rounds = 2;
        int clients = 8;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --seconds S --rounds R --clients N");
            }
        }
        try (Devnet devnet = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L))) {
            RpcDispatcher rpc = devnet.dispatcher();
            String blockNumber = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";
            // A small view call: eth_call of the identity precompile, the EVM round trip without contract code.
            String call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_call\",\"params\":[{\"to\":\"0x0000000000000000000000000000000000000004\","
                    + "\"data\":\"0x1234\"},\"latest\"]}";
            Map<String, double[][]> results = new LinkedHashMap<>();
            List<String> names = List.of("Jetty 12.1 (core Handler)", "Netty 4.1 (codec + aggregator)", "Undertow 2.4 (blocking handler)");
            for (String n : names) results.put(n, new double[rounds][4]);
            IdleMeter idle = new IdleMeter();
            for (int r = 0; r < rounds; r++) {
                for (String name : names) {
                    try (Served s = serve(name, rpc)) {
                        load(s.url(), blockNumber, clients, 1); // warm-up: JIT and connections
                        idle.lap();
                        double bn = load(s.url(), blockNumber, clients, seconds);
                        double bnIdle = idle.lap();
                        double ec = load(s.url(), call, clients, seconds);
                        double ecIdle = idle.lap();
                        results.get(name)[r] = new double[] {bn, bnIdle, ec, ecIdle};
                        System.err.printf("round %d %-32s eth_blockNumber %,8.0f/s (idle %2.0f%%)  eth_call %,8.0f/s (idle %2.0f%%)%n",
                                r + 1, name, bn, bnIdle * 100, ec, ecIdle * 100);
                    }
                }
            }
            write(results, clients, seconds, rounds, String.join(" ", args));
        }
    }

    private static Served serve(String name, RpcDispatcher rpc) throws Exception {
        if (name.startsWith("Jetty")) {
            RpcHttpServer jetty = RpcHttpServer.start(rpc, "127.0.0.1", 0, 4);
            return new Served() {
                public String url() { return jetty.url(); }
                public void close() { jetty.close(); }
            };
        }
        if (name.startsWith("Netty")) return netty(rpc);
        return undertow(rpc);
    }

    private static Served netty(RpcDispatcher rpc) throws InterruptedException {
        EventLoopGroup loops = new NioEventLoopGroup(1);
        DefaultEventExecutorGroup workers = new DefaultEventExecutorGroup(4);
        // every connection, so that close() ends them before the executors their events go to (a client's
        // keep-alive connection closed by the loop's shutdown after the workers' made Netty log a
        // RejectedExecutionException for each)
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        Channel server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(RpcHttpServerLimits.MAX_BODY));
                        ch.pipeline().addLast(workers, new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                byte[] answer = rpc.handle(ByteBufUtil.getBytes(req.content()));
                                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                        Unpooled.wrappedBuffer(answer == null ? new byte[0] : answer));
                                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
                                HttpUtil.setContentLength(res, res.content().readableBytes());
                                HttpUtil.setKeepAlive(res, HttpUtil.isKeepAlive(req));
                                ctx.writeAndFlush(res);
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        return new Served() {
            public String url() { return "http://127.0.0.1:" + port; }
            public void close() {
                server.close().syncUninterruptibly();
                connections.close().syncUninterruptibly();
                loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            }
        };
    }

    private static Served undertow(RpcDispatcher rpc) {
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(8)
                .setHandler(new BlockingHandler(exchange -> {
                    byte[] answer = rpc.handle(exchange.getInputStream().readAllBytes());
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("Access-Control-Allow-Origin"), "*");
                    exchange.getResponseSender().send(ByteBuffer.wrap(answer == null ? new byte[0] : answer));
                })).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return new Served() {
            public String url() { return "http://127.0.0.1:" + port; }
            public void close() { server.stop(); }
        };
    }

    /** Requests per second that {@code clients} keep-alive threads get through in {@code seconds}. */
    private static double load(String url, String body, int clients, int seconds) throws Exception {
        byte[] request = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    BlockingRpcClient client = new BlockingRpcClient(url);
                    while (!stop.get()) {
                        byte[] r = client.post(request);
                        if (r.length == 0 || r[r.length - 1] != '}') throw new IOException("bad answer: " + new String(r));
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            for (Future<?> f : futures) f.get();
            return done.get() / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void write(Map<String, double[][]> results, int clients, int seconds, int rounds, String args) throws IOException {
        Path dir = Path.of(System.getProperty("bench.out", "../bench-results"));
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder("# Which HTTP server serves the devnet's JSON-RPC\n\n");
        md.append("Date: ").append(Instant.now()).append(". Machine: ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ").append(System.getProperty("java.version")).append(", shared with other work (idle share beside each figure).\n\n");
        md.append("Command: `./mvnw -B -q -pl devnet -Pbench exec:exec@server-choice").append(args.isBlank() ? "" : " -Dbench.args=\"" + args + "\"")
                .append("` (").append(clients).append(" client threads, JDK HttpURLConnection, HTTP/1.1 keep-alive to 127.0.0.1, ")
                .append(seconds).append(" s per figure, ").append(rounds).append(" alternating rounds; the same RpcDispatcher and node behind every server).\n\n");
        md.append("| server | eth_blockNumber/s (idle) | eth_call/s (idle) | vs Jetty |\n|---|---:|---:|---:|\n");
        double[] jetty = best(results.values().iterator().next());
        for (Map.Entry<String, double[][]> e : results.entrySet()) {
            double[] b = best(e.getValue());
            md.append(String.format("| %s | %,.0f (%.0f%%) | %,.0f (%.0f%%) | %.2fx / %.2fx |%n", e.getKey(), b[0], b[1] * 100, b[2], b[3] * 100,
                    b[0] / jetty[0], b[2] / jetty[2]));
        }
        md.append("\nBest round of each. Every figure includes the client's own CPU on the same two cores.\n");
        Files.writeString(dir.resolve("server-choice-run.md"), md.toString()); // server-choice.md holds the reading of it
        System.out.print(md);
    }

    private static double[] best(double[][] rounds) {
        double[] b = rounds[0].clone();
        for (double[] r : rounds) {
            if (r[0] > b[0]) { b[0] = r[0]; b[1] = r[1]; }
            if (r[2] > b[2]) { b[2] = r[2]; b[3] = r[3]; }
        }
        return b;
    }

    /** The body limit the devnet's server enforces, shared so Netty's aggregator gets the same. */
    private static final class RpcHttpServerLimits {
        static final int MAX_BODY = 32 * 1024 * 1024;
    }
}
