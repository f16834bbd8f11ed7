package dev.clearline.evm;

/**
 * The gas of one execution: the message's limit, the part paid up front (intrinsic gas) and whether
 * the refund counter is honoured.
 */
record GasBudget(long limit, long intrinsic, boolean refunds) {
    /** EIP-3529 (London): the refund is at most a fifth of the gas used. */
    static final long MAX_REFUND_QUOTIENT = 5;

    GasBudget {
        if (intrinsic > limit) {
            throw new IllegalArgumentException("intrinsic gas " + intrinsic + " exceeds the limit " + limit);
        }
    }

    /** Gas handed to the EVM. */
    long forExecution() {
        return limit - intrinsic;
    }

    /** Net gas used and refund granted, given the gas the EVM left and its refund counter. */
    Settlement settle(long executionGasLeft, long refundCounter) {
        long gross = limit - executionGasLeft;
        long refund = refunds ? Math.min(refundCounter, gross / MAX_REFUND_QUOTIENT) : 0;
        return new Settlement(gross - refund, refund);
    }

    record Settlement(long gasUsed, long refunded) {}
}
