package dev.clearline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.prover.escape.FinalizedState;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.sequencer.api.OrderLifetime;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The trader's commands against any L1 RPC and any sequencer: markets, order, cancel, positions,
 * margin, withdraw, claim, force-withdraw, force-cancel, freeze ({@code deposit} is {@link DepositCommand}, {@code status}
 * {@link StatusCommand}). Amounts and prices are in collateral units with 6 decimals (prices per
 * lot); {@code --json} prints one object for scripts; every failure says what to do.
 */
final class UserCommands {
    private UserCommands() {}

    /** Base of every user command: the shared options and the output. */
    abstract static class Base implements Callable<Integer> {
        final PrintWriter out;

        @Mixin
        UserOptions o = new UserOptions();

        Base(PrintWriter out) {
            this.out = out;
        }

        ObjectNode result() {
            return UserOptions.JSON.createObjectNode();
        }

        /** Whether this command talks to the sequencer's trader API ({@code --api}); false for those that need L1 alone. */
        boolean asksSequencer() {
            return true;
        }

        static String hex(byte[] b) {
            return "0x" + HexFormat.of().formatHex(b);
        }

        /** An order hash as a trader typed it, or a UserError saying its form. */
        static Hash32 orderHash(String typed) {
            try {
                return Hash32.fromHex(typed.strip());
            } catch (RuntimeException e) {
                throw UserError.usage("'" + typed + "' is not an order hash: give 0x and 64 hex digits");
            }
        }

        /** The signed cancel of order {@code h}, as POST /orders/cancel and an amend's {@code cancel} take it. */
        static ObjectNode signedCancel(Signer signer, Eip712 domain, Hash32 h) {
            ObjectNode cancel = UserOptions.JSON.createObjectNode();
            cancel.put("owner", signer.address().toString()).put("orderHash", h.toString())
                    .put("signature", hex(signer.sign(domain.cancelDigest(signer.address(), h)).encoded()));
            return cancel;
        }
    }

    /** What `order` and `amend` share: a limit order's terms checked against its market, its default margin, signing and the refusals explained. */
    abstract static class OrderTerms extends Base {
        @Option(names = "--post-only", description = "Refuse the order rather than let it take liquidity.")
        boolean postOnly;

        /** Set by {@code order}'s --reduce-only; by {@code amend} from the order it replaces (a resting take-profit stays one). */
        boolean reduceOnly;

        @Option(names = "--margin", converter = Converters.Amount.class,
                description = "Collateral moved into the position when it fills. Default: what the exchange's margin check needs for this order"
                        + " filled at its limit (initial margin, the loss at the mark of a limit past it, the fee) plus 1%% of the notional.")
        Long margin;

        @Option(names = "--expires-in", converter = Converters.Lifetime.class,
                description = "Cancel the order by itself once this long has passed on its market's oracle clock (the time of the market's"
                        + " last price, which the exchange and the rollup expire orders by): 90s, 10m, 2h, 7d. Once it has, the rollup"
                        + " forgets the order for good. Default: the order never expires, or, where the venue takes only orders that"
                        + " expire (GET /venue), the longest lifetime it takes.")
        Long expiresIn;

        OrderTerms(PrintWriter out) {
            super(out);
        }

        /** A signed order's JSON and what the reply needs to be read: the order, its margin and its market's lot. */
        record Signed(ObjectNode body, Order order, long margin, long lot, long mark, String expiryNote) {}

        /**
         * What an order is besides its price and size: the lots an iceberg shows at a time (0: all of them), what its price
         * follows (with the offset in ticks; the price is then its limit), and whether it is a market order (flag 4: it takes
         * what its limit allows and never rests).
         */
        record Shape(long displayLots, Peg peg, int pegOffset, boolean market) {
            static final Shape LIMIT = new Shape(0, Peg.NONE, 0, false);

            /** How the reply names it: "", or what follows the price ("pegged to the mark -2 tick(s)", "showing 1 lot(s) at a time"). */
            String said(long lots) {
                StringBuilder b = new StringBuilder();
                if (peg != Peg.NONE) {
                    b.append(", pegged to ").append(peg == Peg.MARK ? "the mark" : "the best price of its side").append(pegOffset == 0 ? "" : " "
                            + (pegOffset > 0 ? "+" : "") + pegOffset + " tick(s)").append(" and never past its limit");
                }
                if (displayLots > 0 && displayLots < lots) b.append(", showing ").append(displayLots).append(" lot(s) at a time");
                return b.toString();
            }
        }

        Signed sign(JsonNode state, int market, Side s, String price, long lots, TimeInForce t) {
            return sign(state, market, s, price, lots, t, 0, Shape.LIMIT);
        }

        /**
         * As above; {@code keptExpiry} is the expiry the order gets when --expires-in is not given (an amend keeps its order's),
         * {@code shape} what it is besides a fixed-price limit order.
         */
        Signed sign(JsonNode state, int market, Side s, String price, long lots, TimeInForce t, long keptExpiry, Shape shape) {
            if (lots < 1) throw UserError.usage("--lots must be 1 or more, not " + lots);
            long p;
            try {
                p = Units.parse(price);
            } catch (IllegalArgumentException e) {
                throw UserError.usage("--price: " + e.getMessage());
            }
            if (p <= 0) throw UserError.usage("--price must be more than 0");
            JsonNode m = o.market(state, market);
            long tick = m.path("tickSize").asLong();
            long lot = m.path("lotSize").asLong();
            if (p % tick != 0) {
                throw new UserError("--price " + price + " is not a multiple of market " + Integer.toUnsignedString(market) + "'s tick " + Units.amount(tick)
                        + (p / tick == 0 ? "; the lowest price is " + Units.amount(tick)
                                : "; try " + Units.amount(p / tick * tick) + " or " + Units.amount((p / tick + 1) * tick)));
            }
            long maxPrice = m.path("maxPrice").asLong(0); // 0: a node from before it said
            if (maxPrice > 0 && p > maxPrice) {
                throw new UserError("--price " + price + " is above " + Units.amount(maxPrice) + ", the highest price market " + Integer.toUnsignedString(market)
                        + "'s book on this venue takes (" + maxPrice / tick + " ticks of " + Units.amount(tick) + "); sign a price at or below it");
            }
            try {
                Math.multiplyExact(lots, p); // the order's notional must be countable
            } catch (ArithmeticException e) {
                throw new UserError("--lots " + lots + " at --price " + price + " is more than the exchange can count; use fewer lots");
            }
            long mg = margin != null ? margin : reduceOnly ? 0 : new DefaultMargin(m.path("imfPpm").asLong(),
                    Math.max(m.path("takerFeePpm").asLong(), m.path("makerFeePpm").asLong()), m.path("markPrice").asLong())
                    .of(s == Side.BUY, p, lots);
            Eip712 domain = o.domain(state);
            Signer signer = o.signer();
            long expiry = keptExpiry;
            String expiryNote = "";
            // a venue may take only orders that expire within its longest lifetime (GET /venue): then an order told none gets that
            JsonNode venue = o.venue();
            long longest = venue.path("maxOrderLifetime").asLong(0);
            long oracleNow = m.path("lastOracleTs").asLong();
            if (longest > 0 && expiresIn != null && expiresIn > longest) {
                throw new UserError("--expires-in " + OrderLifetime.format(expiresIn) + " is longer than this venue takes (" + OrderLifetime.format(longest)
                        + ", GET /venue); give at most --expires-in " + OrderLifetime.format(longest));
            }
            Long lifetime = expiresIn != null ? expiresIn : longest > 0 && keptExpiry == 0 ? Long.valueOf(longest) : null;
            if (lifetime != null) {
                // expiry is judged on the market's oracle clock; under a venue rule it must also be within the lifetime of the node's
                // clock, so the earlier of the two is where it starts
                long nodeNow = venue.path("now").asLong(0);
                long base = longest == 0 ? oracleNow : oracleNow == 0 ? nodeNow : Math.min(oracleNow, nodeNow);
                if (base == 0) throw new UserError("market " + Integer.toUnsignedString(market) + " has no price yet, so its clock has not started; leave out --expires-in or wait for the oracle");
                expiry = base + lifetime;
                // an IOC or FOK order never rests, so when it expires is nothing a trader needs to read
                if (expiresIn == null && t == TimeInForce.GTC) expiryNote = "; expires in " + OrderLifetime.format(longest) + " (the longest this venue takes; --expires-in sets it)";
            }
            int flags = (postOnly ? Order.POST_ONLY : 0) | (reduceOnly ? Order.REDUCE_ONLY : 0) | (shape.market() ? Order.MARKET : 0);
            long display = shape.displayLots() > 0 && shape.displayLots() < lots ? shape.displayLots() * lot : 0;
            Order order = new Order(signer.address(), market, s, p, lots * lot, display, t, flags, shape.peg(), shape.pegOffset(), expiry,
                    System.currentTimeMillis(), mg);
            ObjectNode body = UserOptions.JSON.createObjectNode();
            body.put("trader", signer.address().toString()).put("market", Integer.toUnsignedLong(market)).put("side", s.name()).put("price", p)
                    .put("size", lots * lot).put("timeInForce", t.name()).put("flags", order.flags()).put("expiry", expiry)
                    .put("nonce", order.nonce()).put("margin", mg);
            if (display != 0) body.put("displaySize", display);
            if (shape.peg() != Peg.NONE) body.put("peg", shape.peg().name()).put("pegOffset", shape.pegOffset());
            body.put("signature", hex(signer.sign(domain.orderDigest(order)).encoded()));
            return new Signed(body, order, mg, lot, m.path("markPrice").asLong(), expiryNote);
        }

