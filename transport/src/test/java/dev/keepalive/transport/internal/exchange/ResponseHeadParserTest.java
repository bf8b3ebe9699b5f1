package dev.keepalive.transport.internal.exchange;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wait for a response head: one object per thread, set up afresh for each head, so that waiting costs no
 * allocation per request and nothing of one exchange leaks into the next. (The timeouts themselves are tested
 * against real peers in the transport's fault tests.)
 */
class ResponseHeadParserTest {

    @Test
    void aThreadWaitsForEveryHeadWithOneObject() throws Exception {
        ResponseHeadParser.HeadWait first;
        try (var wait = ResponseHeadParser.await(null, 1000, 500)) {
            first = wait;
        }
        try (var wait = ResponseHeadParser.await(null, 0, 0)) {
            assertThat(wait).isSameAs(first);
        }
        ResponseHeadParser.HeadWait other = CompletableFuture.supplyAsync(() -> {
            try (var wait = ResponseHeadParser.await(null, 0, 0)) {
                return wait;
            }
        }).get();
        assertThat(other).isNotSameAs(first);
    }

    @Test
    void eachHeadStartsAfresh() {
        try (var wait = ResponseHeadParser.await(null, 1000, 500)) {
            ResponseHeadParser.earlyResponse();
            assertThat(wait.earlyResponse()).isTrue();
        }
        ResponseHeadParser.earlyResponse(); // no head is awaited now: nothing to record
        try (var wait = ResponseHeadParser.await(null, 1000, 500)) {
            assertThat(wait.earlyResponse()).isFalse();
        }
    }
}
