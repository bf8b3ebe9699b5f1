package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.keepalive.transport.CloseReason;

/**
 * What the server did to a connection while it sat idle, seen without blocking: Go's {@code readLoop} keeps
 * a read pending on every idle connection and so learns of the server's close at once; this is the same
 * question asked at the moment it matters (before reuse, and on the housekeeper's sweep).
 *
 * <p>The socket's channel is switched to non-blocking for one read and back: {@code -1} is the server's FIN,
 * an exception its reset, a byte anything the server sent unasked (a TLS alert such as {@code close_notify},
 * or garbage), and no byte means the connection is alive. Only an idle connection that the caller holds
 * exclusively may be checked: nobody else reads it, and HttpCore's blocking streams never see it in
 * non-blocking mode. On TLS the read goes beneath the TLS layer; that is safe because an idle connection has
 * no record left half-read (the engine reads whole records, and the last response was read to its end), and
 * a byte found there is never handed to TLS: the connection is closed instead of reused.
 */
final class IdleCheck {

    /** The outcome of one check. */
    enum Result {
        /** Nothing arrived: the connection may be reused. */
        ALIVE,
        /** The server closed its side (FIN). */
        CLOSED,
        /** The connection was reset or failed. */
        RESET,
        /** The server sent bytes on a connection with no request in flight. */
        UNEXPECTED_BYTES;

        boolean reusable() {
            return this == ALIVE;
        }

        /**
         * How a connection that failed the check is counted: the server's FIN or reset, or on TLS a record (a
         * close alert), is the server closing; bytes on an idle plain connection break the protocol.
         */
        CloseReason closeReason(Route route) {
            return this == UNEXPECTED_BYTES && !route.secure() ? CloseReason.ERROR : CloseReason.SERVER_CLOSE;
        }
    }

    private IdleCheck() {
    }

    /** Checks {@code channel}, which nobody else uses meanwhile; never blocks, never throws. */
    static Result check(SocketChannel channel) {
        try {
            channel.configureBlocking(false);
            int read;
            try {
                read = channel.read(ByteBuffer.allocate(1));
            }
            finally {
                channel.configureBlocking(true);
            }
            return read < 0 ? Result.CLOSED : read > 0 ? Result.UNEXPECTED_BYTES : Result.ALIVE;
        }
        catch (IOException | RuntimeException ex) {
            return Result.RESET; // reset, or closed under us (shutdown): not reusable either way
        }
    }
}
