package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link BundleSslContexts}: one context per bundle object, whoever asks first, and no memory
 * kept for bundles that are gone.
 */
class BundleSslContextsTests {

    private final BundleSslContexts contexts = new BundleSslContexts();

    @Test
    void oneBundleHasOneContextAndAnotherBundleItsOwn() {
        SslBundle bundle = SslBundle.of(SslStoreBundle.NONE);
        SSLContext first = this.contexts.contextOf(bundle);
        assertThat(this.contexts.contextOf(bundle)).isSameAs(first);
        assertThat(this.contexts.contextOf(SslBundle.of(SslStoreBundle.NONE))).isNotSameAs(first);
    }

    @Test
    void racingCallersAllGetTheSameContext() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                SslBundle bundle = SslBundle.of(SslStoreBundle.NONE);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<SSLContext>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Callable<SSLContext> call = () -> {
                        start.await();
                        return this.contexts.contextOf(bundle);
                    };
                    results.add(pool.submit(call));
                }
                SSLContext expected = results.get(0).get();
                for (Future<SSLContext> result : results) {
                    assertThat(result.get()).isSameAs(expected);
                }
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBundleNoLongerUsedIsForgotten() {
        this.contexts.contextOf(SslBundle.of(SslStoreBundle.NONE));
        assertThat(this.contexts.size()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return this.contexts.size() == 0;
        });
    }

}
