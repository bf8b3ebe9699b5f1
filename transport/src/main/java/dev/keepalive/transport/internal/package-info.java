/**
 * The transport's internals: not API. Every type here and in the packages below may change or go away in
 * any release without notice; applications use {@code dev.keepalive.transport} only. Types are public only
 * where another internal package needs them.
 *
 * <p>{@code pool} holds the connections, {@code body} tracks response bodies and finds leaks,
 * {@code exchange} runs one request over a pooled connection, {@code proxy} picks the proxy. Dependencies run
 * one way: {@code exchange} uses {@code body}, which uses {@code pool}; {@code pool} and {@code exchange} use
 * {@code proxy}, which uses none of them; this package ({@link UriRedactor}) is used by all.
 */
package dev.keepalive.transport.internal;
