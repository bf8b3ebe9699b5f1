/**
 * Not API, may change without notice. Which proxy a target goes through: an explicit URL or the environment,
 * {@code NO_PROXY} and {@code http.nonProxyHosts} matching, and the proxy's address and credentials (never
 * shown).
 */
package dev.keepalive.transport.internal.proxy;