        /** Posts {@code body} to {@code path}, turning the refusals a trader can fix into what to do about them. */
        JsonNode post(String path, ObjectNode body, Signed o2) {
            try {
                return o.post(path, body);
            } catch (UserError e) {
                int market = o2.order().marketId();
                if (e.getMessage().contains(Reject.REDUCE_ONLY_WOULD_INCREASE.name())) {
                    throw new UserError(e.getMessage() + ": a reduce-only order must be on the side that shrinks a position you hold in market "
                            + Integer.toUnsignedString(market) + " (sell to reduce a long, buy to reduce a short; ./clearline positions)"
                            + (o2.order().timeInForce() == dev.clearline.engine.order.TimeInForce.GTC
                                    ? ", and one that may rest (gtc) no larger than that position: order at most its lots, or give --tif ioc"
                                    + " to close what you hold and cancel the rest"
                                    : ""));
                }
                if (e.getMessage().contains(Reject.INSUFFICIENT_BALANCE.name())) {
                    throw new UserError(e.getMessage() + ": this order carried " + Units.amount(o2.margin()) + (margin != null ? " (--margin)"
                            : " (the default for it alone: the initial margin of its size at its price)") + ", taken from your free balance when it"
                            + " first fills; order fewer lots, pass a smaller --margin, or deposit more (./clearline positions shows your free balance)");
                }
                if (!e.getMessage().contains(Reject.INSUFFICIENT_MARGIN.name())) throw e;
                throw new UserError(e.getMessage() + ": this order carried " + Units.amount(o2.margin()) + (margin != null ? " (--margin)" : " (the default for it alone)")
                        + ", and the exchange judges it with your resting orders on that side filled at their limits and at the mark "
                        + Units.amount(o2.mark()) + "; pass a larger --margin, or cancel resting orders (./clearline positions)");
            }
        }

        /** Prints the accepted order: its hash, seq, what filled at once and the margin it carries. */
        int report(JsonNode r, Signed sg, String verb) {
            Order order = sg.order();
            String hash = r.path("outcomes").path(0).path("orderHash").asText();
            long filled = 0;
            // what the fills cost per lot on average: the limit is only the worst price a taker accepts
            java.math.BigInteger notional = java.math.BigInteger.ZERO;
            long fee = 0; // what this order's fills charged it: the taker's fee when it took, the maker's when it was hit
            boolean feeKnown = true;
            for (JsonNode e : r.path("events")) {
                boolean took = hash.equals(e.path("takerOrderHash").asText());
                if ("Filled".equals(e.path("event").asText()) && (took || hash.equals(e.path("makerOrderHash").asText()))) {
                    long size = e.path("size").asLong();
                    filled += size;
                    notional = notional.add(java.math.BigInteger.valueOf(e.path("price").asLong()).multiply(java.math.BigInteger.valueOf(size)));
                    JsonNode paid = e.path(took ? "takerFee" : "makerFee");
                    if (paid.canConvertToLong()) fee = Math.addExact(fee, paid.asLong());
                    else feeKnown = false;
                }
            }
            // what of the order was cancelled at once, and why: the rest of an IOC, or of an order that reached the most fills one
            // order makes (docs/api.md, "Fills per order"), or that a fill was refused for
            long cancelledLots = 0;
            String cancelledWhy = null;
            for (JsonNode e : r.path("events")) {
                if ("Cancelled".equals(e.path("event").asText()) && hash.equals(e.path("orderHash").asText())) {
                    cancelledLots = e.path("remaining").asLong() / sg.lot();
                    cancelledWhy = e.path("why").asText();
                }
            }
            String average = filled == 0 ? null : Units.amount(notional.divide(java.math.BigInteger.valueOf(filled)).longValueExact());
            long lots = order.size() / sg.lot();
            ObjectNode res = result().put("orderHash", hash).put("seq", r.path("seq").asLong()).put("market", Integer.toUnsignedLong(order.marketId())).put("side", order.side().name())
                    .put("price", Units.amount(order.price())).put("lots", lots).put("filledLots", filled / sg.lot()).put("margin", Units.amount(sg.margin()));
            Shape shape = new Shape(order.displaySize() / sg.lot(), order.peg(), order.pegOffset(), order.isMarket());
            res.put("type", order.isMarket() ? "market" : "limit");
            if (order.displaySize() != 0) res.put("displayLots", shape.displayLots());
            if (order.pegged()) res.put("peg", order.peg().name().toLowerCase(Locale.ROOT)).put("pegOffset", order.pegOffset());
            if (average != null) res.put("averageFillPrice", average);
            if (average != null && feeKnown) res.put("fee", Units.amount(fee));
            // when a resting order lapses, on the market's oracle clock (seconds); absent when it never does
            if (order.expiry() != 0) res.put("expiry", order.expiry());
            // an order that swept tens of thousands of makers is acknowledged without its fills (docs/api.md, "Acknowledgement")
            boolean listed = !r.has("truncated");
            if (!listed) res.remove("filledLots");
            String fills = listed ? (filled / sg.lot()) + " lot(s) filled now" + (average == null ? "" : " at " + average + " per lot on average"
                    + (feeKnown ? ", fee " + Units.amount(fee) : ""))
                    : "too many fills to list in the reply (./clearline positions shows the position they made)";
            if (cancelledLots > 0) {
                res.put("cancelledLots", cancelledLots).put("cancelledWhy", cancelledWhy);
                fills += "; its other " + cancelledLots + " lot(s) were cancelled" + switch (cancelledWhy) {
                    case "FILL_LIMIT" -> ": it stopped at the most fills one order makes; send them as a new order";
                    case "IMMEDIATE_REMAINDER" -> order.reduceOnly()
                            ? " (reduce-only: it closes at most your position, and what it did not fill at once is not kept)"
                            : order.isMarket() ? " (a market order takes what the book offers within its worst price, and rests nothing)"
                            : " (" + order.timeInForce().name() + ": nothing else crossed at your price)";
                    case "REFUSED" -> ": a fill was refused for this order (./clearline positions; a larger --margin may help)";
                    default -> " (" + cancelledWhy.toLowerCase(Locale.ROOT) + ")";
                };
            }
            o.print(out, res, verb + " " + hash + " accepted at seq " + r.path("seq").asLong() + ": " + (order.isMarket() ? "market " : "")
                    + order.side().name().toLowerCase(Locale.ROOT) + " " + lots + " lot(s) of market " + Integer.toUnsignedString(order.marketId())
                    + (order.isMarket() ? " at a worst price of " : " at ") + Units.amount(order.price()) + shape.said(lots) + ", " + fills + "; margin "
                    + Units.amount(sg.margin()) + (margin != null ? "" : reduceOnly ? " (reduce-only: none by default)" : " (the default for this order; --margin sets it)")
                    + (listed && filled > 0 && filled < order.size() && cancelledLots == 0 && sg.margin() > 0
                            // the protocol moves an order's whole margin at its first fill: the resting rest carries none of it
                            ? ", all of it moved into your position at this first fill (the " + (lots - filled / sg.lot()) + " lot(s) still resting add none)"
                            : "")
                    + sg.expiryNote() + takeProfitsMoved(r, hash, sg, res));
            return 0;
        }

        /**
         * What this order did to the trader's resting take-profits: when it shrank the position, each larger than what is
         * left was cut to it (Trimmed); when it closed or turned the position, each left with it (POSITION_CLOSED). Said
         * here, since the trader would otherwise learn it only from the next read of the account.
         */
        private String takeProfitsMoved(JsonNode r, String hash, Signed sg, ObjectNode res) {
            String trader = sg.order().trader().toString();
            StringBuilder b = new StringBuilder();
            ArrayNode moved = null;
            for (JsonNode e : r.path("events")) {
                String event = e.path("event").asText();
                String other = e.path("orderHash").asText();
                if (!trader.equals(e.path("trader").asText()) || other.equals(hash)) continue;
                boolean cut = event.equals("Trimmed");
                if (!cut && !(event.equals("Cancelled") && e.path("why").asText().equals("POSITION_CLOSED"))) continue;
                if (moved == null) moved = res.putArray("takeProfits");
                ObjectNode m = moved.addObject().put("orderHash", other);
                if (cut) {
                    long lots = e.path("openSize").asLong() / sg.lot();
                    m.put("openLots", lots);
                    b.append("; your take-profit ").append(other).append(" was cut to the ").append(lots).append(" lot(s) you hold");
                } else {
                    m.put("closed", true);
                    b.append("; your take-profit ").append(other).append(" left with your position");
                }
            }
            return b.toString();
        }
    }

    @Command(name = "order", mixinStandardHelpOptions = true, description = "Sign and place a limit order with the sequencer.")
    static final class PlaceOrder extends OrderTerms {
        @Option(names = "--market", required = true, converter = Converters.MarketId.class, description = "Market id (./clearline markets lists them).")
        int market;

        @Option(names = "--side", required = true, description = "buy or sell (long or bid, short or ask read the same).")
        String side;

        @Option(names = "--price", converter = Converters.Price.class, description = "Limit price per lot in collateral units (6 decimals), a multiple of"
                + " the tick: the worst price a --type market order accepts, the limit a --peg order's price never passes. Required but for"
                + " --type market.")
        String price;

        @Option(names = "--lots", required = true, converter = Converters.Lots.class, description = "Size in lots (1 or more).")
        long lots;

        @Option(names = "--type", description = "limit (the default) or market: a market order takes at once what the book offers up to its worst"
                + " price (--tif ioc, its default, or fok) and never rests; without --price its worst price is the mark plus (buy) or minus"
                + " (sell) --slippage.")
        String type;

        @Option(names = "--slippage", paramLabel = "PERCENT", description = "With --type market and no --price: how far past the mark its worst price"
                + " lies, in percent (rounded to the tick away from the mark). Default: 2%%.")
        String slippage;

        @Option(names = "--display", paramLabel = "LOTS", converter = Converters.Lots.class, description = "An iceberg: show this many lots on the book at"
                + " a time; when they fill, as many more show behind the others at that price. 1 to one less than --lots; the order rests (gtc).")
        Long display;

        @Option(names = "--peg", description = "mark or book: the order's price follows the market's mark, or the best price of its own side of the"
                + " book (best bid for a buy), plus --offset ticks, and never passes --price, its limit.")
        String peg;

        @Option(names = "--offset", paramLabel = "TICKS", description = "With --peg: ticks from what the price follows (negative: below it). Default: 0.")
        Integer offset;

        @Option(names = "--stop", paramLabel = "PRICE", converter = Converters.Price.class, description = "A stop: the node holds the order off the book"
                + " until the market's mark reaches this price per lot, then places it (a sell once the mark falls to it, so under the mark: a"
                + " stop-loss on a long; a buy once the mark rises to it). The trigger is the node's promise, not part of what you sign.")
        String stop;

