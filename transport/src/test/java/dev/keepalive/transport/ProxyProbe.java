package dev.keepalive.transport;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The child JVM of {@code ProxyEnvironmentTest}: builds a transport the way an application would, with its
 * proxy from this JVM's environment and system properties ({@code env}) or none ({@code direct}), GETs each
 * URL given and prints one line per URL: {@code OK <status> <route> | <body>} or
 * {@code FAIL <exception> <message>}; {@code START-FAILED <message>} when the settings are refused.
 */
public final class ProxyProbe {

    private ProxyProbe() {
    }

    public static void main(String[] args) {
        ProxyConfig config = args[0].equals("direct") ? ProxyConfig.direct() : ProxyConfig.fromEnvironment();
        KeepAliveSettings settings;
        try {
            settings = KeepAliveSettings.builder().proxy(config).build();
        }
        catch (IllegalArgumentException ex) {
            System.out.println("START-FAILED " + ex.getMessage());
            return;
        }
        try (KeepAliveTransport transport = KeepAliveTransport.create(settings)) {
            KeepAliveRequestFactory factory = transport.requestFactory();
            for (int i = 1; i < args.length; i++) {
                String url = args[i];
                try (ClientHttpResponse response = factory.createRequest(URI.create(url), HttpMethod.GET).execute()) {
                    String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
                    String target = url.substring(0, url.indexOf('/', url.indexOf("//") + 2));
                    String route = transport.pool().routes().stream().map(RouteSnapshot::route)
                            .filter((r) -> r.equals(target) || r.startsWith(target + " via "))
                            .findFirst().orElse("?");
                    System.out.println("OK " + response.getStatusCode().value() + " " + route + " | " + body);
                }
                catch (Exception ex) {
                    System.out.println("FAIL " + ex.getClass().getSimpleName() + " " + ex.getMessage());
                }
            }
        }
    }
}
