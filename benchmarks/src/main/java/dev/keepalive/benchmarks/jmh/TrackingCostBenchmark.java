package dev.keepalive.benchmarks.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

import dev.keepalive.transport.KeepAliveRequestFactory;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.StackCapture;

/**
 * What following every response body costs (issue 3): one loopback GET of a small body, read and
 * closed, at 16 threads, with body tracking off and with each {@code capture-stack} mode. The server, a
 * {@link FixedResponseServer} on 127.0.0.1, is started and stopped by the benchmark and is the same for every
 * mode, so differences in time per request are the tracker's.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" org.openjdk.jmh.Main TrackingCost -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
public class TrackingCostBenchmark {

    /** {@code off}: tracking off; otherwise the capture-stack mode. */
    @Param({ "off", "never", "sampled", "always" })
    public String tracking;

    private FixedResponseServer server;
    private KeepAliveTransport transport;
    private KeepAliveRequestFactory factory;
    private URI uri;

    @Setup
    public void start() throws IOException {
        this.server = new FixedResponseServer(100);
        this.uri = URI.create("http://127.0.0.1:" + this.server.port() + "/small");
        KeepAliveSettings.Builder settings = KeepAliveSettings.builder();
        if (this.tracking.equals("off")) {
            settings.trackBodies(false);
        }
        else {
            settings.captureStack(StackCapture.valueOf(this.tracking.toUpperCase(java.util.Locale.ROOT)));
        }
        this.transport = KeepAliveTransport.create(settings.build());
        this.factory = this.transport.requestFactory();
    }

    @Benchmark
    public int request() throws IOException {
        try (ClientHttpResponse response = this.factory.createRequest(this.uri, HttpMethod.GET).execute()) {
            InputStream body = response.getBody();
            return body.readAllBytes().length;
        }
    }

    @TearDown
    public void stop() throws IOException {
        this.transport.close();
        this.server.close();
    }
}