        @Option(names = "--trail", paramLabel = "PRICE", converter = Converters.Price.class, description = "A trailing stop: as --stop, with a trigger"
                + " that starts this far from the mark (under it for a sell, over it for a buy) and follows the mark the trader's way, never back:"
                + " a sell fires once the mark falls this far from its highest since arming. A market order's worst price is set from where the"
                + " trigger starts and does not move with it, so a stop-loss is best --reduce-only (one that opens a position needs margin for"
                + " the mark it fires at).")
        String trail;

        @Option(names = "--reduce-only", description = "Only ever shrink your position (to close it, or take profit at a price): a fill that would"
                + " open, grow or flip it is refused. Carries no margin unless --margin is given, since a reducing fill needs none. One that rests"
                + " fills no more than your position holds when it is met, and is cancelled once a fill (of it or of another order) closes"
                + " the position or turns it to the order's side.")
        void reduceOnly(boolean on) {
            reduceOnly = on;
        }

        @Option(names = "--tif", description = "Time in force: gtc, ioc or fok. Default: gtc (what does not fill at once rests on the book).")
        String tif;

        PlaceOrder(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            Side s = switch (side.strip().toLowerCase(Locale.ROOT)) {
                case "buy", "long", "bid" -> Side.BUY;
                case "sell", "short", "ask" -> Side.SELL;
                default -> throw UserError.usage("--side must be buy or sell, not '" + side + "'");
            };
            boolean isMarket = type != null && switch (type.strip().toLowerCase(Locale.ROOT)) {
                case "limit" -> false;
                case "market" -> true;
                default -> throw UserError.usage("--type must be limit or market, not '" + type + "'");
            };
            TimeInForce t = tif == null ? (isMarket ? TimeInForce.IOC : TimeInForce.GTC) : switch (tif.strip().toLowerCase(Locale.ROOT)) {
                case "gtc" -> TimeInForce.GTC;
                case "ioc" -> TimeInForce.IOC;
                case "fok" -> TimeInForce.FOK;
                default -> throw UserError.usage("--tif must be gtc, ioc or fok, not '" + tif + "'");
            };
            // the book's and the protocol's own rules (BookGlue, PostOrderRule): said here, before a signature and a sequence number are
            // spent on a refusal
            if (isMarket && postOnly) throw new UserError("a post-only order only ever rests and a market order never does: leave out --post-only or --type market");
            if (isMarket && t == TimeInForce.GTC) throw new UserError("a market order never rests: leave out --tif gtc (a market order is ioc, or fok with --tif fok)");
            if (postOnly && t != TimeInForce.GTC) {
                throw new UserError("a post-only order only ever rests on the book: leave out --tif " + tif.strip() + " (post-only orders are gtc)");
            }
            Peg pg = peg == null ? Peg.NONE : switch (peg.strip().toLowerCase(Locale.ROOT)) {
                case "mark" -> Peg.MARK;
                case "book" -> Peg.BOOK;
                default -> throw UserError.usage("--peg must be mark or book, not '" + peg + "'");
            };
            if (offset != null && pg == Peg.NONE) throw UserError.usage("--offset moves a pegged order's price: give --peg mark or --peg book with it");
            if (pg != Peg.NONE && isMarket) throw new UserError("a market order has no price to peg: leave out --peg, or leave out --type market for a pegged limit order");
            if (display != null) {
                if (display < 1 || display >= lots) throw UserError.usage("--display must be 1 to " + (lots - 1) + " lot(s), fewer than --lots " + lots + ", not " + display);
                if (t != TimeInForce.GTC) throw new UserError("an iceberg shows part of a resting order, and with --tif " + t.name().toLowerCase(Locale.ROOT) + " nothing rests: leave out --display");
            }
            if (slippage != null && (!isMarket || price != null)) {
                throw UserError.usage("--slippage sets the worst price of a --type market order given no --price: leave it out here");
            }
            if (price == null && !isMarket) throw UserError.usage("--price is required for a limit order (only --type market may leave it out)");
            if (stop != null && trail != null) throw UserError.usage("--stop fixes a stop's trigger and --trail makes it follow the mark: give one of them");
            JsonNode state = o.get("/state");
            Long distance = trail == null ? null : trailOf(o.market(state, market));
            Long trigger = null;
            if (stop != null) trigger = triggerOf(o.market(state, market), s);
            else if (distance != null) trigger = startOf(o.market(state, market), s, distance);
            String p = price != null ? price : worstPrice(o.market(state, market), s, trigger);
            Signed sg = sign(state, market, s, p, lots, t, 0, new Shape(display == null ? 0 : display, pg, offset == null ? 0 : offset, isMarket));
            if (trigger == null) return report(post("/orders", sg.body(), sg), sg, "Order");
            ObjectNode body = UserOptions.JSON.createObjectNode();
            body.set("order", sg.body());
            if (distance != null) body.put("trailBy", distance);
            else body.put("triggerPrice", trigger);
            JsonNode r = post("/orders", body, sg);
            return armed(r, sg, r.path("outcomes").path(0).path("triggerPrice").asLong(trigger), distance);
        }

        /** --trail as a distance the node takes: on the tick, above 0 and under the mark. */
        private long trailOf(JsonNode m) {
            long d = parsedPrice("--trail", trail);
            long tick = m.path("tickSize").asLong();
            long mark = m.path("markPrice").asLong();
            if (d <= 0 || d % tick != 0) throw UserError.usage("--trail must be a price distance above 0 on the market's tick " + Units.amount(tick) + ", not " + trail);
            if (mark <= 0) throw new UserError("market " + m.path("market").asText() + " has no mark yet: a trailing stop follows the mark; leave out --trail");
            if (d >= mark) throw UserError.usage("--trail must be under the mark (" + Units.amount(mark) + "), not " + trail);
            return d;
        }

        /** A price option's value in quote units; a usage error naming {@code flag} when it does not read as one. */
        private static long parsedPrice(String flag, String value) {
            try {
                return Units.parse(value);
            } catch (IllegalArgumentException e) {
                throw UserError.usage(flag + ": " + e.getMessage());
            }
        }

        /** Where a trailing stop's trigger starts, as the node puts it: the mark less (sell) or plus (buy) the distance, on the tick away from it. */
        private static long startOf(JsonNode m, Side s, long distance) {
            long tick = m.path("tickSize").asLong();
            long mark = m.path("markPrice").asLong();
            return s == Side.SELL ? Math.floorDiv(mark - distance, tick) * tick : Math.ceilDiv(mark + distance, tick) * tick;
        }

        /** --stop as a trigger the node takes: on the tick, and on the side of the mark it has not reached yet. */
        private long triggerOf(JsonNode m, Side s) {
            long t = parsedPrice("--stop", stop);
            long tick = m.path("tickSize").asLong();
            long mark = m.path("markPrice").asLong();
            if (t <= 0 || t % tick != 0) throw UserError.usage("--stop must be a price above 0 on the market's tick " + Units.amount(tick) + ", not " + stop);
            if (mark <= 0) throw new UserError("market " + m.path("market").asText() + " has no mark yet: a stop waits on the mark; leave out --stop");
            if (s == Side.SELL ? t >= mark : t <= mark) {
                throw new UserError("the mark is " + Units.amount(mark) + ": a " + (s == Side.SELL ? "sell stop fires once the mark falls to it, so its --stop lies"
                        + " under the mark" : "buy stop fires once the mark rises to it, so its --stop lies over the mark") + "; to trade now, leave out --stop");
            }
            return t;
        }

        /** Prints an armed stop: nothing of it trades until the mark reaches its trigger ({@code trail}: a trailing one's distance, or null). */
        private int armed(JsonNode r, Signed sg, long trigger, Long trail) {
            Order order = sg.order();
            JsonNode outcome = r.path("outcomes").path(0);
            String hash = outcome.path("orderHash").asText();
            long lots = order.size() / sg.lot();
            ObjectNode json = result().put("orderHash", hash).put("seq", r.path("seq").asLong()).put("armed", true).put("triggerPrice", Units.amount(trigger));
            if (trail != null) json.put("trailBy", Units.amount(trail));
            String when = trail == null ? "placed once the mark " + (order.isBuy() ? "rises" : "falls") + " to " + Units.amount(trigger)
                    : "placed once the mark " + (order.isBuy() ? "rises " : "falls ") + Units.amount(trail) + " from its " + (order.isBuy() ? "lowest" : "highest")
                    + " since now (its trigger starts at " + Units.amount(trigger) + " and follows the mark; ./clearline positions shows where it stands)";
            o.print(out, json.put("market", Integer.toUnsignedLong(order.marketId())).put("side", order.side().name()).put("price", Units.amount(order.price()))
                            .put("lots", lots).put("type", order.isMarket() ? "market" : "limit"),
                    (trail == null ? "Stop " : "Trailing stop ") + hash + " armed at seq " + r.path("seq").asLong() + ": " + (order.isMarket() ? "market " : "")
                            + order.side().name().toLowerCase(Locale.ROOT) + " " + lots + " lot(s) of market " + Integer.toUnsignedString(order.marketId())
                            + (order.isMarket() ? " at a worst price of " : " at ") + Units.amount(order.price()) + ", " + when
                            + ". The node holds it until then (nothing of it is on the book or in the rollup); ./clearline cancel " + hash + " takes it off");
            return 0;
        }

        /**
         * A market order's worst price given none: the mark (for a stop, its trigger: the mark when it fires) plus (buy) or minus
         * (sell) --slippage, on the tick away from it, within the book.
         */
        private String worstPrice(JsonNode m, Side s, Long trigger) {
            java.math.BigDecimal pct;
            try {
                pct = new java.math.BigDecimal(slippage == null ? "2" : slippage.strip().replaceFirst("%$", ""));
            } catch (NumberFormatException e) {
                throw UserError.usage("--slippage must be a percentage such as 2 or 0.5%, not '" + slippage + "'");
            }
            if (pct.signum() <= 0 || pct.compareTo(java.math.BigDecimal.valueOf(50)) > 0) {
                throw UserError.usage("--slippage must be more than 0% and at most 50%, not " + slippage);
            }
            long mark = trigger != null ? trigger : m.path("markPrice").asLong();
            long tick = m.path("tickSize").asLong();
            if (mark <= 0) throw new UserError("market " + m.path("market").asText() + " has no mark yet: give --price, the worst price you accept");
            java.math.BigDecimal factor = java.math.BigDecimal.ONE.add((s == Side.BUY ? pct : pct.negate()).movePointLeft(2));
            java.math.BigDecimal ticks = java.math.BigDecimal.valueOf(mark).multiply(factor).divide(java.math.BigDecimal.valueOf(tick), 0,
                    s == Side.BUY ? java.math.RoundingMode.CEILING : java.math.RoundingMode.FLOOR);
            long worst = Math.max(tick, ticks.longValueExact() * tick);
            long maxPrice = m.path("maxPrice").asLong(0);
            if (maxPrice > 0) worst = Math.min(worst, maxPrice / tick * tick); // the highest price the venue's book takes
            return Units.amount(worst);
        }
    }

