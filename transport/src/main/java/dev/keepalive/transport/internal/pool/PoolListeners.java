package dev.keepalive.transport.internal.pool;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.keepalive.transport.AcquireOutcome;
import dev.keepalive.transport.TransportListener;

/**
 * The pool's {@link TransportListener}s. Copy-on-write, so read without the pool's lock; the pool calls them only
 * with its lock released, since a listener is application code.
 */
final class PoolListeners {

    private final List<TransportListener> listeners = new CopyOnWriteArrayList<>();

    void add(TransportListener listener) {
        this.listeners.add(listener);
    }

    void acquired(Route route, AcquireOutcome outcome, long nanos) {
        if (!this.listeners.isEmpty()) {
            String name = route.name();
            for (TransportListener listener : this.listeners) {
                listener.connectionAcquired(name, outcome, nanos);
            }
        }
    }

    void routesRemoved(List<String> routes) {
        for (String route : routes) {
            for (TransportListener listener : this.listeners) {
                listener.routeRemoved(route);
            }
        }
    }
}
