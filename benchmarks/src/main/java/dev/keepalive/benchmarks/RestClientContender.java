package dev.keepalive.benchmarks;

import java.net.URI;

import org.springframework.web.client.RestClient;

/**
 * A {@link RestClient} on one kind of request factory. Every measurement opens a fresh factory, drives
 * it through {@link LoadDriver} and closes it, so no pool or thread outlives its own window.
 */
public final class RestClientContender implements Contender {

    private final String name;
    private final RequestFactoryHandle.Source factories;
    private final LoadDriver driver;
    private final URI baseUri;
    private final boolean decodesGzip;

    /**
     * @param name the label
     * @param factories opens the request factory under test
     * @param driver puts the load on
     * @param baseUri the server, e.g. {@code http://127.0.0.1:8080}
     * @param decodesGzip the factory asks for gzip and hands the application decoded bytes
     */
    public RestClientContender(String name, RequestFactoryHandle.Source factories, LoadDriver driver, URI baseUri,
            boolean decodesGzip) {
        this.name = name;
        this.factories = factories;
        this.driver = driver;
        this.baseUri = baseUri;
        this.decodesGzip = decodesGzip;
    }

    @Override
    public String name() {
        return this.name;
    }

    /** Every blocking client runs on virtual threads; only those that decode gzip run the gzip scenario. */
    @Override
    public boolean canRun(Scenario scenario) {
        return !scenario.gzip() || this.decodesGzip;
    }

    @Override
    public Measurement measure(Scenario scenario, Timing timing, int round) throws Exception {
        try (RequestFactoryHandle handle = this.factories.open()) {
            RestClient client = RestClient.builder().requestFactory(handle.factory()).build();
            return this.driver.run(this.name, client, this.baseUri.resolve(scenario.path()), scenario, timing, round);
        }
    }
}