    @Command(name = "amend", mixinStandardHelpOptions = true,
            description = {"Replace one of your resting orders with a new price or size in one step.",
                    "The old one is cancelled and the new one placed in the same command, so nothing fills in between. Same market and"
                            + " side, post-only or reduce-only as the old one was; the new one is good till cancelled and keeps the old one's place in the queue only when the price is"
                            + " the same and the size does not grow."})
    static final class Amend extends OrderTerms {
        @Parameters(paramLabel = "ORDER_HASH", description = "The resting order's hash (./clearline positions lists them).")
        String orderHash;

        @Option(names = "--price", converter = Converters.Price.class, description = "New limit price per lot. Default: the order's price.")
        String price;

        @Option(names = "--lots", converter = Converters.Lots.class, description = "New size in lots. Default: what is still open of the order.")
        Long lots;

        @Option(names = "--display", paramLabel = "LOTS", description = "Lots shown on the book at a time (an iceberg), fewer than the new size;"
                + " 0 shows all of them. Default: as the order shows them.")
        Long display;

        @Option(names = "--offset", paramLabel = "TICKS", description = "A pegged order's new offset from what its price follows, in ticks."
                + " Default: the order's.")
        Integer offset;

        Amend(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            Hash32 h = orderHash(orderHash);
            if (price == null && lots == null && expiresIn == null && display == null && offset == null) {
                throw new UserError("nothing to change: give --price, --lots, --display, --offset, --expires-in or more of them");
            }
            JsonNode old = o.get("/orders/" + h).path("order");
            if ("armed".equals(old.path("status").asText())) {
                throw new UserError("order " + h + " is an armed stop, which is not amended: ./clearline cancel " + h + " takes it off, then arm"
                        + " another with ./clearline order ... --stop PRICE");
            }
            if (!old.path("known").asBoolean(false) || !"open".equals(old.path("status").asText())) {
                throw new UserError("order " + h + " is not open on the book (" + (old.path("known").asBoolean(false) ? old.path("status").asText() : "unknown")
                        + "); ./clearline positions lists your open orders");
            }
            Signer signer = o.signer();
            if (!Address.fromHex(old.path("trader").asText()).equals(signer.address())) {
                throw new UserError("order " + h + " belongs to " + old.path("trader").asText() + ", not to your key " + signer.address());
            }
            JsonNode state = o.get("/state");
            int market = old.path("market").asInt();
            long lot = o.market(state, market).path("lotSize").asLong();
            // what it offers now: less than its size less its fills when it is a take-profit trimmed to a shrunken position
            long newLots = lots != null ? lots : old.path("open").asLong(old.path("size").asLong() - old.path("filled").asLong()) / lot;
            String newPrice = price != null ? price : Units.amount(old.path("price").asLong());
            Side s = Side.valueOf(old.path("side").asText());
            postOnly |= (old.path("flags").asInt() & Order.POST_ONLY) != 0; // the replacement is the same kind of order
            reduceOnly = (old.path("flags").asInt() & Order.REDUCE_ONLY) != 0;
            // the replacement is the same kind of order: an iceberg shows as many lots (all of them once it is that small), a pegged
            // order follows the same reference
            long displayLots = old.path("displaySize").asLong(0) / lot;
            if (display != null) {
                if (display < 0 || display >= newLots && display != 0) {
                    throw UserError.usage("--display must be 0 (show all) or 1 to " + (newLots - 1) + " lot(s), fewer than the " + newLots + " the order will hold, not " + display);
                }
                displayLots = display;
            }
            Peg pg = old.has("peg") ? Peg.valueOf(old.path("peg").asText()) : Peg.NONE;
            if (offset != null && pg == Peg.NONE) throw new UserError("order " + h + " is not pegged: --offset moves a pegged order's price; give --price instead");
            Shape shape = new Shape(displayLots < newLots ? displayLots : 0, pg, offset != null ? offset : old.path("pegOffset").asInt(0), false);
            Signed sg = sign(state, market, s, newPrice, newLots, TimeInForce.GTC, old.path("expiry").asLong(0), shape); // keeps the expiry unless told
            ObjectNode body = UserOptions.JSON.createObjectNode();
            body.set("cancel", signedCancel(signer, o.domain(state), h));
            body.set("order", sg.body());
            return report(post("/orders/amend", body, sg), sg, "Order " + h + " replaced by");
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = {"Sign and send the cancel of one or more of your orders, or of all of them.",
                    "Several hashes, or --all (with --market: that market's only), go to the venue in batches of up to 256 (fewer where"
                            + " the node takes smaller requests), each batch one command: before quotes are replaced, or when leaving.",
                    "--after SECONDS arms a dead man's switch instead: every open order of your key leaves once that long passes on the"
                            + " node's clock, unless you send it again first."})
    static final class CancelOrder extends Base {
        /** The most cancels the trader API takes in one batch. */
        static final int BATCH = 256;

        @Parameters(paramLabel = "ORDER_HASH", arity = "0..*", description = "The orders' hashes (0x and 64 hex digits), as `order` and"
                + " `positions` print them.")
        List<String> orderHashes = new ArrayList<>();

        @Option(names = "--all", description = "Cancel every open order of your key (the venue's list of them, read first).")
        boolean all;

        @Option(names = "--market", converter = Converters.MarketId.class, description = "With --all: only the orders on this market.")
        Integer market;

        @Option(names = "--after", paramLabel = "SECONDS", description = "A dead man's switch: every open order of your key (resting"
                + " ones and armed stops) leaves once SECONDS pass on the node's clock, unless --after is sent again before then (a"
                + " quoting program sends it every few seconds, so its quotes leave with it when it stops); --after 0 turns it off."
                + " The node's promise, as a stop's trigger is: nothing of it is on L1.")
        Long after;

        CancelOrder(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            if (after != null) {
                if (all || !orderHashes.isEmpty() || market != null) {
                    throw UserError.usage("--after sets a switch over all your orders, on every market: give it alone");
                }
                if (after < 0) throw UserError.usage("--after is a number of seconds, 0 or more (0 turns the switch off), not " + after);
                return cancelAllAfter(after);
            }
            if (all && !orderHashes.isEmpty()) throw UserError.usage("give the orders' hashes or --all, not both");
            if (!all && orderHashes.isEmpty()) {
                throw UserError.usage("give the hash of the order to cancel (./clearline positions lists your open orders), or --all");
            }
            if (market != null && !all) throw UserError.usage("--market goes with --all: a hash names its order, on whatever market");
            java.util.LinkedHashSet<Hash32> given = new java.util.LinkedHashSet<>();
            for (String typed : orderHashes) given.add(orderHash(typed));
            if (!all && given.size() == 1) {
                Hash32 h = given.getFirst();
                JsonNode state = o.get("/state");
                JsonNode r = o.post("/orders/cancel", signedCancel(o.signer(), o.domain(state), h));
                o.print(out, result().put("orderHash", h.toString()).put("seq", r.path("seq").asLong()), "Cancelled " + h + " at seq " + r.path("seq").asLong());
                return 0;
            }
            List<Hash32> hashes = all ? openOrders() : List.copyOf(given);
            String where = market == null ? "" : " on market " + Integer.toUnsignedString(market);
            ObjectNode res = result();
            ArrayNode cancelled = res.putArray("cancelled");
            ArrayNode refused = res.putArray("refused");
            ArrayNode seqs = res.putArray("seqs");
            if (hashes.isEmpty()) {
                o.print(out, res, "No open orders of " + o.address() + where + " to cancel");
                return 0;
            }
            Signer signer = o.signer();
            Eip712 domain = o.domain(o.get("/state"));
            int size = BATCH;
            for (int from = 0; from < hashes.size(); ) {
                int to = Math.min(hashes.size(), from + size);
                ObjectNode body = UserOptions.JSON.createObjectNode();
                ArrayNode cancels = body.putArray("cancels");
                for (Hash32 h : hashes.subList(from, to)) cancels.add(signedCancel(signer, domain, h));
                JsonNode r = o.postBatch("/orders/batch-cancel", body);
                if (r.path("error").asText().equals("TOO_LARGE")) {
                    // a node set to take smaller requests than its default (256 cancels are about 72 KB): nothing of this one
                    // was sequenced, so it goes again in halves
                    if (size == 1) throw new UserError("the sequencer refused a single cancel as too large: " + r.path("message").asText());
                    size = Math.max(1, size / 2);
                    continue;
                }
                from = to;
                seqs.add(r.path("seq").asLong());
                for (JsonNode outcome : r.path("outcomes")) {
                    if (outcome.path("accepted").asBoolean(false)) cancelled.add(outcome.path("orderHash").asText());
                    else refused.addObject().put("orderHash", outcome.path("orderHash").asText()).put("reject", outcome.path("reject").asText());
                }
            }
            StringBuilder t = new StringBuilder("Cancelled ").append(cancelled.size()).append(" order(s)").append(where).append(" at seq ")
                    .append(seqs.get(0).asLong()).append(seqs.size() > 1 ? " to " + seqs.get(seqs.size() - 1).asLong() : "")
                    .append(seqs.size() > 1 ? " (" + seqs.size() + " batches)" : "");
            if (!refused.isEmpty()) {
                t.append("; ").append(refused.size()).append(" not cancelled (no longer open: filled, cancelled or expired, or never yours):");
                for (int i = 0; i < Math.min(refused.size(), 10); i++) {
                    t.append("\n  ").append(refused.get(i).path("orderHash").asText()).append(' ').append(refused.get(i).path("reject").asText());
                }
                if (refused.size() > 10) t.append("\n  and ").append(refused.size() - 10).append(" more (--json lists them all)");
            }
            if (all) {
                // orders placed while these were cancelled (another client of the same key) are not among them: said, not hidden
                int left = openOrders().size();
                res.put("stillOpen", left);
                if (left > 0) t.append("\n").append(left).append(" order(s)").append(where).append(" still open, placed meanwhile: run it again");
            }
            o.print(out, res, t.toString());
            return 0;
        }

