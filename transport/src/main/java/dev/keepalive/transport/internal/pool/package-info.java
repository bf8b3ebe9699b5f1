/**
 * Not API, may change without notice. The connection pool: leases, idle connections and their checks, waiters
 * at a host's cap, counters and snapshots, under one lock.
 */
package dev.keepalive.transport.internal.pool;
