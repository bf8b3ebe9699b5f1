package dev.keepalive.autoconfigure.metrics;

import dev.keepalive.autoconfigure.KeepAliveAutoConfiguration;
import dev.keepalive.transport.KeepAliveTransport;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link KeepAliveMetrics}, when Micrometer is on the
 * class path. Spring Boot binds every {@link MeterBinder} bean to its meter registries.
 */
@AutoConfiguration(after = KeepAliveAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(KeepAliveTransport.class)
public final class KeepAliveMetricsAutoConfiguration {

    KeepAliveMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    KeepAliveMetrics keepAliveMetrics(KeepAliveTransport transport) {
        return new KeepAliveMetrics(transport);
    }

}