        /**
         * Signs {@code CancelAllAfter(owner, deadline, nonce)} with the deadline {@code seconds} past the later of the node's
         * clock (its {@code /state} time: a local clock behind the node's does not bring the deadline forward) and this
         * machine's, rounded up to the next second (the node's time is that of its last command, which an idle node has not
         * moved for a while; and a deadline in the second now running could pass before the switch is logged), and the time
         * in milliseconds as the nonce (each switch above the last), and sends it.
         */
        private int cancelAllAfter(long seconds) {
            JsonNode state = o.get("/state");
            long nowMillis = System.currentTimeMillis();
            long from = Math.max(state.path("time").asLong(), Math.ceilDiv(nowMillis, 1000));
            long deadline = seconds == 0 ? 0 : Math.addExact(from, seconds);
            long nonce = nowMillis;
            Signer signer = o.signer();
            Eip712 domain = o.domain(state);
            ObjectNode body = UserOptions.JSON.createObjectNode();
            body.put("owner", signer.address().toString()).put("deadline", deadline).put("nonce", nonce)
                    .put("signature", hex(signer.sign(domain.cancelAllAfterDigest(signer.address(), deadline, nonce)).encoded()));
            JsonNode r = o.post("/orders/cancel-all-after", body);
            long seq = r.path("seq").asLong();
            ObjectNode res = result().put("trader", signer.address().toString()).put("deadline", deadline).put("nonce", nonce).put("seq", seq);
            o.print(out, res, seconds == 0
                    ? "Dead man's switch of " + signer.address() + " off at seq " + seq + ": your orders stay until you cancel them"
                    : "Dead man's switch of " + signer.address() + " set at seq " + seq + ": every open order of yours (resting and stops)"
                    + " leaves at " + java.time.Instant.ofEpochSecond(deadline) + " on the node's clock, in " + seconds + " s, unless"
                    + " you send --after again before then (--after 0 turns it off)");
            return 0;
        }

        /** The key's open orders (on {@link #market} when given), every page of the venue's list of them. */
        private List<Hash32> openOrders() {
            List<Hash32> open = new ArrayList<>();
            long from = 0;
            while (true) {
                JsonNode a = o.get("/accounts/" + o.address() + (from == 0 ? "" : "?from=" + from)).path("account");
                for (JsonNode oo : a.path("openOrders")) {
                    if (market == null || oo.path("market").asLong() == Integer.toUnsignedLong(market)) open.add(Hash32.fromHex(oo.path("orderHash").asText()));
                }
                if (!a.hasNonNull("openOrdersNext") || a.path("openOrdersNext").asLong() <= from) return open;
                from = a.path("openOrdersNext").asLong();
            }
        }
    }

    @Command(name = "positions", mixinStandardHelpOptions = true,
            description = "Your free balance, positions (with funding, equity, margin ratio, liquidation price) and open orders on L2.")
    static final class Positions extends Base {
        @Option(names = "--owner", converter = Converters.L1Address.class, description = "Show this account instead of your key's"
                + " (what the venue shows anyone; needs no key): an account watched from a machine that does not hold its key.")
        Address owner;

        Positions(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            JsonNode a = o.get("/accounts/" + (owner != null ? owner : o.address())).path("account");
            // a halted node, or a market whose oracle went silent: the trader who looks at their positions learns it before an
            // order of theirs is refused (and that reduce-only orders still close a position there)
            JsonNode venue = o.venue();
            String halted = venue.path("halted").asText(null);
            Map<Long, Long> stale = staleMarks(venue);
            if (o.json) {
                ObjectNode account = ((ObjectNode) a).deepCopy();
                if (halted != null) account.put("halted", halted); // absent while the node takes orders, as in GET /venue
                if (!stale.isEmpty()) account.set("staleMarks", venue.path("staleMarks")); // as in GET /venue
                o.print(out, account, "");
                return 0;
            }
            JsonNode state = o.get("/state");
            StringBuilder b = new StringBuilder();
            b.append("Account ").append(a.path("trader").asText()).append(": free ").append(Units.amount(a.path("free").asLong())).append('\n');
            if (a.path("positions").isEmpty()) b.append("  no positions\n");
            for (JsonNode p : a.path("positions")) {
                long size = p.path("size").asLong();
                long lot = o.market(state, p.path("market").asInt()).path("lotSize").asLong();
                b.append(String.format("  market %d: %s (%d base units)%s, equity %s, mark %s, margin ratio %s, liquidation price %s, unsettled funding %s%n",
                        p.path("market").asLong(), Units.lots(size, lot, true), size, entry(p), Units.amount(p.path("equity").asLong()),
                        Units.amount(p.path("markPrice").asLong()),
                        p.path("marginRatio").isNull() ? "-" : String.format("%.4f", p.path("marginRatio").asDouble()),
                        !p.has("liquidationPrice") ? "-" : p.path("liquidationPrice").asLong() == 0 && size > 0
                                ? "none (the margin covers a fall to 0)" : Units.amount(p.path("liquidationPrice").asLong()),
                        p.path("unsettledFunding").isNull() ? "-" : Units.amount(p.path("unsettledFunding").asLong())));
            }
            for (JsonNode p : a.path("positions")) {
                if (p.path("size").asLong() == 0 && p.path("equity").asLong() > 0) {
                    b.append("  market ").append(p.path("market").asLong()).append(" is closed and still holds ").append(Units.amount(p.path("equity").asLong()))
                            .append(" of margin: ./clearline margin remove all --market ").append(p.path("market").asLong())
                            .append(" returns it to your free balance\n");
                }
            }
            long openCount = openOrderCount(a);
            b.append("  open orders: ").append(openCount);
            if (a.has("cancelAllAt")) {
                b.append(" (dead man's switch: all leave at ").append(java.time.Instant.ofEpochSecond(a.path("cancelAllAt").asLong()))
                        .append(" on the node's clock, unless ./clearline cancel --after moves it)");
            }
            if (openCount > a.path("openOrders").size()) {
                b.append(" (the first ").append(a.path("openOrders").size()).append(" below; the API pages through the rest: GET /accounts/")
                        .append(a.path("trader").asText()).append("?from=").append(a.path("openOrdersNext").asLong()).append(')');
            }
            for (JsonNode oo : a.path("openOrders")) {
                long lot = o.market(state, oo.path("market").asInt()).path("lotSize").asLong();
                b.append("\n    ").append(oo.path("orderHash").asText()).append(": market ").append(oo.path("market").asLong()).append(' ')
                        .append(oo.path("side").asText().toLowerCase(Locale.ROOT)).append(' ').append(Units.lots(oo.path("size").asLong(), lot, false))
                        .append(" at ").append(Units.amount(oo.path("price").asLong())).append(", ")
                        .append(Units.lots(oo.path("filled").asLong(), lot, false).replace(" lot(s)", "")).append(" filled");
                if (oo.has("peg")) {
                    b.append(new OrderTerms.Shape(0, Peg.valueOf(oo.path("peg").asText()), oo.path("pegOffset").asInt(), false).said(0).replace("its limit",
                            "its limit " + Units.amount(oo.path("price").asLong())));
                }
                if (oo.has("displaySize")) b.append(", showing ").append(Units.lots(oo.path("displaySize").asLong(), lot, false)).append(" at a time");
                if (oo.path("status").asText().equals("armed")) {
                    b.append(oo.has("trailBy") ? ", a trailing stop " + Units.amount(oo.path("trailBy").asLong()) + " from the mark" : ", a stop")
                            .append(": placed once the mark ").append(oo.path("side").asText().equals("BUY") ? "rises" : "falls").append(" to ")
                            .append(Units.amount(oo.path("triggerPrice").asLong()));
                }
                if ((oo.path("flags").asInt() & Order.REDUCE_ONLY) != 0) b.append(", reduce-only");
                if ((oo.path("flags").asInt() & Order.POST_ONLY) != 0) b.append(", post-only");
                if (oo.path("trimmed").asLong(0) != 0) {
                    // the exchange cuts a take-profit to its position whenever the position shrinks, and takes it off once closed
                    b.append(", trimmed to the ").append(Units.lots(oo.path("open").asLong(), lot, false)).append(" you hold");
                }
                long expiry = oo.path("expiry").asLong(0);
                if (expiry != 0) b.append(", expires ").append(java.time.Instant.ofEpochSecond(expiry)).append(" (oracle time)");
            }
            for (var e : stale.entrySet()) b.append('\n').append(staleMarkLine(e.getKey(), e.getValue(), venue));
            if (halted != null) b.append('\n').append(haltedLine(halted));
            o.print(out, (ObjectNode) a, b.toString());
            return 0;
        }
    }

    /**
     * A position's entry price and profit as the node followed them from its fills (docs/api.md); a node that could not follow
     * it (taken up from L1, or restored from an older snapshot) says so instead of guessing.
     */
    static String entry(JsonNode p) {
        if (p.path("size").asLong() == 0) return "";
        if (!p.path("entryPrice").isIntegralNumber()) return ", entry price unknown (opened before this node's take-up or restore)";
        return ", entry " + Units.amount(p.path("entryPrice").asLong()) + ", unrealized PnL " + Units.amount(p.path("unrealizedPnl").asLong())
                + ", realized " + Units.amount(p.path("realizedPnl").asLong());
    }

    /** The markets {@code venue} ({@code GET /venue}) refuses orders that can grow a position in, each with its mark's age in seconds. */
    static Map<Long, Long> staleMarks(JsonNode venue) {
        Map<Long, Long> out = new java.util.TreeMap<>();
        venue.path("staleMarks").forEach(s -> out.put(s.path("market").asLong(), s.path("markAge").asLong()));
        return out;
    }

    /** What a market whose mark is too old means for a trader: how old, the venue's bound, and what still goes there. */
    static String staleMarkLine(long market, long age, JsonNode venue) {
        return "ORDERS REFUSED in market " + market + ": its mark is " + age + " s old, past the " + OrderLifetime.format(venue.path("maxMarkAge").asLong())
                + " this venue allows (no oracle price since); cancels and reduce-only orders still go (order --reduce-only)";
    }

