/**
 * Actuator support for keepalive: the {@code httppools} and {@code httpbodies} endpoints and the
 * {@code keepalive} health indicator.
 */
package dev.keepalive.autoconfigure.actuate;
