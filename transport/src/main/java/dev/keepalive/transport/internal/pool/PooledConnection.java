package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;

import dev.keepalive.transport.CloseReason;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One HTTP/1.1 connection of the pool: Apache's connection (the wire protocol) plus what the pool tracks.
 * Its pool fields are guarded by the pool's lock, as each one's comment says; the connection itself is used by
 * the one exchange that holds its lease.
 */
public final class PooledConnection {

    enum State {
        CONNECTING("connecting"), ACTIVE("active"), IDLE("idle"), CLOSED("closed");

        final String key;

        State(String key) {
            this.key = key;
        }
    }

    public final long id;
    public final Route route;
    final RoutePool routePool;
    public final ManagedHttpClientConnection wire;
    final long createdNanos;

    /** Guarded by the pool lock. */
    State state = State.CONNECTING;
    /** The lease it is handed out under; null while idle or closed. Guarded by the pool lock. */
    Lease lease;
    /**
     * Exchanges it carried: hand-outs, less those that failed their idle check before carrying anything.
     * Guarded by the pool lock.
     */
    long requests;
    /** When it last went idle. Guarded by the pool lock. */
    long idleSinceNanos;
    /** When it stops being fit for reuse if it stays idle. Guarded by the pool lock. */
    long idleDeadlineNanos;
    /**
     * Why it was closed. Written once, under the pool lock, by the thread that closes it, which reads it back
     * after releasing the lock to choose how to close the socket ({@code ConnectionPool.closeAll}): nobody
     * writes it again, since only a live connection is closed.
     */
    CloseReason closeReason;
    /**
     * Apache's connection state (a user token such as an NTLM or client-certificate identity) it was released
     * with, {@code null} for none: only a lease for the same state, or one for none if this is none, gets it.
     * Written without the lock by the holder of its lease before it releases the connection (the release takes
     * the lock, which publishes it), read under the pool lock.
     */
    public Object userState;

    private volatile int localPort = -1;

    /** The TCP socket's channel (beneath TLS, if any), for {@link IdleCheck}; null until connected. */
    private volatile SocketChannel channel;

    PooledConnection(long id, RoutePool routePool, ManagedHttpClientConnection wire, long createdNanos) {
        this.id = id;
        this.routePool = routePool;
        this.route = routePool.route();
        this.wire = wire;
        this.createdNanos = createdNanos;
    }

    /**
     * Why this idle connection may no longer be handed out at {@code now}: past its idle deadline, or older
     * than {@code lifetimeNanos}; null while it is fit. Under the pool lock.
     */
    CloseReason expiry(long now, long lifetimeNanos) {
        if (now - this.idleDeadlineNanos >= 0) {
            return CloseReason.IDLE_TIMEOUT;
        }
        if (now - this.createdNanos >= lifetimeNanos) {
            return CloseReason.LIFETIME;
        }
        return null;
    }

    /** Records the connected TCP socket (the one beneath TLS, if any). */
    public void bound(Socket socket) {
        this.localPort = socket.getLocalPort();
        this.channel = socket.getChannel();
    }

    public int localPort() {
        return this.localPort;
    }

    public boolean isOpen() {
        return this.wire.isOpen();
    }

    public void setSocketTimeout(long millis) {
        this.wire.setSocketTimeout(Timeout.ofMilliseconds(millis));
    }

    /**
     * Whether the server closed, reset or wrote to this idle connection; see {@link IdleCheck}. Only for a
     * connection the caller holds exclusively, and never under a lock (it is a system call, not a wait).
     */
    IdleCheck.Result checkIdle() {
        SocketChannel ch = this.channel;
        if (ch == null) {
            return this.wire.isOpen() ? IdleCheck.Result.ALIVE : IdleCheck.Result.CLOSED;
        }
        return IdleCheck.check(ch);
    }

    /** Closes the socket; {@code abort} resets it at once instead of a graceful FIN. Never throws. */
    public void closeWire(boolean abort) {
        try {
            this.wire.close(abort ? CloseMode.IMMEDIATE : CloseMode.GRACEFUL);
        }
        catch (RuntimeException ex) {
            // The socket is released whatever happens: a graceful TLS close writes close_notify, which fails
            // with an unchecked exception while another thread holds the channel non-blocking (an idle check).
            closeChannel();
        }
    }

    private void closeChannel() {
        SocketChannel ch = this.channel;
        if (ch != null) {
            try {
                ch.close();
            }
            catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    @Override
    public String toString() {
        return "connection #" + this.id + " to " + this.route.name();
    }
}
