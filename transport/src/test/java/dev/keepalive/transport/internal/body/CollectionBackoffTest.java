package dev.keepalive.transport.internal.body;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The housekeeper asks for a garbage collection less and less often while none finds a dropped response. */
class CollectionBackoffTest {

    private static final long S = 1_000_000_000L;

    @Test
    void doublesTheWaitWhileCollectionsFindNothingAndResetsWhenOneDoes() {
        CollectionBackoff backoff = new CollectionBackoff(5 * S, 40 * S);
        long t = 1000 * S;
        assertThat(backoff.due(t)).isTrue();
        backoff.requested(t, false);
        assertThat(backoff.due(t + 4 * S)).isFalse();
        assertThat(backoff.due(t + 5 * S)).isTrue();

        t += 5 * S;
        backoff.requested(t, false); // the first one found nothing
        assertThat(backoff.intervalNanos()).isEqualTo(10 * S);
        assertThat(backoff.due(t + 9 * S)).isFalse();
        assertThat(backoff.due(t + 10 * S)).isTrue();

        t += 10 * S;
        backoff.requested(t, false);
        assertThat(backoff.intervalNanos()).isEqualTo(20 * S);
        t += 20 * S;
        backoff.requested(t, false);
        assertThat(backoff.intervalNanos()).isEqualTo(40 * S);
        t += 40 * S;
        backoff.requested(t, false);
        assertThat(backoff.intervalNanos()).as("capped").isEqualTo(40 * S);

        t += 40 * S;
        backoff.requested(t, true); // the previous one found a dropped response
        assertThat(backoff.intervalNanos()).isEqualTo(5 * S);
        assertThat(backoff.due(t + 5 * S)).isTrue();
    }
}
