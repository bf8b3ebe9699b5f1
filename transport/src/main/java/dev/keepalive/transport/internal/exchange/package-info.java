/**
 * Not API, may change without notice. The HTTP/1.1 request path: the request and response Spring sees, the
 * engine (retry, redirects), one exchange on one connection and every way its body ends, connecting (TCP,
 * proxy tunnel, TLS) and bounded response-head parsing.
 */
package dev.keepalive.transport.internal.exchange;
