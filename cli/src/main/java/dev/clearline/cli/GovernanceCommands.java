package dev.clearline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.order.Address;
import java.io.PrintWriter;
import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** What a deployment's own keys do from the command line: governance lists and changes markets; the test token's minter mints. */
final class GovernanceCommands {
    private GovernanceCommands() {}

    @Command(name = "configure-market", mixinStandardHelpOptions = true,
            description = {"Governance: list a market, or change a listed one, through L1's priority queue.",
                    "The rollup's configureMarket; the sequencer lists the market when a batch consumes the op. Parameters the STF"
                            + " would refuse are refused here first, since the STF only counts a refused listing and the market never appears."})
    static final class ConfigureMarket extends UserCommands.Base {
        @Option(names = "--market", required = true, description = "Market id, 1 or more.")
        long market;

        @Option(names = "--tick", required = true, converter = Converters.Amount.class,
                description = "Price step per lot, in collateral units (6 decimals), such as 0.001.")
        long tick;

        @Option(names = "--lot", required = true, description = "Base units per lot; fixed once the market is listed.")
        long lot;

        @Option(names = "--initial-margin", defaultValue = "10%", converter = Converters.Percent.class,
                description = "Initial margin fraction of the notional. Default: ${DEFAULT-VALUE}.")
        long imfPpm;

        @Option(names = "--maintenance-margin", defaultValue = "5%", converter = Converters.Percent.class,
                description = "Maintenance margin fraction, below the initial one. Default: ${DEFAULT-VALUE}.")
        long mmfPpm;

        @Option(names = "--maker-fee", defaultValue = "0.02%", converter = Converters.Percent.class, description = "Default: ${DEFAULT-VALUE}.")
        long makerFeePpm;

        @Option(names = "--taker-fee", defaultValue = "0.05%", converter = Converters.Percent.class, description = "Default: ${DEFAULT-VALUE}.")
        long takerFeePpm;

        @Option(names = "--liquidation-fee", defaultValue = "1%", converter = Converters.Percent.class,
                description = "Paid to the insurance fund by a liquidated position, at most the maintenance margin. Default: ${DEFAULT-VALUE}.")
        long liquidationFeePpm;

        @Option(names = "--oracle", required = true, converter = Converters.L1Address.class, description = "Address of the key that signs this market's prices.")
        Address oracleAddress;

        ConfigureMarket(PrintWriter out) {
            super(out);
        }

        @Override
        public Integer call() {
            MarketParams params = new MarketParams(market, tick, lot, imfPpm, mmfPpm, makerFeePpm, takerFeePpm, liquidationFeePpm, oracleAddress);
            long existingLot = listedLot();
            String problem = params.problem(existingLot);
            if (problem != null) throw new UserError(problem);
            Rollup rollup = o.rollup();
            String governance = o.l1("read the rollup's governance", () -> rollup.governance().send());
            String me = o.key().getAddress();
            if (!governance.equalsIgnoreCase(me)) {
                throw new UserError("your key " + me + " is not the rollup's governance " + governance + "; sign with the governance key (--key)");
            }
            TransactionReceipt r = UserCommands.ok(o.l1("configure the market", () -> rollup.configureMarket(BigInteger.valueOf(market), BigInteger.valueOf(tick),
                    BigInteger.valueOf(lot), BigInteger.valueOf(imfPpm), BigInteger.valueOf(mmfPpm), BigInteger.valueOf(makerFeePpm),
                    BigInteger.valueOf(takerFeePpm), BigInteger.valueOf(liquidationFeePpm), oracleAddress.toString()).send()), "configureMarket");
            long index = Rollup.getPriorityOpEnqueuedEvents(r).getFirst().index.longValueExact();
            // the protocol takes any price; a sequencer of this build books prices up to a number of ticks, so the tick sets the ceiling
            long ticks = dev.clearline.sequencer.state.Genesis.BOOK_PRICE_TICKS;
            long maxPrice = tick > Long.MAX_VALUE / ticks ? Long.MAX_VALUE : tick * ticks;
            ObjectNode res = result().put("market", market).put("queueIndex", index).put("tx", r.getTransactionHash()).put("maxPrice", maxPrice);
            o.print(out, res, "Market " + market + " queued for listing as op " + index + " (tx " + r.getTransactionHash()
                    + "); the sequencer lists it when a batch consumes the op: ./clearline markets\n"
                    + "Its book takes prices up to " + Units.amount(maxPrice) + " per lot (" + ticks + " ticks of " + Units.amount(tick)
                    + "); a price that may go higher needs a larger tick");
            return 0;
        }

        /** The market's lot if the sequencer lists it already (the one parameter a change may not touch), else 0; 0 too if the sequencer is not there. */
        private long listedLot() {
            try {
                for (JsonNode m : o.get("/state").path("marketInfo")) if (m.path("market").asLong() == market) return m.path("lotSize").asLong();
                return 0;
            } catch (UserError unreachable) {
                return 0; // the listing goes to L1; the STF still judges the lot, this only says so earlier
            }
        }
    }