    /** What a halted node means for a trader: its reason, what still works, and the way out through L1. */
    static String haltedLine(String why) {
        return "HALTED: the node takes no new orders, withdrawals or margin moves (" + why + "); cancels still work (./clearline cancel --all pulls every order of yours), and what L1 finalized stays"
                + " yours: ./clearline escape --dry-run, force-withdraw";
    }

    @Command(name = "markets", mixinStandardHelpOptions = true,
            description = {"The listed markets: mark price, best bid and ask, tick, lot, margin fractions, fee.",
                    "With --market, that market's book to --depth levels a side. Needs no key."})
    static final class Markets extends Base {
        @Option(names = "--market", converter = Converters.MarketId.class, description = "Show this market's book.")
        Integer market;

        @Option(names = "--depth", defaultValue = "5", description = "Price levels a side with --market (default: ${DEFAULT-VALUE}).")
        int depth;

        Markets(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            if (depth < 1) throw UserError.usage("--depth must be 1 or more, not " + depth);
            JsonNode state = o.get("/state");
            List<JsonNode> shown = new java.util.ArrayList<>();
            if (market != null) shown.add(o.market(state, market));
            else state.path("marketInfo").forEach(shown::add);
            ArrayNode all = UserOptions.JSON.createArrayNode();
            StringBuilder t = new StringBuilder();
            if (shown.isEmpty()) t.append("No market is listed yet (a MarketConfig through L1's priority queue lists one)");
            // the markets whose mark is too old for the venue to take orders that can grow a position there (GET /venue)
            JsonNode venue = shown.isEmpty() ? UserOptions.JSON.createObjectNode() : o.venue();
            Map<Long, Long> staleMarks = staleMarks(venue);
            for (JsonNode m : shown) {
                int id = m.path("market").asInt();
                long lot = m.path("lotSize").asLong();
                JsonNode book = o.get("/markets/" + id + "/depth").path("depth");
                ObjectNode row = all.addObject();
                row.setAll((ObjectNode) m.deepCopy());
                // the levels the text shows, and the best prices from the same read as the levels (GET /state is another
                // moment: its best bid was seen above this read's best ask on a busy book)
                row.set("bids", firstLevels(book.path("bids"), depth));
                row.set("asks", firstLevels(book.path("asks"), depth));
                row.put("bestBid", book.path("bids").path(0).path(0).asLong(0));
                row.put("bestAsk", book.path("asks").path(0).path(0).asLong(0));
                t.append("market ").append(Integer.toUnsignedString(id)).append(": mark ").append(m.path("markPrice").asLong() == 0 ? "none yet" : Units.amount(m.path("markPrice").asLong()))
                        .append(", best bid ").append(level(book.path("bids").path(0), lot)).append(", best ask ").append(level(book.path("asks").path(0), lot))
                        .append("\n  prices per lot of ").append(lot).append(" base units, tick ").append(Units.amount(m.path("tickSize").asLong()))
                        .append("; initial margin ").append(percent(m.path("imfPpm").asLong())).append(", maintenance ").append(percent(m.path("mmfPpm").asLong()))
                        .append(", maker fee ").append(percent(m.path("makerFeePpm").asLong()))
                        .append(", taker fee ").append(percent(m.path("takerFeePpm").asLong()))
                        .append(", liquidation fee ").append(percent(m.path("liquidationFeePpm").asLong()))
                        .append(m.path("maxPrice").asLong(0) > 0 ? "; prices up to " + Units.amount(m.path("maxPrice").asLong()) : "").append('\n');
                Long markAge = staleMarks.get(Integer.toUnsignedLong(id));
                row.put("ordersRefused", markAge != null);
                if (markAge != null) t.append("  ").append(staleMarkLine(Integer.toUnsignedLong(id), markAge, venue)).append('\n');
                if (market != null) {
                    t.append("  asks (lowest last):\n");
                    List<JsonNode> asks = new java.util.ArrayList<>();
                    book.path("asks").forEach(asks::add);
                    for (int i = Math.min(depth, asks.size()) - 1; i >= 0; i--) t.append("    ").append(level(asks.get(i), lot)).append('\n');
                    t.append("  bids (highest first):\n");
                    int n = 0;
                    for (JsonNode bid : book.path("bids")) if (n++ < depth) t.append("    ").append(level(bid, lot)).append('\n');
                }
            }
            ObjectNode res = result();
            res.set("markets", all);
            o.print(out, res, t.toString().stripTrailing());
            return 0;
        }

        private static ArrayNode firstLevels(JsonNode levels, int depth) {
            ArrayNode kept = UserOptions.JSON.createArrayNode();
            for (JsonNode level : levels) if (kept.size() < depth) kept.add(level);
            return kept;
        }

        private static String level(JsonNode priceSize, long lot) {
            if (priceSize.isMissingNode() || priceSize.size() < 2) return "none";
            return Units.amount(priceSize.get(0).asLong()) + " (" + Units.lots(priceSize.get(1).asLong(), lot, false) + ")";
        }

        private static String percent(long ppm) {
            return java.math.BigDecimal.valueOf(ppm, 4).stripTrailingZeros().toPlainString() + "%";
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
            description = {"Withdraw free L2 balance to an L1 address.",
                    "The sequencer puts the signed withdrawal into the next batch; it becomes claimable (./clearline claim) once that batch is final."})
    static final class Withdraw extends Base {
        @Parameters(paramLabel = "AMOUNT", converter = Converters.Amount.class, description = "Collateral to withdraw (6 decimals).")
        long amount;

        @Option(names = "--to", converter = Converters.L1Address.class, description = "Recipient on L1 (in mixed case, its EIP-55 checksum"
                + " must hold). Default: your own address.")
        Address to;

        Withdraw(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            if (new Address(new byte[20]).equals(to)) throw UserError.usage("--to is the zero address: nobody can spend what is paid there; give the recipient's address");
            Address recipient = to != null ? to : o.address();
            JsonNode state = o.get("/state");
            JsonNode account = o.get("/accounts/" + o.address()).path("account");
            long free = account.path("free").asLong();
            if (free < amount) {
                throw new UserError("your free L2 balance is " + Units.amount(free) + ", less than " + Units.amount(amount)
                        + "; withdraw less, or take margin back from a position first (./clearline margin remove all --market N returns"
                        + " a closed position's margin; ./clearline positions lists them)");
            }
            long nonce = account.path("nonce").asLong();
            Signer signer = o.signer();
            ObjectNode body = UserOptions.JSON.createObjectNode();
            body.put("owner", signer.address().toString()).put("recipient", recipient.toString()).put("amount", amount).put("nonce", nonce)
                    .put("signature", hex(signer.sign(o.domain(state).withdrawDigest(signer.address(), recipient, amount, nonce)).encoded()));
            JsonNode r = o.post("/withdrawals", body);
            long id = r.path("outcomes").path(0).path("withdrawalId").asLong();
            o.print(out, result().put("withdrawalId", id).put("amount", Units.amount(amount)).put("recipient", recipient.toString())
                            .put("seq", r.path("seq").asLong()),
                    "Withdrawal " + id + " of " + Units.amount(amount) + " to " + recipient + " accepted at seq " + r.path("seq").asLong()
                            + "; claim it on L1 once its batch is final: " + claimCommand(recipient.toString(), o.address().toString()));
            return 0;
        }
    }

    @Command(name = "margin", mixinStandardHelpOptions = true,
            description = {"Move collateral between your free L2 balance and a position's isolated margin.",
                    "A closed position keeps its margin until you take it back: `margin remove all --market N` returns it to the free"
                            + " balance, from which you can withdraw; on an open position `all` is what stands above the initial margin at"
                            + " the mark."})
    static final class AdjustMargin extends Base {
        @Parameters(index = "0", paramLabel = "ACTION", description = "add (free balance into the position) or remove (the position's margin back).")
        String action;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "Collateral (6 decimals), or all (remove only).")
        String amount;

        @Option(names = "--market", required = true, converter = Converters.MarketId.class, description = "The position's market id.")
        int market;

        AdjustMargin(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            boolean add = switch (action.strip().toLowerCase(Locale.ROOT)) {
                case "add", "allocate" -> true;
                case "remove", "release" -> false;
                default -> throw UserError.usage("ACTION must be add or remove, not '" + action + "'");
            };
            boolean all = amount.strip().equalsIgnoreCase("all");
            long amt = 0;
            if (!all) { // before the venue is asked: offline, a typo would read as an unreachable node
                try {
                    amt = Units.parse(amount);
                } catch (IllegalArgumentException e) {
                    throw UserError.usage("AMOUNT: " + e.getMessage() + ", or all");
                }
                if (amt <= 0) throw UserError.usage("AMOUNT must be more than 0");
            }
            JsonNode state = o.get("/state");
            JsonNode m = o.market(state, market);
            JsonNode account = o.get("/accounts/" + o.address()).path("account");
            JsonNode position = null;
            for (JsonNode p : account.path("positions")) if (p.path("market").asInt() == market) position = p;
            long free = account.path("free").asLong();
            if (all) {
                if (add) throw new UserError("add takes an amount, not all: your free balance is " + Units.amount(free));
                amt = position == null ? 0 : Math.max(0, releasable(position, m));
                if (amt == 0) {
                    throw new UserError("nothing to remove from market " + Integer.toUnsignedString(market) + ": " + (position == null ? "you have no position there"
                            : "its margin is all needed to keep the initial margin at the mark (./clearline positions)"));
                }
            }
            if (add && free < amt) {
                throw new UserError("your free L2 balance is " + Units.amount(free) + ", less than " + Units.amount(amt) + "; deposit more or add less");
            }
            if (!add && position == null) throw new UserError("you have no position in market " + Integer.toUnsignedString(market) + " to remove margin from (./clearline positions)");
            long nonce = account.path("nonce").asLong();
            Signer signer = o.signer();
            Eip712 domain = o.domain(state);
            Hash32 digest = add ? domain.allocateDigest(signer.address(), market, amt, nonce) : domain.releaseDigest(signer.address(), market, amt, nonce);
            ObjectNode body = UserOptions.JSON.createObjectNode();
            body.put("owner", signer.address().toString()).put("market", Integer.toUnsignedLong(market)).put("amount", amt).put("nonce", nonce)
                    .put("signature", hex(signer.sign(digest).encoded()));
            JsonNode r;
            try {
                r = o.post(add ? "/margin/allocate" : "/margin/release", body);
            } catch (UserError e) {
                if (add || !e.getMessage().contains(Reject.INSUFFICIENT_MARGIN.name())) throw e;
                throw new UserError(e.getMessage() + ": removing " + Units.amount(amt) + " would leave market " + Integer.toUnsignedString(market)
                        + "'s position below its initial margin at the mark (or a closed one below zero); remove less, or all");
            }
            long seq = r.path("seq").asLong();
            o.print(out, result().put("market", Integer.toUnsignedLong(market)).put("action", add ? "add" : "remove").put("amount", Units.amount(amt)).put("seq", seq),
                    (add ? "Added " + Units.amount(amt) + " from your free balance to market " + Integer.toUnsignedString(market) + "'s margin"
                            : "Removed " + Units.amount(amt) + " of market " + Integer.toUnsignedString(market) + "'s margin to your free balance")
                            + " at seq " + seq + " (./clearline positions)");
            return 0;
        }

