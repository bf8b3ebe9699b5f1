package com.example.onedependency;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;
import dev.keepalive.autoconfigure.KeepAliveClientHttpRequestFactoryBuilder;
import dev.keepalive.transport.KeepAliveSettings.HostLimits;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.RouteSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-dependency promise: with only the starter on its class path, an application's
 * {@code RestClient} and {@code RestTemplate} from Boot's builders run on one keepalive pool, tuned from
 * {@code application.yml}, and the optional actuator and Micrometer parts stay out of the way.
 */
@SpringBootTest(classes = OneDependencyApplication.class)
class OneDependencyApplicationTests {

    private static HttpServer upstream;

    @Autowired
    private OneDependencyApplication.UpstreamClient client;

    @Autowired
    private KeepAliveTransport transport;

    @Autowired
    private ApplicationContext context;

    @BeforeAll
    static void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/port", (exchange) -> {
            byte[] body = String.valueOf(exchange.getRemoteAddress().getPort()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop(0);
    }

    private static String route() {
        return "http://127.0.0.1:" + upstream.getAddress().getPort();
    }

    @Test
    void bootsBuildersRunOnOneKeepalivePool() {
        assertThat(this.context.getBean(ClientHttpRequestFactoryBuilder.class))
            .isInstanceOf(KeepAliveClientHttpRequestFactoryBuilder.class);
        String first = this.client.viaRestClient(route() + "/port");
        String second = this.client.viaRestTemplate(route() + "/port");
        assertThat(second).as("both calls on the same client port, so one connection").isEqualTo(first);
        RouteSnapshot pool = this.transport.pool().route(route()).orElseThrow();
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.maxIdleConns()).isEqualTo(4);
    }

    @Test
    void applicationYmlTunesTheTransport() {
        assertThat(this.transport.settings().pool().maxIdleConnsPerHost()).isEqualTo(4);
        assertThat(this.transport.settings().pool().acquireTimeout()).hasSeconds(3);
        assertThat(this.transport.settings().pool().hosts()).containsEntry("api.example.com:443", new HostLimits(8, 2));
    }

    @Test
    void withoutActuatorOrMicrometerThoseBeansAreAbsent() {
        ClassLoader classLoader = getClass().getClassLoader();
        assertThat(ClassUtils.isPresent("org.springframework.boot.actuate.endpoint.annotation.Endpoint", classLoader))
            .isFalse();
        assertThat(ClassUtils.isPresent("io.micrometer.core.instrument.MeterRegistry", classLoader)).isFalse();
        assertThat(this.context.containsBean("httpPoolsEndpoint")).isFalse();
        assertThat(this.context.containsBean("httpBodiesEndpoint")).isFalse();
        assertThat(this.context.containsBean("keepaliveHealthIndicator")).isFalse();
        assertThat(this.context.containsBean("keepAliveMetrics")).isFalse();
    }

}
