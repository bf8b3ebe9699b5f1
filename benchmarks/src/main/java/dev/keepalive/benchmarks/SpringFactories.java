package dev.keepalive.benchmarks;

import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.JettyClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;

/** The request factories that Spring Framework ships, each set up as a user would, or as named. */
public final class SpringFactories {

    /** Pool caps of the tuned Apache client: total and per route. */
    public static final int TUNED_APACHE_CONNECTIONS = 200;

    private SpringFactories() {
    }

    /** {@link HttpComponentsClientHttpRequestFactory} as constructed, with Apache HttpClient 5's own defaults. */
    public static RequestFactoryHandle apacheDefaults() {
        HttpComponentsClientHttpRequestFactory factory = new HttpComponentsClientHttpRequestFactory();
        return new RequestFactoryHandle(factory, factory::destroy);
    }

    /** {@link HttpComponentsClientHttpRequestFactory} on a pool of 200 connections total and per route. */
    public static RequestFactoryHandle apacheTuned() {
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(TUNED_APACHE_CONNECTIONS)
                .setMaxConnPerRoute(TUNED_APACHE_CONNECTIONS)
                .build();
        HttpComponentsClientHttpRequestFactory factory = new HttpComponentsClientHttpRequestFactory(
                HttpClients.custom().setConnectionManager(pool).build());
        return new RequestFactoryHandle(factory, factory::destroy);
    }

    /**
     * {@link JdkClientHttpRequestFactory} on a JDK {@link HttpClient} forced to HTTP/1.1, with an executor
     * that is shut down with it (a JDK 17 client cannot be closed itself).
     */
    public static RequestFactoryHandle jdkHttp11() {
        ExecutorService executor = Executors.newCachedThreadPool((r) -> {
            Thread t = new Thread(r, "bench-jdk-client");
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
        return new RequestFactoryHandle(new JdkClientHttpRequestFactory(client), executor::shutdownNow);
    }

    /** {@link SimpleClientHttpRequestFactory}: {@code HttpURLConnection} with the JDK's keep-alive cache. */
    public static RequestFactoryHandle simple() {
        return RequestFactoryHandle.unmanaged(new SimpleClientHttpRequestFactory());
    }

    /** {@link JettyClientHttpRequestFactory} with its own Jetty {@code HttpClient}, started here. */
    public static RequestFactoryHandle jetty() throws Exception {
        JettyClientHttpRequestFactory factory = new JettyClientHttpRequestFactory();
        factory.afterPropertiesSet();
        return new RequestFactoryHandle(factory, factory::destroy);
    }

    /**
     * {@link ReactorClientHttpRequestFactory} with Reactor Netty's defaults (its global resources, which
     * outlive the factory; it is running as constructed).
     */
    public static RequestFactoryHandle reactor() {
        ReactorClientHttpRequestFactory factory = new ReactorClientHttpRequestFactory();
        return new RequestFactoryHandle(factory, factory::stop);
    }
}
