package dev.keepalive.transport.internal.pool;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Design §3 rule 16, the learning rule alone, on explicit clock values: the smallest recent close age less a
 * margin limits idle time; a longer successful reuse or five minutes forget it; too short a close teaches nothing.
 */
class LearnedIdleTimeoutTest {

    private static final long START = 123_456_789L;

    private final LearnedIdleTimeout learned = new LearnedIdleTimeout();

    @Test
    void nothingObservedLimitsNothing() {
        assertThat(this.learned.limitNanos(START)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theSmallestRecentCloseAgeLessAnEighthLimitsIdleTime() {
        this.learned.closedAfter(ms(1200), START);
        this.learned.closedAfter(ms(1000), START + ms(5000));
        this.learned.closedAfter(ms(1100), START + ms(9000));
        assertThat(this.learned.limitNanos(START + ms(10_000))).isEqualTo(ms(875));
    }

    @Test
    void neverLessThanTwentyMillisecondsBelowTheClose() {
        this.learned.closedAfter(ms(120), START);
        assertThat(this.learned.limitNanos(START)).as("an eighth of 120 ms is less than 20").isEqualTo(ms(100));
    }

    @Test
    void closesAfterLessThanAHundredMillisecondsTeachNothing() {
        this.learned.closedAfter(ms(99), START);
        assertThat(this.learned.limitNanos(START)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aSuccessfulReuseAtLeastAsLongForgetsTheClose() {
        this.learned.closedAfter(ms(500), START);
        this.learned.reusedAfter(ms(499));
        assertThat(this.learned.limitNanos(START)).as("a shorter reuse proves nothing against it")
                .isEqualTo(ms(500) - ms(500) / 8);
        this.learned.reusedAfter(ms(500));
        assertThat(this.learned.limitNanos(START)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anObservationIsForgottenAfterFiveMinutes() {
        this.learned.closedAfter(ms(500), START);
        long forget = START + LearnedIdleTimeout.FORGET_NANOS;
        assertThat(this.learned.limitNanos(forget - 1)).isEqualTo(ms(500) - ms(500) / 8);
        assertThat(this.learned.limitNanos(forget)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aLargerCloseReplacesAnObservationTooOldToKeep() {
        this.learned.closedAfter(ms(200), START);
        this.learned.closedAfter(ms(1000), START + ms(1000));
        assertThat(this.learned.limitNanos(START + ms(1000))).as("the smaller recent one stays")
                .isEqualTo(ms(200) - ms(25));
        long later = START + LearnedIdleTimeout.FORGET_NANOS + ms(1);
        this.learned.closedAfter(ms(1000), later);
        assertThat(this.learned.limitNanos(later)).isEqualTo(ms(875));
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
