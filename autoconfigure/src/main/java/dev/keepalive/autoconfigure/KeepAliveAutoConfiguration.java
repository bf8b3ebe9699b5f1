package dev.keepalive.autoconfigure;

import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} that puts every {@code RestClient} and
 * {@code RestTemplate} built from Spring Boot's auto-configured builders on one shared
 * {@link KeepAliveTransport}.
 * <p>
 * Boot's builders take their request factories from the {@link ClientHttpRequestFactoryBuilder} bean, which
 * Boot defines only when there is none; this configuration therefore runs before Boot's HTTP client and
 * REST client auto-configurations. A user-defined {@code ClientHttpRequestFactoryBuilder} still wins, so does
 * a factory chosen with {@code spring.http.clients.imperative.factory}, and {@code keepalive.enabled=false}
 * turns everything off.
 */
@AutoConfiguration(before = ImperativeHttpClientAutoConfiguration.class,
        beforeName = { "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
                "org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration" })
@ConditionalOnClass({ KeepAliveTransport.class, ClientHttpRequestFactoryBuilder.class })
@ConditionalOnBooleanProperty(name = "keepalive.enabled", matchIfMissing = true)
@Conditional(OnNoExplicitImperativeFactoryCondition.class)
@EnableConfigurationProperties(KeepAliveProperties.class)
public final class KeepAliveAutoConfiguration {

    KeepAliveAutoConfiguration() {
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KeepAliveTransport keepAliveTransport(KeepAliveProperties properties) {
        return KeepAliveTransport.create(KeepAliveSettingsMapper.map(properties));
    }

    @Bean
    @ConditionalOnMissingBean
    ClientHttpRequestFactoryBuilder<?> clientHttpRequestFactoryBuilder(KeepAliveTransport keepAliveTransport,
            ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
        ClientHttpRequestFactoryBuilder<?> builder = new KeepAliveClientHttpRequestFactoryBuilder(keepAliveTransport);
        for (ClientHttpRequestFactoryBuilderCustomizer<?> customizer : customizers.orderedStream().toList()) {
            builder = applyIfApplicable(customizer, builder);
        }
        return builder;
    }

    /**
     * Applies a customizer whose generic type accepts {@code builder}; skips one written for another builder
     * type (such as Boot's HttpComponents builder), as Boot does with its own.
     */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static ClientHttpRequestFactoryBuilder<?> applyIfApplicable(
            ClientHttpRequestFactoryBuilderCustomizer<?> customizer, ClientHttpRequestFactoryBuilder<?> builder) {
        ClientHttpRequestFactoryBuilder fallback = builder;
        return LambdaSafe.callback(ClientHttpRequestFactoryBuilderCustomizer.class, customizer, builder)
            .<ClientHttpRequestFactoryBuilder>invokeAnd((c) -> c.customize(builder))
            .get(fallback);
    }

}
