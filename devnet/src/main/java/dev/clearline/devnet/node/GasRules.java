package dev.clearline.devnet.node;

import java.math.BigInteger;

/** Shanghai gas and fee rules the node applies around the EVM: intrinsic gas, refunds, EIP-1559 base fee. */
final class GasRules {
    static final long TX_GAS = 21_000;
    static final long TX_CREATE_GAS = 53_000;
    static final long ZERO_BYTE_GAS = 4;
    static final long NONZERO_BYTE_GAS = 16;
    static final long INITCODE_WORD_GAS = 2;
    static final long ACCESS_LIST_ADDRESS_GAS = 2_400;
    static final long ACCESS_LIST_KEY_GAS = 1_900;
    static final int MAX_INITCODE_SIZE = 2 * 24_576;
    /** EIP-3529: at most a fifth of the gas used comes back as refund. */
    static final long MAX_REFUND_QUOTIENT = 5;
    static final long ELASTICITY = 2;
    static final long BASE_FEE_CHANGE_DENOMINATOR = 8;

    private GasRules() {}

    static long intrinsicGas(byte[] data, boolean create, int accessListAddresses, int accessListKeys) {
        long gas = create ? TX_CREATE_GAS : TX_GAS;
        for (byte b : data) gas += b == 0 ? ZERO_BYTE_GAS : NONZERO_BYTE_GAS;
        if (create) gas += INITCODE_WORD_GAS * ((data.length + 31L) / 32);
        return gas + accessListAddresses * ACCESS_LIST_ADDRESS_GAS + accessListKeys * ACCESS_LIST_KEY_GAS;
    }

    /** EIP-1559: the base fee moves by up to 1/8 towards keeping blocks half full. */
    static BigInteger nextBaseFee(BigInteger parentBaseFee, long parentGasUsed, long parentGasLimit) {
        long target = parentGasLimit / ELASTICITY;
        if (parentGasUsed == target) return parentBaseFee;
        BigInteger t = BigInteger.valueOf(target);
        BigInteger den = BigInteger.valueOf(BASE_FEE_CHANGE_DENOMINATOR);
        if (parentGasUsed > target) {
            BigInteger delta = parentBaseFee.multiply(BigInteger.valueOf(parentGasUsed - target)).divide(t).divide(den);
            return parentBaseFee.add(delta.max(BigInteger.ONE));
        }
        BigInteger delta = parentBaseFee.multiply(BigInteger.valueOf(target - parentGasUsed)).divide(t).divide(den);
        return parentBaseFee.subtract(delta).max(BigInteger.ZERO);
    }
}
