package dev.keepalive.transport;

import java.io.IOException;
import java.net.Socket;

import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One HTTP/1.1 connection of the pool: Apache's connection (the wire protocol) plus what the pool tracks.
 * Its pool fields ({@link #state}, {@link #requests}, {@link #idleSinceNanos}, {@link #idleDeadlineNanos})
 * are guarded by the pool's lock; the connection itself is used by one exchange at a time.
 */
final class PooledConnection {

    enum State {
        CONNECTING("connecting"), ACTIVE("active"), IDLE("idle"), CLOSED("closed");

        final String key;

        State(String key) {
            this.key = key;
        }
    }

    final long id;
    final Route route;
    final RoutePool routePool;
    final ManagedHttpClientConnection wire;
    final long createdNanos;

    // Guarded by the pool lock.
    State state = State.CONNECTING;
    long idleSinceNanos;
    long idleDeadlineNanos;
    CloseReason closeReason;

    /** Exchanges carried; written only by the exchange that holds the connection. */
    volatile long requests;

    private volatile int localPort = -1;

    PooledConnection(long id, RoutePool routePool, ManagedHttpClientConnection wire, long createdNanos) {
        this.id = id;
        this.routePool = routePool;
        this.route = routePool.route;
        this.wire = wire;
        this.createdNanos = createdNanos;
    }

    void bound(Socket socket) {
        this.localPort = socket.getLocalPort();
    }

    int localPort() {
        return this.localPort;
    }

    boolean isOpen() {
        return this.wire.isOpen();
    }

    void setSocketTimeout(long millis) {
        this.wire.setSocketTimeout(Timeout.ofMilliseconds(millis));
    }

    /** True when the peer has closed or sent unexpected bytes; a short read, so never under a lock. */
    boolean isStale() {
        try {
            return this.wire.isStale();
        }
        catch (IOException ex) {
            return true;
        }
    }

    /** Closes the socket; {@code abort} resets it at once instead of a graceful FIN. Never throws. */
    void closeWire(boolean abort) {
        this.wire.close(abort ? CloseMode.IMMEDIATE : CloseMode.GRACEFUL);
    }

    @Override
    public String toString() {
        return "connection #" + this.id + " to " + this.route.name();
    }
}
