package dev.keepalive.transport.internal.exchange;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * The next hop of a 3xx response with a {@code Location}, as Go's client follows it: 301, 302 and 303 turn
 * every method but GET and HEAD into a GET and never send a body again; 307 and 308 keep method and body,
 * but only when the body can be sent a second time, and otherwise the redirect response itself goes to the
 * application (resending a body that was already read would send nothing, or the wrong bytes). Credentials
 * and cookies are not carried to another origin.
 */
record Redirect(String method, URI uri, HttpHeaders headers, RequestBody body) {

    /** Headers never carried to another origin. */
    private static final List<String> CREDENTIALS = List.of("Authorization", "Proxy-Authorization", "Cookie");

    /** Headers that describe the request body, dropped with it. */
    private static final List<String> BODY_HEADERS = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_LENGTH,
            HttpHeaders.CONTENT_ENCODING, HttpHeaders.CONTENT_LANGUAGE, HttpHeaders.TRANSFER_ENCODING);

    /** The hop to follow, or {@code null} when {@code response} goes to the application as it is. */
    static Redirect of(String method, URI from, HttpHeaders headers, RequestBody body,
            KeepAliveClientHttpResponse response) {
        int status = response.statusCode();
        boolean keepsMethodAndBody = status == 307 || status == 308;
        if (!keepsMethodAndBody && status != 301 && status != 302 && status != 303) {
            return null;
        }
        if (keepsMethodAndBody && body != null && !body.repeatable()) {
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
        String nextMethod = method;
        RequestBody nextBody = body;
        if (!keepsMethodAndBody) {
            nextBody = null;
            if (!method.equals("GET") && !method.equals("HEAD")) {
                nextMethod = "GET";
            }
        }
        HttpHeaders nextHeaders = new HttpHeaders(headers);
        if (nextBody == null) {
            BODY_HEADERS.forEach(nextHeaders::remove);
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
