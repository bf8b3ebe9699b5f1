package dev.keepalive.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * The next hop of a 3xx response with a {@code Location}, following browsers and Go: 301 and 302 turn a
 * POST into a GET, 303 turns anything but HEAD into a GET, 307 and 308 keep method and body (only when
 * the body can be sent again). Credentials and cookies are not carried to another origin.
 */
record Redirect(String method, URI uri, HttpHeaders headers, RequestBody body) {

    /** Headers never carried to another origin. */
    private static final List<String> CREDENTIALS = List.of("Authorization", "Proxy-Authorization", "Cookie");

    static Redirect of(String method, URI from, HttpHeaders headers, RequestBody body,
            KeepAliveClientHttpResponse response) {
        int status = response.statusCode();
        if (status < 301 || status > 308 || status == 304 || status == 305 || status == 306) {
            return null;
        }
        String location = response.firstHeader(HttpHeaders.LOCATION);
        if (location == null) {
            return null;
        }
        URI target;
        try {
            target = from.resolve(new URI(location));
        }
        catch (URISyntaxException | IllegalArgumentException ex) {
            return null; // an unusable Location: hand the 3xx to the application as it is
        }
        boolean keepsMethod = status == 307 || status == 308;
        if (keepsMethod && body != null && !body.repeatable()) {
            return null;
        }
        String nextMethod = method;
        RequestBody nextBody = body;
        if ((status == 303 && !method.equals("HEAD")) || ((status == 301 || status == 302) && method.equals("POST"))) {
            nextMethod = "GET";
            nextBody = null;
        }
        HttpHeaders nextHeaders = new HttpHeaders(headers);
        if (nextBody == null) {
            nextHeaders.remove(HttpHeaders.CONTENT_TYPE);
            nextHeaders.remove(HttpHeaders.CONTENT_LENGTH);
        }
        if (!sameOrigin(from, target)) {
            CREDENTIALS.forEach(nextHeaders::remove);
        }
        nextHeaders.remove(HttpHeaders.HOST);
        return new Redirect(nextMethod, target, nextHeaders, nextBody);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
    }
}
