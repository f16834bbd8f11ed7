package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A failure in the middle of a run of payments names the ones that went through before it. */
class UserErrorTest {
    @Test
    void aFailureAfterPaymentsNamesThemAndWhatToDoNext() {
        UserError failed = new UserError("cannot escapePosition: the L1 node at http://127.0.0.1:8545 does not answer");
        assertThat(UserError.afterPaid(failed, List.of(), "0.000000", "again")).as("nothing paid: the failure alone").isSameAs(failed);
        UserError named = UserError.afterPaid(failed, List.of("free balance 50.000000", "withdrawal 3 20.000000"), "70.000000",
                "./clearline escape again takes what is left");
        assertThat(named.getMessage()).isEqualTo("cannot escapePosition: the L1 node at http://127.0.0.1:8545 does not answer; paid in this run"
                + " before it: free balance 50.000000, withdrawal 3 20.000000 (70.000000 in all); ./clearline escape again takes what is left");
        assertThat(named.getCause()).isSameAs(failed);
    }
}
