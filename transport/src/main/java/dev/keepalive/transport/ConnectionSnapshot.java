package dev.keepalive.transport;

/**
 * One pooled connection at the moment of a {@link PoolSnapshot}.
 *
 * @param id the connection's number, unique within the transport
 * @param state {@code "active"}, {@code "idle"} or {@code "connecting"}
 * @param localPort the local TCP port, or -1 before the socket is bound
 * @param ageMillis time since the connection was opened
 * @param idleMillis time since it last finished an exchange (0 while active)
 * @param requests exchanges it has carried
 */
public record ConnectionSnapshot(long id, String state, int localPort, long ageMillis, long idleMillis,
        long requests) {
}
