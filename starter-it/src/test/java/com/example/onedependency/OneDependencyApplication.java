package com.example.onedependency;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * A user's application whose only dependency is the keepalive starter.
 */
@SpringBootApplication
public class OneDependencyApplication {

    /** Calls an upstream the two ways Boot offers. */
    @Component
    static class UpstreamClient {

        private final RestClient restClient;

        private final RestTemplate restTemplate;

        UpstreamClient(RestClient.Builder restClientBuilder, RestTemplateBuilder restTemplateBuilder) {
            this.restClient = restClientBuilder.build();
            this.restTemplate = restTemplateBuilder.build();
        }

        String viaRestClient(String url) {
            return this.restClient.get().uri(url).retrieve().body(String.class);
        }

        String viaRestTemplate(String url) {
            return this.restTemplate.getForObject(url, String.class);
        }

    }

}
