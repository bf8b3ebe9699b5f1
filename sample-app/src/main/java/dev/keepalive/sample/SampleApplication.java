package dev.keepalive.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * The keepalive sample: a web app that serves its own upstream routes ({@code /upstream/**}) and calls them
 * through a {@link RestClient} built from Boot's builder, which the keepalive starter puts on its pooled
 * transport. The demo routes ({@code /demo/**}) use that client correctly and leakily side by side; the page
 * at {@code /} shows the pool and the open bodies live.
 */
@SpringBootApplication
@EnableConfigurationProperties(DemoProperties.class)
public class SampleApplication {

    /**
     * Starts the sample.
     * @param args Spring Boot command-line arguments, e.g. {@code --server.port=9090}
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    /**
     * The one client every demo uses. Built from Boot's auto-configured builder, so it runs on the keepalive
     * transport, shares its pool, and is observed by Micrometer like any Boot client.
     * @param builder Boot's builder
     * @return the client
     */
    @Bean
    RestClient demoRestClient(RestClient.Builder builder) {
        return builder.build();
    }

}
