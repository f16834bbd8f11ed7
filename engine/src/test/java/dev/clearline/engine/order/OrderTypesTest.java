package dev.clearline.engine.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.engine.testkit.World;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.StructuredDataEncoder;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The order package's value types and hashing, against independent oracles where one exists:
 * every EIP-712 message type against web3j's own JSON-driven encoder (market ids above 2^31,
 * negative funding indices), the canonical-signature bounds at equality and one past, and the
 * value semantics of addresses and hashes (equality, unsigned order, hex forms).
 */
class OrderTypesTest {
    private static final Eip712 DOMAIN = new Eip712(World.CHAIN_ID, World.ROLLUP);
    private static final Address OWNER = World.signer(1).address();
    private static final Address RECIPIENT = World.signer(2).address();
    private static final BigInteger N = Signature.HALF_N.shiftLeft(1).add(BigInteger.ONE);

    /** web3j's EIP-712 hash of one message of the Clearline domain, from its JSON form. */
    private static byte[] web3j(String typeName, String fields, String message) throws Exception {
        String json = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},
              {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
             "%s":[%s]},
             "primaryType":"%s",
             "domain":{"name":"Clearline","version":"1","chainId":%d,"verifyingContract":"%s"},
             "message":{%s}}
            """.formatted(typeName, fields, typeName, World.CHAIN_ID, World.ROLLUP, message);
        return new StructuredDataEncoder(json).hashStructuredData();
    }

    private static String field(String name, String type) {
        return "{\"name\":\"" + name + "\",\"type\":\"" + type + "\"}";
    }

    @Test
    void theDomainSeparatorIsWeb3jsAndNamesItsChainAndContract() throws Exception {
        String json = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},
              {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}]},
             "primaryType":"EIP712Domain",
             "domain":{"name":"Clearline","version":"1","chainId":%d,"verifyingContract":"%s"},
             "message":{}}
            """.formatted(World.CHAIN_ID, World.ROLLUP);
        byte[] expected = new StructuredDataEncoder(json).hashDomain();
        assertThat(DOMAIN.domainSeparator().bytes()).isEqualTo(expected);
        assertThat(DOMAIN.chainId()).isEqualTo(World.CHAIN_ID);
        assertThat(DOMAIN.verifyingContract()).isEqualTo(World.ROLLUP);
    }

    @Test
    void cancelDigestIsWeb3js() throws Exception {
        Hash32 orderHash = DOMAIN.orderDigest(new Order(OWNER, 1, Side.BUY, 100, 1_000, 0, TimeInForce.GTC, 0, 0, 1, 0));
        byte[] expected = web3j("Cancel", field("owner", "address") + "," + field("orderHash", "bytes32"),
                "\"owner\":\"%s\",\"orderHash\":\"%s\"".formatted(OWNER, orderHash));
        assertThat(DOMAIN.cancelDigest(OWNER, orderHash).bytes()).isEqualTo(expected);
    }

    @Test
    void allocateAndReleaseDigestsAreWeb3jsAndDifferFromEachOther() throws Exception {
        String fields = String.join(",", field("owner", "address"), field("market", "uint32"), field("amount", "uint64"),
                field("nonce", "uint64"));
        int market = 0xfffffffe;  // 4294967294: above 2^31, negative as a Java int
        String message = "\"owner\":\"%s\",\"market\":4294967294,\"amount\":9223372036854775807,\"nonce\":12".formatted(OWNER);
        assertThat(DOMAIN.allocateDigest(OWNER, market, Long.MAX_VALUE, 12).bytes()).isEqualTo(web3j("Allocate", fields, message));
        assertThat(DOMAIN.releaseDigest(OWNER, market, Long.MAX_VALUE, 12).bytes()).isEqualTo(web3j("Release", fields, message));
        assertThat(DOMAIN.allocateDigest(OWNER, 3, 5, 0)).isNotEqualTo(DOMAIN.releaseDigest(OWNER, 3, 5, 0));
    }

    @Test
    void withdrawDigestIsWeb3js() throws Exception {
        String fields = String.join(",", field("owner", "address"), field("recipient", "address"), field("amount", "uint64"),
                field("nonce", "uint64"));
        byte[] expected = web3j("Withdraw", fields,
                "\"owner\":\"%s\",\"recipient\":\"%s\",\"amount\":250000,\"nonce\":7".formatted(OWNER, RECIPIENT));
        assertThat(DOMAIN.withdrawDigest(OWNER, RECIPIENT, 250_000, 7).bytes()).isEqualTo(expected);
        assertThat(DOMAIN.withdrawDigest(RECIPIENT, OWNER, 250_000, 7).bytes()).isNotEqualTo(expected);
    }

    @Test
    void cancelAllAfterDigestIsWeb3jsAndBindsItsDeadlineAndNonce() throws Exception {
        String fields = String.join(",", field("owner", "address"), field("deadline", "uint64"), field("nonce", "uint64"));
        byte[] expected = web3j("CancelAllAfter", fields,
                "\"owner\":\"%s\",\"deadline\":4102444800,\"nonce\":1796684745693".formatted(OWNER));
        assertThat(DOMAIN.cancelAllAfterDigest(OWNER, 4_102_444_800L, 1_796_684_745_693L).bytes()).isEqualTo(expected);
        assertThat(Eip712.CANCEL_ALL_AFTER_TYPE).isEqualTo("CancelAllAfter(address owner,uint64 deadline,uint64 nonce)");
        assertThat(DOMAIN.cancelAllAfterDigest(OWNER, 4_102_444_800L, 2)).isNotEqualTo(DOMAIN.cancelAllAfterDigest(OWNER, 4_102_444_800L, 1));
        assertThat(DOMAIN.cancelAllAfterDigest(OWNER, 0, 1)).isNotEqualTo(DOMAIN.cancelAllAfterDigest(OWNER, 1, 1));
        assertThat(DOMAIN.cancelAllAfterDigest(RECIPIENT, 0, 1)).isNotEqualTo(DOMAIN.cancelAllAfterDigest(OWNER, 0, 1));
    }

    @Test
    void oraclePriceDigestIsWeb3jsForANegativeFundingIndexAndAHighMarketId() throws Exception {
        String fields = String.join(",", field("market", "uint32"), field("price", "uint64"), field("fundingIndex", "int64"),
                field("timestamp", "uint64"));
        byte[] expected = web3j("OraclePrice", fields,
                "\"market\":4294967295,\"price\":123400,\"fundingIndex\":-9223372036854775808,\"timestamp\":1700000000");
        assertThat(DOMAIN.oraclePriceDigest(-1, 123_400, Long.MIN_VALUE, 1_700_000_000L).bytes()).isEqualTo(expected);
    }

    @Test
    void anOrderDigestCoversAMarketIdAboveTwoToThe31AndABuy() throws Exception {
        String fields = String.join(",", field("trader", "address"), field("market", "uint32"), field("isBuy", "bool"),
                field("price", "uint64"), field("size", "uint64"), field("displaySize", "uint64"), field("timeInForce", "uint8"),
                field("flags", "uint8"), field("peg", "uint8"), field("pegOffset", "int32"), field("expiry", "uint64"),
                field("nonce", "uint64"), field("margin", "uint64"));
        byte[] expected = web3j("Order", fields, ("\"trader\":\"%s\",\"market\":2147483648,\"isBuy\":true,\"price\":100,"
                + "\"size\":2000,\"displaySize\":0,\"timeInForce\":2,\"flags\":6,\"peg\":2,\"pegOffset\":2147483647,"
                + "\"expiry\":0,\"nonce\":0,\"margin\":1").formatted(OWNER));
        Order o = new Order(OWNER, Integer.MIN_VALUE, Side.BUY, 100, 2_000, 0, TimeInForce.FOK, Order.REDUCE_ONLY | Order.MARKET,
                Peg.BOOK, Integer.MAX_VALUE, 0, 0, 1);
        assertThat(DOMAIN.orderDigest(o).bytes()).isEqualTo(expected);
    }

    // ---- canonical signatures: v in {27, 28}, 0 < r < n, 0 < s <= n/2 ----

    private static Signature sig(BigInteger r, BigInteger s, int v) {
        return Signature.of(Numeric.toBytesPadded(r, 32), Numeric.toBytesPadded(s, 32), v);
    }

    @Test
    void theCanonicalFormIsCheckedAtEachBound() {
        BigInteger half = Signature.HALF_N;
        assertThat(sig(BigInteger.ONE, BigInteger.ONE, 27).isCanonical()).isTrue();
        assertThat(sig(BigInteger.ONE, BigInteger.ONE, 28).isCanonical()).isTrue();
        assertThat(sig(BigInteger.ONE, BigInteger.ONE, 26).isCanonical()).isFalse();
        assertThat(sig(BigInteger.ONE, BigInteger.ONE, 29).isCanonical()).isFalse();
        assertThat(sig(BigInteger.ONE, BigInteger.ONE, 0).isCanonical()).isFalse();
        assertThat(sig(BigInteger.ZERO, BigInteger.ONE, 27).isCanonical()).isFalse();
        assertThat(sig(BigInteger.ONE, BigInteger.ZERO, 27).isCanonical()).isFalse();
        assertThat(sig(BigInteger.ONE, half, 27).isCanonical()).isTrue();
        assertThat(sig(BigInteger.ONE, half.add(BigInteger.ONE), 27).isCanonical()).isFalse();
        assertThat(sig(N.subtract(BigInteger.ONE), BigInteger.ONE, 27).isCanonical()).isTrue();
        assertThat(sig(N, BigInteger.ONE, 27).isCanonical()).isFalse();
    }

    @Test
    void aSignatureIsItsSixtyFiveBytesAndNothingElse() {
        Signature a = World.signer(1).sign(Hash32.ZERO);
        byte[] bytes = a.encoded();
        Signature same = new Signature(bytes);
        bytes[0] ^= 1;
        assertThat(same.encoded()).as("the signature copied its input").isNotEqualTo(bytes);
        assertThat(same).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(new Signature(bytes)).isNotEqualTo(a);
        assertThat(a.r()).isEqualTo(Arrays.copyOfRange(a.encoded(), 0, 32));
        assertThat(a.s()).isEqualTo(Arrays.copyOfRange(a.encoded(), 32, 64));
        assertThat(a.v()).isIn(27, 28);
        assertThatThrownBy(() -> new Signature(new byte[64])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Signature(new byte[66])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signerOfHexIsTheSameKey() {
        Signer s = Signer.ofHex("0x" + BigInteger.valueOf(1_000_003L * 2).toString(16));
        assertThat(s.address()).isEqualTo(World.signer(1).address());
    }

    // ---- addresses and hashes: values, unsigned order, hex forms ----

    @Test
    void addressesCompareAsUnsignedBigEndianNumbersAndEqualOnlyTheirOwnBytes() {
        Property.forAll(Gens.bytes(20), Gens.bytes(20)).tries(200).check((a, b) -> {
            Address x = new Address(a);
            Address y = new Address(b);
            int expected = new BigInteger(1, a).compareTo(new BigInteger(1, b));
            assertThat(Integer.signum(x.compareTo(y))).isEqualTo(expected);
            assertThat(x.equals(y)).isEqualTo(expected == 0);
            assertThat(x).isEqualTo(new Address(a.clone())).hasSameHashCodeAs(new Address(a.clone()));
            assertThat(Address.fromHex(x.toString())).isEqualTo(x);
            assertThat(x.toString()).isEqualTo("0x" + java.util.HexFormat.of().formatHex(a));
        });
    }

    @Test
    void addressesAndHashesCopyTheirBytesAndRefuseWrongLengths() {
        byte[] raw = new byte[20];
        raw[19] = (byte) 0xf1;
        Address a = new Address(raw);
        raw[0] = 1;
        assertThat(a).isEqualTo(Address.INSURANCE_FUND);
        a.bytes()[0] = 9;
        assertThat(a).isEqualTo(Address.INSURANCE_FUND);
        assertThat(Address.fromHex("0X00000000000000000000000000000000000000F1")).isEqualTo(a);
        assertThat(Address.fromHex("00000000000000000000000000000000000000f1")).isEqualTo(a);
        assertThat(a).isNotEqualTo(Hash32.ZERO).isNotEqualTo(null);
        assertThatThrownBy(() -> new Address(new byte[19])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Address(new byte[21])).isInstanceOf(IllegalArgumentException.class);

        Hash32 h = Hash32.fromHex("0x" + "ab".repeat(32));
        assertThat(Hash32.fromHex("ab".repeat(32))).isEqualTo(h).hasSameHashCodeAs(h);
        assertThat(h.toString()).isEqualTo("0x" + "ab".repeat(32));
        assertThat(h).isNotEqualTo(Hash32.ZERO).isNotEqualTo(a);
        byte[] hb = h.bytes();
        hb[0] = 0;
        assertThat(h.bytes()[0]).isEqualTo((byte) 0xab);
        assertThatThrownBy(() -> new Hash32(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hash32(new byte[33])).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- enums and flags: codes are protocol ----

    @Test
    void pegAndTimeInForceCodesRoundTripAndUnknownCodesAreNull() {
        for (Peg p : Peg.values()) assertThat(Peg.fromCode(p.code())).isEqualTo(p);
        for (TimeInForce t : TimeInForce.values()) assertThat(TimeInForce.fromCode(t.code())).isEqualTo(t);
        assertThat(new int[] {Peg.NONE.code(), Peg.MARK.code(), Peg.BOOK.code()}).containsExactly(0, 1, 2);
        assertThat(new int[] {TimeInForce.GTC.code(), TimeInForce.IOC.code(), TimeInForce.FOK.code()}).containsExactly(0, 1, 2);
        for (int bad : new int[] {-1, 3, 255}) {
            assertThat(Peg.fromCode(bad)).isNull();
            assertThat(TimeInForce.fromCode(bad)).isNull();
        }
    }

    @Test
    void sidesAndFlags() {
        assertThat(Side.BUY.sign()).isEqualTo(1);
        assertThat(Side.SELL.sign()).isEqualTo(-1);
        assertThat(Side.BUY.opposite()).isEqualTo(Side.SELL);
        assertThat(Side.SELL.opposite()).isEqualTo(Side.BUY);
        for (int flags = 0; flags < 8; flags++) {
            Order o = new Order(OWNER, 1, Side.SELL, 100, 1_000, 0, TimeInForce.GTC, flags, 0, 0, 0);
            assertThat(o.postOnly()).isEqualTo((flags & 1) != 0);
            assertThat(o.reduceOnly()).isEqualTo((flags & 2) != 0);
            assertThat(o.isMarket()).isEqualTo((flags & 4) != 0);
            assertThat(o.isBuy()).isFalse();
            assertThat(o.pegged()).isFalse();
        }
        Order pegged = new Order(OWNER, 1, Side.BUY, 100, 1_000, 0, TimeInForce.GTC, 0, Peg.MARK, -1, 0, 0, 0);
        assertThat(pegged.pegged()).isTrue();
        assertThat(pegged.isBuy()).isTrue();
    }
}
