/**
 * Not API, may change without notice. Response body tracking: the stream the application reads, each body's
 * record and phase, gzip decoding, the leak detector and the housekeeper thread that reclaims leaked
 * connections and sweeps the pool.
 */
package dev.keepalive.transport.internal.body;