        /**
         * What a release may take, as the STF judges it: all of a closed position's margin; of an open one, what stands above its
         * initial requirement at the mark (the account view's equity has its funding settled, as the STF settles it first).
         */
        static long releasable(JsonNode position, JsonNode market) {
            long size = position.path("size").asLong();
            long equity = position.path("equity").asLong();
            if (size == 0) return equity;
            long im = dev.clearline.engine.risk.Margin.requirement(size, market.path("lotSize").asLong(), position.path("markPrice").asLong(),
                    market.path("imfPpm").asLong());
            return im == dev.clearline.engine.risk.Fixed.OVERFLOW ? 0 : equity - im;
        }
    }

    @Command(name = "claim", mixinStandardHelpOptions = true,
            description = {"Claim on L1 every finalized withdrawal to you.",
                    "The proofs come from the L2 state rebuilt from L1 alone (the rollup's batches), so no operator is needed;"
                            + " with --finalize, batches whose challenge window has passed and that nobody finalized (the operator does) are finalized first.",
                    "That state is kept in --state-cache, so the next claim replays only the batches finalized since.",
                    "Then your withdrawals in batches posted but not final yet, replayed from L1, with when each becomes claimable."})
    static final class Claim extends EscapeCommands.HatchBase {
        @Option(names = "--look-ahead", paramLabel = "BATCHES", description = "Replay at most this many batches posted but not final yet to list"
                + " your withdrawals on their way, with when each becomes claimable (default 64, about two minutes of up's batches; 0: none)."
                + " Past it, escape --dry-run replays them all.")
        long lookAhead = 64;

        @Option(names = "--to", converter = Converters.L1Address.class, description = "Claim the finalized withdrawals paid to this address"
                + " (one withdraw --to sent elsewhere, such as a wallet whose key is not at hand): anyone may send a claim, paying its gas,"
                + " and the address is paid. Default: your key's address.")
        Address to;

        @Option(names = "--finalize", description = "First finalize the batches whose challenge window has passed, undisputed, and that nobody"
                + " finalized (anyone may; the operator normally does): for when the operator has stopped. Costs gas, a few thousand a batch.")
        boolean finalize;

        Claim(PrintWriter out, PrintWriter err, java.util.function.LongSupplier nanos) {
            super(out, err, nanos);
        }

        @Override
        Integer run() {
            if (lookAhead < 0) throw UserError.usage("--look-ahead must be 0 or more, got " + lookAhead);
            Rollup rollup = o.rollup();
            if (o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact()) != 0) {
                throw new UserError("the rollup is frozen: finalized withdrawals are paid at the escape rate after the claim window, with"
                        + " everything else you have; use ./clearline escape (--dry-run shows what you would get)");
            }
            // finalizing is left to the operator unless asked: on a live rollup it costs the user gas for nothing
            FinalizedFirst first = finalize ? finalizeDue(o, rollup) : new FinalizedFirst(0, 0);
            long finalized = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
            return claimAll(rollup, finalizedState(rollup, finalized), finalized, first);
        }

        private Integer claimAll(Rollup rollup, FinalizedState l1, long finalized, FinalizedFirst first) {
            Address me = to != null ? to : o.address();
            List<FinalizedState.Withdrawal> mine = finalized == 0 ? List.of() : l1.withdrawalsTo(me);
            // read before the claims, which do not change them: a read failing after them would hide what was paid
            long overdue = finalize ? -1 : overdue(o, rollup, finalized);
            // a running operator finalizes within a round or two: only a batch left well past its window says it has stopped
            boolean stalled = overdue >= 0 && overdue >= o.l1("read the rollup", () -> rollup.challengePeriod().send().longValueExact()) / 10;
            ArrayNode claimed = UserOptions.JSON.createArrayNode();
            long total = 0;
            List<String> paidNow = new java.util.ArrayList<>();
            for (FinalizedState.Withdrawal w : mine) {
                TransactionReceipt r;
                try {
                    boolean done = o.l1("check withdrawal " + w.id(), () -> rollup.withdrawalClaimed(BigInteger.valueOf(w.id())).send());
                    if (done) continue;
                    r = ok(o.l1("claim withdrawal " + w.id(), () -> rollup.claimWithdrawal(BigInteger.valueOf(finalized - 1),
                            BigInteger.valueOf(w.id()), w.recipient().toString(), BigInteger.valueOf(w.amount()), l1.withdrawalProof(w.id())).send()), "claim");
                } catch (UserError e) {
                    throw UserError.afterPaid(e, paidNow, Units.amount(total), "./clearline claim again takes the rest");
                }
                long paid = Rollup.getWithdrawalClaimedEvents(r).getFirst().paid.longValueExact(); // after a freeze: scaled by the escape rate
                claimed.addObject().put("withdrawalId", w.id()).put("amount", Units.amount(w.amount())).put("paid", Units.amount(paid))
                        .put("tx", r.getTransactionHash());
                total += paid;
                paidNow.add("withdrawal " + w.id() + " " + Units.amount(paid));
            }
            ObjectNode res = result().put("finalizedBatches", finalized).put("finalizedFirst", first.count()).put("claimedTotal", Units.amount(total));
            res.set("claimed", claimed);
            res.put("finalizableNow", overdue >= 0);
            StringBuilder text = new StringBuilder(first.line("so their withdrawals are claimable") + (claimed.isEmpty()
                    ? "Nothing to claim: no unclaimed withdrawal to " + me + " in the " + finalized
                            + " final batch(es); a withdrawal becomes claimable once its batch is final"
                            + (to == null ? " (one sent elsewhere with withdraw --to: ./clearline claim --to ADDRESS)" : "")
                    : "Claimed " + claimed.size() + " withdrawal(s), " + Units.amount(total) + " in total, to " + me)
                    + (stalled ? "\nBatch " + finalized + " is past its challenge window (by " + overdue + " L1 second(s)) but nobody finalized it:"
                            + " the operator does; if it has stopped, ./clearline claim --finalize finalizes it and the later due ones (paying their gas)" : ""))
                    .append('\n');
            // what is on its way, from L1 alone: a trader who claims too early learns when to claim again. Replayed each
            // time (not cached): a long challenge period on a busy chain holds thousands of batches, so past a bound it is
            // left to escape --dry-run, which says so
            try {
                long posted = o.l1("read the rollup", () -> rollup.nextBatchIndex().send().longValueExact());
                if (posted - finalized <= lookAhead) {
                    postedNotFinal(me, rollup, l1, res, text, true);
                } else {
                    res.put("postedNotFinalBatches", posted - finalized);
                    text.append(posted - finalized).append(" batch(es) are posted but not final yet (").append(finalized).append(" to ")
                            .append(posted - 1).append("): ./clearline escape --dry-run replays them and lists your withdrawals in them\n");
                }
            } catch (UserError e) {
                // the claims above are sent and paid: an L1 hiccup while looking ahead must not hide them behind a failure
                res.put("postedNotFinalError", e.getMessage());
                text.append("(could not list the batches posted since: ").append(e.getMessage()).append(")\n");
            }
            o.print(out, res, text.toString().stripTrailing());
            return 0;
        }
    }

    /** How many open orders an account has: the API lists a page of them and counts them all (an older node only lists them). */
    static long openOrderCount(JsonNode account) {
        return account.has("openOrderCount") ? account.path("openOrderCount").asLong() : account.path("openOrders").size();
    }

    /**
     * The claim that pays a withdrawal to {@code recipient}: plain `claim` for the key's own address, else `claim --to`, which
     * any key may send (it pays the recipient), so a withdrawal sent to a wallet whose key is not at hand is still claimed.
     */
    static String claimCommand(String recipient, String self) {
        return recipient.isEmpty() || recipient.equalsIgnoreCase(self) ? "./clearline claim" : "./clearline claim --to " + recipient;
    }

    @Command(name = "force-withdraw", mixinStandardHelpOptions = true,
            description = {"Withdraw through L1's priority queue, which the sequencer must consume.",
                    "If no batch consumes it within the rollup's force delay, anyone may freeze the rollup (./clearline freeze) and everyone escapes."})
    static final class ForceWithdraw extends Base {
        @Parameters(paramLabel = "AMOUNT", converter = Converters.Amount.class, description = "Collateral to withdraw from your free L2 balance.")
        long amount;

        @Option(names = "--anyway", description = "Send it even when the sequencer says your free balance is smaller (the STF then"
                + " consumes the op and pays nothing; it still costs the L1 gas).")
        boolean anyway;

        ForceWithdraw(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            String unchecked = anyway ? null : refuseWhatTheSequencerSaysWouldPayNothing();
            Rollup rollup = o.rollup();
            TransactionReceipt r = ok(o.l1("request a forced withdrawal", () -> rollup.requestForcedWithdrawal(BigInteger.valueOf(amount)).send()),
                    "requestForcedWithdrawal");
            return queued(this, rollup, r, "forced withdrawal of " + Units.amount(amount), unchecked);
        }

