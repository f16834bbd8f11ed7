package dev.clearline.engine.stf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The reject codes are protocol: dense, append-only, each with a help text. */
class RejectCodesTest {
    @Test
    void codesAreDenseFromOneInDeclarationOrder() {
        Reject[] all = Reject.values();
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i].code()).as(all[i].name()).isEqualTo(i + 1);
            assertThat(all[i].help()).isNotBlank();
        }
    }

    @Test
    void publishedCodesKeepTheirNumbers() {
        assertThat(Reject.BAD_SIGNATURE.code()).isEqualTo(1);
        assertThat(Reject.OVERFLOW.code()).isEqualTo(26);
        assertThat(Reject.BOOK_REJECTED.code()).isEqualTo(31);
        assertThat(Reject.MALFORMED.code()).isEqualTo(32);
    }

    /** Callers (the exchange's mirror, the batch builder, the prover) branch on applied(): a rejection must say no. */
    @Test
    void onlyAnAppliedOutcomeSaysItWasApplied() {
        assertThat(Outcome.APPLIED.applied()).isTrue();
        for (Reject r : Reject.values()) assertThat(new Outcome.Rejected(r).applied()).as(r.name()).isFalse();
    }
}
