package dev.clearline.sequencer.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets on a clock the test moves: bursts, refills, and buckets of clients gone dropped without forgetting those still limited. */
class RateLimiterTest {
    final AtomicLong clock = new AtomicLong();

    @Test
    void aBurstIsGrantedThenTheWaitIsNamedAndTheBucketRefillsWithTime() {
        RateLimiter limiter = new RateLimiter(10, 3, clock::get);
        for (int i = 0; i < 3; i++) assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).as("ms until the next token at 10/s").isEqualTo(100);
        assertThat(limiter.acquire("b")).as("another key has its own bucket").isZero();
        clock.addAndGet(100_000_000);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isPositive();
    }

    @Test
    void bucketsOfClientsGoneAreDroppedAndALimitedClientStaysLimited() {
        RateLimiter limiter = new RateLimiter(10, 3, clock::get);
        for (int i = 0; i < 3; i++) limiter.acquire("flooder");
        for (int i = 0; i < 3 * RateLimiter.SWEEP_EVERY; i++) {
            limiter.acquire("passer-by " + i); // one request each, then gone
            if (i % 10 == 0) clock.addAndGet(1_000_000); // 1 ms per ten clients: a bucket refills in 100 ms, a thousand clients later
        }
        assertThat(limiter.size()).as("the refilled buckets were dropped; only the last 100 ms of clients are kept").isLessThan(RateLimiter.SWEEP_EVERY / 2);
        // the flooder's bucket refilled meanwhile (over 100 ms went by): it is free again, as a new bucket would be
        assertThat(limiter.acquire("flooder")).isZero();
        for (int i = 0; i < 2; i++) limiter.acquire("flooder");
        for (int i = 0; i < RateLimiter.SWEEP_EVERY; i++) limiter.acquire("another " + i); // a sweep with the clock still
        assertThat(limiter.acquire("flooder")).as("a drained bucket is not dropped, so its client stays limited").isPositive();
    }
}
