package dev.keepalive.benchmarks;

import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * A started request factory and whatever must be stopped with it (its pool, threads or event loop).
 *
 * @param factory the factory to build a {@code RestClient} on
 * @param resources closed by {@link #close()}
 */
public record RequestFactoryHandle(ClientHttpRequestFactory factory, AutoCloseable resources) implements AutoCloseable {

    /** A factory that holds nothing to stop. */
    public static RequestFactoryHandle unmanaged(ClientHttpRequestFactory factory) {
        return new RequestFactoryHandle(factory, () -> { });
    }

    @Override
    public void close() throws Exception {
        this.resources.close();
    }

    /** Opens a fresh {@link RequestFactoryHandle}; each contender has one. */
    @FunctionalInterface
    public interface Source {

        /** Creates and starts a new factory with its own resources. */
        RequestFactoryHandle open() throws Exception;
    }
}
