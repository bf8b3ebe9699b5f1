package dev.keepalive.sample;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the demo routes (prefix {@code demo}).
 *
 * @param upstreamUrl the server the demos call, e.g. {@code http://127.0.0.1:9000}; when unset, the sample
 *        calls its own {@code /upstream/**} routes on its own port, so it needs no other process
 */
@ConfigurationProperties("demo")
public record DemoProperties(@Nullable URI upstreamUrl) {
}
