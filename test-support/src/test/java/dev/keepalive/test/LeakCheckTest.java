package dev.keepalive.test;

import java.io.IOException;
import java.net.InetAddress;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.StackCapture;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The check's rules that the fixture runs do not reach: overlapping windows (tests in parallel on one
 * transport), the cost when nothing of the test is open, and bad settings.
 */
class LeakCheckTest {

    private static final CheckOptions DEFAULTS = CheckOptions.from((name) -> null);

    private final MockWebServer server = new MockWebServer();
    private KeepAliveTransport transport;
    private ClientHttpResponse held;

    @BeforeEach
    void start() throws IOException {
        this.server.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return new MockResponse.Builder().body("z".repeat(512)).build();
            }
        });
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
        this.transport = KeepAliveTransport.create(KeepAliveSettings.builder().captureStack(StackCapture.ALWAYS).build());
    }

    @AfterEach
    void stop() {
        if (this.held != null) {
            this.held.close();
        }
        this.transport.close();
        this.server.close();
    }

    @Test
    void aBodyStillOpenInAWindowThatAnotherTestOverlappedIsAWarningNotAFailure() throws IOException {
        TestWindow mine = TestWindow.open(this.transport);
        TestWindow neighbour = TestWindow.open(this.transport);
        this.held = open("/neighbours-stream");
        LeakReport report = LeakCheck.end(mine, DEFAULTS, "LeakCheckTest.mine");
        assertThat(report.failed()).isFalse();
        assertThat(report.overlapped()).isTrue();
        assertThat(report.warnings()).singleElement()
                .satisfies((finding) -> assertThat(finding.kind()).isEqualTo(LeakReport.Kind.HELD_OPEN));
        assertThat(report.warningMessage("LeakCheckTest.mine")).contains("Another test ran on this transport at the same time");
        assertThat(LeakCheck.end(neighbour, DEFAULTS, "LeakCheckTest.neighbour").overlapped()).isTrue();
    }

    @Test
    void aLeakInAnOverlappedWindowStillFailsAndSaysWhoElseRan() throws IOException {
        TestWindow mine = TestWindow.open(this.transport);
        TestWindow neighbour = TestWindow.open(this.transport);
        LeakCheck.end(neighbour, DEFAULTS, "LeakCheckTest.neighbour");
        dropOpen();
        LeakReport report = LeakCheck.end(mine, DEFAULTS, "LeakCheckTest.mine");
        assertThat(report.failed()).isTrue();
        assertThat(report.failureMessage()).contains("leaked: dropped")
                .contains("Another test ran on this transport at the same time; some of these bodies may be its.");
    }

    @Test
    void windowsThatFollowEachOtherDoNotOverlap() throws IOException {
        TestWindow first = TestWindow.open(this.transport);
        LeakCheck.end(first, DEFAULTS, "first");
        TestWindow second = TestWindow.open(this.transport);
        this.held = open("/held");
        LeakReport report = LeakCheck.end(second, DEFAULTS, "second");
        assertThat(first.overlapped()).isFalse();
        assertThat(report.overlapped()).isFalse();
        assertThat(report.failed()).isTrue();
        assertThat(report.failureMessage()).doesNotContain("Another test");
    }

    @Test
    void bodiesOpenedBeforeTheWindowAreNotTheTestsAndCostNoWait() throws IOException {
        this.held = open("/before");
        TestWindow window = TestWindow.open(this.transport);
        try (ClientHttpResponse response = open("/during")) {
            response.getBody().readAllBytes();
        }
        long started = System.nanoTime();
        LeakReport report = LeakCheck.end(window, DEFAULTS, "test");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
        assertThat(report.failed()).isFalse();
        assertThat(report.warnings()).isEmpty();
        assertThat(this.transport.openBodies()).isEqualTo(1);
    }

    @Test
    void aCleanWindowIsCheckedWithoutACollection() throws IOException {
        long gcBefore = explicitCollectionsAsked();
        for (int i = 0; i < 50; i++) {
            TestWindow window = TestWindow.open(this.transport);
            try (ClientHttpResponse response = open("/clean")) {
                response.getBody().readAllBytes();
            }
            assertThat(LeakCheck.end(window, DEFAULTS, "clean").failed()).isFalse();
        }
        assertThat(explicitCollectionsAsked()).isEqualTo(gcBefore);
    }

    @Test
    void badSettingsNameTheProperty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CheckOptions.from(Map.of(CheckOptions.LEAK_CHECK, "maybe")::get))
                .withMessage("keepalive.test.leak-check must be 'on' or 'off', not 'maybe'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CheckOptions.from(Map.of(CheckOptions.FAIL_ON_EOF_NOT_CLOSED, "yes")::get))
                .withMessage("keepalive.test.fail-on-eof-not-closed must be 'true' or 'false', not 'yes'");
        assertThat(CheckOptions.from(Map.of(CheckOptions.LEAK_CHECK, "OFF")::get).enabled()).isFalse();
        assertThat(DEFAULTS).isEqualTo(new CheckOptions(true, false, Duration.ofSeconds(2)));
    }

    @Test
    void anOptOutWithoutAReasonIsAnError() throws NoSuchMethodException {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OptOut.find(Excused.class, Excused.class.getDeclaredMethod("blank")))
                .withMessageContaining("Excused.blank needs a reason");
        assertThat(OptOut.find(Excused.class, Excused.class.getDeclaredMethod("given")).reason()).isEqualTo("demo");
        assertThat(OptOut.find(Excused.Inner.class, null).reason()).isEqualTo("whole class");
    }

    @AllowBodyLeaks(reason = "whole class")
    static class Excused {

        @AllowBodyLeaks(reason = " ")
        void blank() {
        }

        @AllowBodyLeaks(reason = "demo")
        void given() {
        }

        class Inner {
        }
    }

    private ClientHttpResponse open(String path) throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + this.server.getPort() + path);
        return this.transport.requestFactory().createRequest(uri, HttpMethod.GET).execute();
    }

    private void dropOpen() throws IOException {
        open("/dropped");
    }

    /** Collections the JVM ran because someone called System.gc(), as far as the collectors tell. */
    private static long explicitCollectionsAsked() {
        long count = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean.getName().contains("Old") || bean.getName().contains("MarkSweep")) {
                count += bean.getCollectionCount();
            }
        }
        return count;
    }
}
