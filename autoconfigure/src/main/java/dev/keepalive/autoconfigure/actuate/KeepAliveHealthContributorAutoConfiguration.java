package dev.keepalive.autoconfigure.actuate;

import dev.keepalive.autoconfigure.KeepAliveAutoConfiguration;
import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link KeepAliveHealthIndicator}, shown as
 * {@code keepalive} under the health endpoint. Off with {@code management.health.keepalive.enabled=false}.
 */
@AutoConfiguration(after = KeepAliveAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(KeepAliveTransport.class)
@ConditionalOnEnabledHealthIndicator("keepalive")
public final class KeepAliveHealthContributorAutoConfiguration {

    KeepAliveHealthContributorAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "keepaliveHealthIndicator")
    KeepAliveHealthIndicator keepaliveHealthIndicator(KeepAliveTransport transport) {
        return new KeepAliveHealthIndicator(transport);
    }

}