        /**
         * The op is for an operator who will not pay, so a silent sequencer never stops it; but when it answers with a
         * free balance below the amount, the STF would consume the op and pay nothing (it takes all or none), which
         * only costs gas and reads as censorship later, so that takes --anyway.
         */
        private String refuseWhatTheSequencerSaysWouldPayNothing() {
            long free;
            try {
                JsonNode account = o.get("/accounts/" + o.address()).path("account");
                if (!account.has("free")) return null;
                free = account.path("free").asLong();
            } catch (UserError unreachable) {
                // sent all the same (the op is for an operator who will not pay), but the user is told what was not checked
                return "the sequencer did not answer, so your free L2 balance was not checked: a forced withdrawal above it is consumed"
                        + " and pays nothing (./clearline escape --dry-run shows your balance from L1 alone)";
            }
            if (free < amount) {
                throw new UserError("the sequencer says your free L2 balance is " + Units.amount(free) + ", less than " + Units.amount(amount)
                        + ": a forced withdrawal takes all or nothing, so this one would be consumed and pay nothing; force-withdraw "
                        + Units.amount(free) + " or less (./clearline positions: margin in positions comes back with margin remove), or pass"
                        + " --anyway if you do not trust that answer (the op costs L1 gas either way)");
            }
            return null;
        }
    }

    @Command(name = "force-cancel", mixinStandardHelpOptions = true,
            description = "Cancel one of your orders through L1's priority queue (the sequencer cannot ignore it without the rollup freezing).")
    static final class ForceCancel extends Base {
        @Parameters(paramLabel = "ORDER_HASH", description = "The order's hash (0x and 64 hex digits).")
        String orderHash;

        @Option(names = "--anyway", description = "Send it even when the sequencer says the order is no longer open or is not yours"
                + " (the STF then consumes the op with no effect; it still costs the L1 gas).")
        boolean anyway;

        ForceCancel(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            Hash32 h = orderHash(orderHash);
            if (!anyway) refuseWhatTheSequencerSaysIsGone(h);
            Rollup rollup = o.rollup();
            TransactionReceipt r = ok(o.l1("request a forced cancel", () -> rollup.requestForcedCancel(h.bytes()).send()), "requestForcedCancel");
            return queued(this, rollup, r, "forced cancel of " + h, null);
        }

        /**
         * The L1 op is for an operator who will not cancel, so the sequencer's word never stops it when the sequencer is
         * silent or does not know the order; but when it says the order is filled, cancelled or someone else's, the op
         * would only pay gas for a consumed no-op, so that takes --anyway.
         */
        private void refuseWhatTheSequencerSaysIsGone(Hash32 h) {
            JsonNode order;
            try {
                order = o.get("/orders/" + h).path("order");
            } catch (UserError unreachable) {
                return;
            }
            if (!order.path("known").asBoolean(false)) return;
            String owner = order.path("trader").asText();
            if (!owner.equalsIgnoreCase(o.key().getAddress())) {
                throw new UserError("the sequencer says order " + h + " belongs to " + owner + ", not to your key " + o.key().getAddress()
                        + ": a forced cancel of another's order is consumed with no effect; pass --anyway to send it regardless");
            }
            String status = order.path("status").asText();
            if (!status.equals("open")) {
                throw new UserError("the sequencer says order " + h + " is " + status + ", so there is nothing to cancel; if you do not trust"
                        + " that answer, pass --anyway (the op costs L1 gas either way)");
            }
        }
    }

    @Command(name = "freeze", mixinStandardHelpOptions = true,
            description = {"Freeze the rollup once a priority op is past its deadline unconsumed.",
                    "The sequencer ignored the oldest priority op no batch consumed. Batches whose challenge window has passed are finalized first (a freeze discards every batch not finalized). From then on the last finalized root is final and everyone leaves through the escape hatch."})
    static final class Freeze extends Base {
        @Option(names = "--no-finalize", description = "Freeze without first finalizing the batches past their challenge window (each costs a few"
                + " thousand gas); the freeze then discards them with everything else not final.")
        boolean noFinalize;

        Freeze(PrintWriter out) {
            super(out);
        }

        @Override
        boolean asksSequencer() {
            return false; // the queue's deadline and the batches to finalize are read from L1
        }

        @Override
        public Integer call() {
            Rollup rollup = o.rollup();
            long frozen = o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact());
            if (frozen != 0) throw new UserError("the rollup is already frozen (since L1 time " + frozen + "); escape with the escape hatch");
            long consumed = o.l1("read the rollup", () -> rollup.tip().send().component2().longValueExact());
            long queue = o.l1("read the rollup", () -> rollup.queueLength().send().longValueExact());
            if (consumed >= queue) {
                throw new UserError("nothing is overdue: the posted batches consumed all " + queue + " queued op(s); a freeze needs an op the sequencer ignored");
            }
            byte[] encoding = queuedOp(o, rollup, consumed);
            long enqueued = java.nio.ByteBuffer.wrap(encoding, 9, 8).getLong();
            long delay = o.l1("read the rollup", () -> rollup.forceDelay().send().longValueExact());
            long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
            if (now <= enqueued + delay) {
                throw new UserError("queue op " + consumed + " is not overdue yet: its deadline is L1 time " + (enqueued + delay) + ", "
                        + UserOptions.l1Wait(enqueued + delay - now + 1, o.l1TimeSpeed()) + " from now; the sequencer may still consume it");
            }
            FinalizedFirst finalized = noFinalize ? new FinalizedFirst(0, 0) : finalizeDue(o, rollup);
            TransactionReceipt r = ok(o.l1("freeze the rollup", () -> rollup.freeze(encoding).send()), "freeze");
            long fin = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
            o.print(out, result().put("overdueOp", consumed).put("finalizedBeforeFreeze", finalized.count()).put("batchesFinal", fin)
                            .put("tx", r.getTransactionHash()),
                    finalized.line("so the frozen state keeps them") + "Froze the rollup over queue op " + consumed + " (tx " + r.getTransactionHash() + "); "
                            + (fin == 0 ? "the genesis root" : "batch " + (fin - 1) + "'s root") + " is final now");
            return 0;
        }
    }


    /**
     * How many L1 seconds batch {@code index} has been posted, undisputed and past its challenge window
     * (anyone may finalize it), or -1 when it is not.
     */
    private static long overdue(UserOptions o, Rollup rollup, long index) {
        long next = o.l1("read the rollup", () -> rollup.nextBatchIndex().send().longValueExact());
        if (index >= next) return -1;
        long period = o.l1("read the rollup", () -> rollup.challengePeriod().send().longValueExact());
        long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
        var b = o.l1("read batch " + index, () -> rollup.batch(BigInteger.valueOf(index)).send());
        // the next block's time is at least the latest one's, the contract's own test
        long past = now - (b.submittedAt.longValueExact() + period);
        return past >= 0 && b.openDisputes.signum() == 0 ? past : -1;
    }

    /** The batches {@link #finalizeDue} finalized: {@code count} from {@code from}. */
    record FinalizedFirst(long from, long count) {
        /** A line saying so, ending with {@code why} it mattered; empty when it finalized none. */
        String line(String why) {
            return count == 0 ? "" : "Finalized batch(es) " + from + (count > 1 ? " to " + (from + count - 1) : "")
                    + " first (their challenge windows had passed), " + why + "\n";
        }
    }

    /** Batches finalized per transaction: bounded gas (a few thousand a batch), few transactions after a long outage. */
    private static final int FINALIZE_CHUNK = 256;

    /**
     * Finalizes the batches whose challenge window has passed, undisputed, that nobody finalized
     * (the operator does, unless it stopped). A freeze discards every batch not finalized, and a
     * withdrawal is claimable only from a final one: anyone may finalize, so freeze and claim do
     * it first. Returns the first batch finalized and how many.
     */
    static FinalizedFirst finalizeDue(UserOptions o, Rollup rollup) {
        long from = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
        long done = 0;
        while (overdue(o, rollup, from + done) >= 0) {
            TransactionReceipt r;
            try {
                r = o.l1("finalize batches", () -> rollup.finalizeBatches(BigInteger.valueOf(FINALIZE_CHUNK)).send());
            } catch (UserError e) {
                break; // a node that refuses a reverting transaction outright: as below, the caller reads what is final
            }
            if (!r.isStatusOK()) break; // someone (the operator) finalized them first: the caller reads what is final
            int n = Rollup.getBatchFinalizedEvents(r).size();
            done += n;
            if (n < FINALIZE_CHUNK) break;
        }
        return new FinalizedFirst(from, done);
    }

    /** The encoding of queue op {@code index}, from its PriorityOpEnqueued event. */
    static byte[] queuedOp(UserOptions o, Rollup rollup, long index) {
        return o.l1("read queue op " + index, () -> new dev.clearline.prover.l1.RollupLog(o.web3j(), rollup.getContractAddress()).priorityOpEncoding(index, o.firstBlock())
                .orElseThrow(() -> new java.io.IOException("the node has no PriorityOpEnqueued event for op " + index)));
    }

    /** Prints the queued op and its deadline; {@code unchecked}: what could not be checked before sending (null: nothing). */
    private static int queued(Base b, Rollup rollup, TransactionReceipt r, String what, String unchecked) {
        var e = Rollup.getPriorityOpEnqueuedEvents(r).getFirst();
        long index = e.index.longValueExact();
        long enqueued = java.nio.ByteBuffer.wrap(e.encoding, 9, 8).getLong();
        long delay = b.o.l1("read the force delay", () -> rollup.forceDelay().send().longValueExact());
        ObjectNode res = b.result().put("queueIndex", index).put("deadline", enqueued + delay).put("tx", r.getTransactionHash());
        if (unchecked != null) res.put("balanceNotChecked", unchecked);
        String note = unchecked == null ? "" : "; " + unchecked;
        b.o.print(b.out, res,
                "Queued " + what + " as op " + index + " (tx " + r.getTransactionHash() + "); a batch must consume it by L1 time "
                        + (enqueued + delay) + " (in " + UserOptions.l1Wait(delay, b.o.l1TimeSpeed())
                        + "), else anyone may ./clearline freeze (./clearline status shows the wait)" + note);
        return 0;
    }

    static TransactionReceipt ok(TransactionReceipt r, String what) {
        if (!r.isStatusOK()) {
            throw new UserError(what + " reverted on L1 in " + r.getTransactionHash() + (r.getRevertReason() == null ? "" : ": " + r.getRevertReason()));
        }
        return r;
    }
}
