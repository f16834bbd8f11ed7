package dev.clearline.engine.state;

import dev.clearline.engine.order.Address;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Int64;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The leaves must be what Solidity's abi.encode produces; web3j's ABI encoder is the independent reference. */
class LeafEncodingTest {
    final Address trader = Address.fromHex("0x1111111111111111111111111111111111111111");

    @Test
    void positionLeafIsAbiEncodeOfThreeInt64sIncludingNegatives() {
        PositionLeaf p = new PositionLeaf(-5_000, -123_456_789, Long.MIN_VALUE + 1);
        assertThat(p.encode()).isEqualTo(abi(new Int64(-5_000), new Int64(-123_456_789), new Int64(BigInteger.valueOf(Long.MIN_VALUE + 1))));
        assertThat(PositionLeaf.decode(p.encode())).isEqualTo(p);
    }

    @Test
    void orderLeafIsAbiEncodeOfItsStaticTuple() {
        OrderLeaf o = new OrderLeaf(trader, 0xFFFF_FFF0, true, 12_300, 5_000, 3, dev.clearline.engine.order.Peg.MARK, -7,
                dev.clearline.engine.order.TimeInForce.FOK, 1_700_000_000L, 42, 2_000, true);
        assertThat(o.encode()).isEqualTo(abi(new org.web3j.abi.datatypes.Address(trader.toString()), new Uint32(0xFFFF_FFF0L),
                new Bool(true), new Uint64(12_300), new Uint64(5_000), new Uint8(3), new Uint8(1),
                new org.web3j.abi.datatypes.generated.Int32(-7), new Uint8(2), new Uint64(1_700_000_000L), new Uint64(42),
                new Uint64(2_000), new Bool(true)));
        assertThat(OrderLeaf.decode(o.encode())).isEqualTo(o);
    }

    @Test
    void nonCanonicalWordsAreRefused() {
        byte[] v = new BalanceLeaf(7, 1).encode();
        v[0] = 1; // a uint64 with high bits set is not what abi.encode(uint64) writes
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BalanceLeaf.decode(v)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] abi(Type<?>... values) {
        @SuppressWarnings("rawtypes") List<Type> list = List.of(values);
        return Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor(list));
    }
}
