package dev.keepalive.transport.internal.body;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where a {@link TrackedBody} reports how its body ends: at EOF, by a failed read or a corrupt decoding, or by
 * a close. The exchange that produced the body implements it, because it owns the connection and so decides
 * what happens to it (back to the pool, drained, or closed). An interface owned here so that body tracking
 * does not depend on the exchange code above it.
 */
public interface BodyEnd {

    /**
     * The reader, holding {@link OpenBody#READING}, reached EOF. False when a close on another thread ended the
     * body first; the read must then fail.
     */
    boolean readToEof(OpenBody body);

    /**
     * A decoder over the body, holding no read ({@link OpenBody#OPEN}), saw the decoded body end at the end of
     * the wire. False when a close on another thread ended the body first.
     */
    boolean decodedToEof(OpenBody body);

    /** A read failed or the body was found corrupt, with {@code from} the phase held; the application's exception. */
    IOException failed(OpenBody body, int from, IOException cause);

    /** The exception for a read that a close on another thread ended. */
    IOException closedUnderRead(Throwable cause);

    /** The application closed the body, on the reading thread or any other. */
    void bodyClosed(OpenBody body, InputStream wire);

    /** What the body belongs to, for messages: the request (its URI redacted) and the connection. */
    String describe();
}
