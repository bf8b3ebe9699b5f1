package dev.keepalive.autoconfigure.actuate;

import dev.keepalive.autoconfigure.KeepAliveAutoConfiguration;
import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link HttpPoolsEndpoint} and
 * {@link HttpBodiesEndpoint}, when Spring Boot's actuator is present and the user made them available, and
 * the {@link ProxyCredentialsSanitizer} that keeps proxy passwords out of Boot's own endpoints.
 */
@AutoConfiguration(after = KeepAliveAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(KeepAliveTransport.class)
public final class KeepAliveEndpointAutoConfiguration {

    KeepAliveEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    HttpPoolsEndpoint httpPoolsEndpoint(KeepAliveTransport transport) {
        return new HttpPoolsEndpoint(transport);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    HttpBodiesEndpoint httpBodiesEndpoint(KeepAliveTransport transport) {
        return new HttpBodiesEndpoint(transport);
    }

    /** Boot's configprops and env endpoints apply every SanitizingFunction bean. */
    @Bean
    SanitizingFunction keepAliveProxyCredentialsSanitizer() {
        return new ProxyCredentialsSanitizer();
    }

}
