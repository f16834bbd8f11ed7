package dev.clearline.prover.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.Artifacts;
import dev.clearline.engine.abi.Keccak;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Java equity the CLI announces is the one the escape hatch pays: {@link Escape#equity} against
 * {@code EscapeHatch.equityOf} in the embedded EVM, on positions and market leaves from the whole
 * range of their fields (sizes that are not a multiple of the lot, either sign, any funding).
 * The leaf encodings go through the engine's own {@code encode()}, so a struct that drifts from the
 * section 3 leaf (as the hatch's MARKET struct once did) fails here.
 */
class EquityTwinTest {
    static final Address CALLER = Address.ofLong(0x0e5e7);
    static final BlockContext BLOCK = BlockContext.of(1, 1, 1_700_000_000);
    static final byte[] EQUITY_OF = Arrays.copyOf(Keccak.hash(
            "equityOf((int64,int64,int64),(uint64,uint64,uint32,uint32,uint32,uint32,uint32,address,uint64,int64,uint64,uint64))"
                    .getBytes(StandardCharsets.US_ASCII)), 4);

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);
    final Address hatch;

    EquityTwinTest() {
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        byte[] code = Artifacts.onClasspath().load("EscapeHatch").creationBytecode();
        // constructor(address rollup, uint64 claimWindow): equityOf is pure, any rollup address will do
        byte[] init = ByteBuffer.allocate(code.length + 64).put(code).put(new byte[31]).put((byte) 0x42).put(new byte[24]).putLong(3_600).array();
        hatch = evm.transact(Message.create(CALLER, init).withGasLimit(30_000_000L), BLOCK).contractAddress();
    }

    @AfterEach
    void close() {
        state.close();
    }

    @Test
    void javaEquityEqualsTheHatchsEquityOf() {
        var any = Gens.longs(Long.MIN_VALUE, Long.MAX_VALUE);
        var positive = Gens.longs(0, Long.MAX_VALUE);
        var positions = any.zip(any, (size, quote) -> new long[] {size, quote}).zip(any, (sq, f) -> new PositionLeaf(sq[0], sq[1], f));
        var markets = positive.zip(positive, (lot, mark) -> new long[] {lot, mark}).zip(any, (lm, f) -> new MarketLeaf(1, lm[0], 100_000, 50_000,
                200, 500, 20_000, dev.clearline.engine.order.Address.INSURANCE_FUND, lm[1], f, 9, 77));
        Property.forAll(positions, markets).tries(300).check((position, market) -> {
            assertThat(onL1(position, market)).as("%s at %s", position, market).isEqualTo(Escape.equity(position, market));
        });
    }

    @Test
    void realisticPositionsAgreeToo() {
        Property.forAll(Gens.longs(-1_000_000, 1_000_000), Gens.longs(-10_000_000_000L, 10_000_000_000L)).tries(200).check((lots, quote) -> {
            PositionLeaf position = new PositionLeaf(lots * 1_000, quote, 12);
            MarketLeaf market = new MarketLeaf(100, 1_000, 100_000, 50_000, 200, 500, 20_000,
                    dev.clearline.engine.order.Address.INSURANCE_FUND, 85_000_000L, -40, 9, 77);
            assertThat(onL1(position, market)).isEqualTo(Escape.equity(position, market));
        });
    }

    private BigInteger onL1(PositionLeaf p, MarketLeaf m) {
        byte[] data = ByteBuffer.allocate(4 + 96 + 384).put(EQUITY_OF).put(p.encode()).put(m.encode()).array();
        ExecutionResult r = evm.call(Message.call(CALLER, hatch, data).withGasLimit(1_000_000L), BLOCK, ExecutionOptions.RAW);
        assertThat(r.succeeded()).as("equityOf reverted: %s", r).isTrue();
        return new BigInteger(r.returnData());
    }
}
