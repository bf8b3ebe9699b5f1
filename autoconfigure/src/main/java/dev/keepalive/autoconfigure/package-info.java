/**
 * Auto-configuration that runs Spring Boot's {@code RestClient} and {@code RestTemplate} builders on the
 * keepalive transport, and its {@code keepalive.*} properties.
 */
package dev.keepalive.autoconfigure;
