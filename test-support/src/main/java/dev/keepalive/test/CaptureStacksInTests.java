package dev.keepalive.test;

import java.util.List;
import java.util.Map;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Makes the transport of every Spring test context record the opening stack of every body
 * ({@code keepalive.leak-detection.capture-stack=always}), so that a failing test names its line the first
 * time. The test's own inlined properties ({@code @SpringBootTest(properties = ...)},
 * {@code @TestPropertySource(properties = ...)}) still win; the application's configuration does not.
 * Registered through {@code META-INF/spring.factories}; does nothing with {@code keepalive.test.leak-check=off}.
 */
final class CaptureStacksInTests implements ContextCustomizerFactory {

    static final String PROPERTY_SOURCE = "keepaliveTestSupport";
    static final String CAPTURE_STACK = "keepalive.leak-detection.capture-stack";

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return CheckOptions.fromSystemProperties().enabled() ? new Customizer() : null;
    }

    /** Stateless: equal to every other, so it never splits Spring's context cache. */
    private static final class Customizer implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            ConfigurableEnvironment environment = context.getEnvironment();
            if (!CheckOptions.from(environment::getProperty).enabled()) {
                return;
            }
            MapPropertySource source = new MapPropertySource(PROPERTY_SOURCE, Map.of(CAPTURE_STACK, "always"));
            MutablePropertySources sources = environment.getPropertySources();
            String inlined = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;
            if (sources.contains(inlined)) {
                sources.addAfter(inlined, source);
            }
            else {
                sources.addFirst(source);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other != null && other.getClass() == getClass();
        }

        @Override
        public int hashCode() {
            return getClass().hashCode();
        }
    }
}
