package dev.keepalive.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.KeepAliveRequestFactory;
import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.context.ApplicationContext;

/**
 * The transports of a Spring test context and the check's options there, looked up once per context: a
 * context is shared by every test that uses it, and the check must cost nothing per test.
 *
 * @param transports the context's {@link KeepAliveTransport} beans, and those behind its
 *        {@link KeepAliveRequestFactory} beans
 * @param options the options read from the context's {@code Environment}
 */
record SpringContextTransports(List<KeepAliveTransport> transports, CheckOptions options) {

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Weak keys: a context evicted from Spring's cache and closed must not be kept alive here. */
    private static final Map<ApplicationContext, SpringContextTransports> CACHE = new WeakHashMap<>();

    static SpringContextTransports of(ApplicationContext context) {
        LOCK.lock();
        try {
            SpringContextTransports found = CACHE.get(context);
            if (found == null) {
                found = lookUp(context);
                CACHE.put(context, found);
            }
            return found;
        }
        finally {
            LOCK.unlock();
        }
    }

    private static SpringContextTransports lookUp(ApplicationContext context) {
        CheckOptions options = CheckOptions.from(context.getEnvironment()::getProperty);
        List<KeepAliveTransport> transports = new ArrayList<>();
        if (options.enabled()) {
            for (KeepAliveTransport transport : BeanFactoryUtils
                    .beansOfTypeIncludingAncestors(context, KeepAliveTransport.class, false, false).values()) {
                addOnce(transports, transport);
            }
            for (KeepAliveRequestFactory factory : BeanFactoryUtils
                    .beansOfTypeIncludingAncestors(context, KeepAliveRequestFactory.class, false, false).values()) {
                addOnce(transports, factory.transport());
            }
        }
        return new SpringContextTransports(List.copyOf(transports), options);
    }

    private static void addOnce(List<KeepAliveTransport> transports, KeepAliveTransport transport) {
        for (KeepAliveTransport known : transports) {
            if (known == transport) {
                return;
            }
        }
        transports.add(transport);
    }
}
