package dev.clearline.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.engine.order.Address;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** Keys checked against web3j's independent ABI encoder; Solidity's twin is checked in the conformance module. */
class StateKeysTest {
    private static final Address ALICE = Address.fromHex("0x00000000000000000000000000000000000a11ce");
    private static final Address BOB = Address.fromHex("0xb0b0000000000000000000000000000000000b0b");

    @SuppressWarnings("rawtypes")
    private static Bytes32 web3j(long tag, Type... fields) {
        List<Type> all = new java.util.ArrayList<>();
        all.add(new Uint256(tag));
        all.addAll(List.of(fields));
        return Bytes32.of(Hash.sha3(Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor(all))));
    }

    @Test
    void everyKeyIsKeccakOfTheAbiEncodedTagAndFields() {
        assertThat(StateKeys.balance(ALICE)).isEqualTo(web3j(1, new org.web3j.abi.datatypes.Address(160,
                new BigInteger(1, ALICE.bytes()))));
        assertThat(StateKeys.position(BOB, 4_000_000_000L)).isEqualTo(web3j(2,
                new org.web3j.abi.datatypes.Address(160, new BigInteger(1, BOB.bytes())), new Uint32(4_000_000_000L)));
        Bytes32 orderHash = Bytes32.fromHex("0x" + "5a".repeat(32));
        assertThat(StateKeys.order(orderHash)).isEqualTo(web3j(3,
                new org.web3j.abi.datatypes.generated.Bytes32(orderHash.toArray())));
        assertThat(StateKeys.market(7)).isEqualTo(web3j(4, new Uint32(7)));
        assertThat(StateKeys.withdrawal(-1L)).isEqualTo(web3j(5,
                new Uint64(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE))));
        assertThat(StateKeys.global()).isEqualTo(web3j(6));
        assertThat(StateKeys.orderState(0x0000_ABCD_EF01_2345L)).isEqualTo(web3j(7, new Uint64(0x0000_ABCD_EF01_2345L)));
    }

    @Test
    void numericFieldsAreRightAlignedBigEndianWordsForAnyValue() {
        // the preimage is written byte by byte in place: every byte of the number must land where abi.encode puts it
        Property.forAll(Gens.longs(0, Long.MAX_VALUE), Gens.longs(0, 0xFFFF_FFFFL)).tries(200).check((id, market) -> {
            assertThat(StateKeys.orderState(id)).isEqualTo(web3j(7, new Uint64(BigInteger.valueOf(id))));
            assertThat(StateKeys.withdrawal(id)).isEqualTo(web3j(5, new Uint64(BigInteger.valueOf(id))));
            assertThat(StateKeys.market(market)).isEqualTo(web3j(4, new Uint32(market)));
            assertThat(StateKeys.position(BOB, market)).isEqualTo(web3j(2,
                    new org.web3j.abi.datatypes.Address(160, new BigInteger(1, BOB.bytes())), new Uint32(market)));
        });
    }

    @Test
    void keysOfDifferentKindsAndFieldsNeverCollide() {
        Set<Bytes32> keys = new HashSet<>(List.of(StateKeys.balance(ALICE), StateKeys.balance(BOB),
                StateKeys.position(ALICE, 1), StateKeys.position(ALICE, 2), StateKeys.position(BOB, 1),
                StateKeys.market(1), StateKeys.market(2), StateKeys.withdrawal(1), StateKeys.withdrawal(2),
                StateKeys.global(), StateKeys.order(Bytes32.ZERO)));
        assertThat(keys).hasSize(11);
    }

    @Test
    void aMarketIdOutsideUint32IsRefusedWithTheRange() {
        assertThatThrownBy(() -> StateKeys.market(1L << 32)).hasMessageContaining("outside uint32");
        assertThatThrownBy(() -> StateKeys.position(ALICE, -1)).hasMessageContaining("outside uint32");
    }
}