    @Command(name = "set-sequencer", mixinStandardHelpOptions = true,
            description = {"Governance: hand the operator's posting priority to another key, or open posting with 0x0.",
                    "The rollup takes batches from its sequencer first; another bonded proposer may post only a batch consuming an op"
                            + " that has waited half the force delay. Run the node with the new key once this is mined."})
    static final class SetSequencer extends UserCommands.Base {
        @picocli.CommandLine.Parameters(paramLabel = "ADDRESS", description = "The new sequencer (the node's operator key's address); 0x0 opens posting.")
        String address;

        SetSequencer(PrintWriter out) {
            super(out);
        }

        @Override
        boolean asksSequencer() {
            return false; // a governance call on L1
        }

        @Override
        public Integer call() {
            String next;
            try {
                next = address.strip().equalsIgnoreCase("0x0") ? "0x" + "0".repeat(40) : Address.fromHex(address.strip()).toString();
            } catch (RuntimeException e) {
                throw UserError.usage("ADDRESS " + address + " is not an address: give 0x and 40 hex digits (0x0 opens posting to every bonded proposer)");
            }
            Rollup rollup = o.rollup();
            String governance = o.l1("read the rollup's governance", () -> rollup.governance().send());
            String me = o.key().getAddress();
            if (!governance.equalsIgnoreCase(me)) {
                throw new UserError("your key " + me + " is not the rollup's governance " + governance + "; sign with the governance key (--key)");
            }
            String raw = address.strip();
            if (raw.length() == 42 && !Converters.L1Address.checksumHolds(raw)) {
                throw UserError.usage("ADDRESS " + address + " has a wrong EIP-55 checksum (its capitals): a digit is likely mistyped; check it, or give it in lower case");
            }
            String previous = o.l1("read the rollup's sequencer", () -> rollup.sequencer().send());
            if (previous.equalsIgnoreCase(next)) {
                o.print(out, result().put("previous", previous).put("sequencer", previous).put("unchanged", true),
                        next.equals("0x" + "0".repeat(40)) ? "Posting is open already; nothing was sent" : previous + " is the sequencer already; nothing was sent");
                return 0;
            }
            TransactionReceipt r = UserCommands.ok(o.l1("set the sequencer", () -> rollup.setSequencer(next).send()), "setSequencer");
            boolean open = new BigInteger(next.substring(2), 16).signum() == 0;
            o.print(out, result().put("previous", previous).put("sequencer", next).put("tx", r.getTransactionHash()),
                    (open ? "Posting is open to every bonded proposer" : "The sequencer is now " + next) + " (was " + previous + "; tx "
                            + r.getTransactionHash() + ")" + (open ? "" : "; start the node with that key: ./clearline sequencer --operator-key-file FILE ..."));
            return 0;
        }
    }

    @Command(name = "mint", mixinStandardHelpOptions = true,
            description = {"Test deployments only: mint the deployment's TestCollateral to an address.",
                    "Signed by the token's minter, the key that deployed it. A deployment on a real collateral token has no minter to ask."})
    static final class Mint extends UserCommands.Base {
        @picocli.CommandLine.Parameters(paramLabel = "AMOUNT", converter = Converters.Amount.class, description = "Collateral to mint (6 decimals).")
        long amount;

        @Option(names = "--to", required = true, converter = Converters.L1Address.class, description = "Who receives it.")
        Address recipient;

        Mint(PrintWriter out) {
            super(out);
        }

        @Override
        boolean asksSequencer() {
            return false; // a call to the collateral token on L1
        }

        @Override
        public Integer call() {
            Rollup rollup = o.rollup();
            String tokenAddress = o.l1("read the rollup's token", () -> rollup.token().send());
            dev.clearline.contracts.generated.TestCollateral token = dev.clearline.contracts.generated.TestCollateral.load(tokenAddress, o.web3j(),
                    o.transactions(), UserOptions.gas());
            String minter;
            try {
                minter = token.minter().send();
            } catch (Exception e) {
                throw new UserError("the rollup's token " + tokenAddress + " has no minter to ask (a real collateral token, not TestCollateral)");
            }
            if (!minter.equalsIgnoreCase(o.key().getAddress())) {
                throw new UserError("your key " + o.key().getAddress() + " is not the token's minter " + minter + "; sign with the key that deployed it (--key)");
            }
            TransactionReceipt r = UserCommands.ok(o.l1("mint", () -> token.mint(recipient.toString(), BigInteger.valueOf(amount)).send()), "mint");
            o.print(out, result().put("amount", Units.amount(amount)).put("to", recipient.toString()).put("tx", r.getTransactionHash()),
                    "Minted " + Units.amount(amount) + " of " + tokenAddress + " to " + recipient + " (tx " + r.getTransactionHash() + "); deposit it: ./clearline deposit");
            return 0;
        }
    }
}
