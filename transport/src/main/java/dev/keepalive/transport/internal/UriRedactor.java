package dev.keepalive.transport.internal;

import java.net.URI;

/** Makes a URI fit to show: no user-info, and the query replaced by {@code ?…}, so no secret leaks. */
public final class UriRedactor {

    private UriRedactor() {
    }

    public static String redact(URI uri) {
        if (uri == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(64);
        if (uri.getScheme() != null) {
            sb.append(uri.getScheme()).append(':');
        }
        if (uri.getRawAuthority() != null || uri.getHost() != null) {
            sb.append("//");
            if (uri.getHost() != null) {
                sb.append(uri.getHost());
                if (uri.getPort() != -1) {
                    sb.append(':').append(uri.getPort());
                }
            }
            else {
                // An authority Java could not parse as host:port: drop anything up to '@'.
                String authority = uri.getRawAuthority();
                sb.append(authority.substring(authority.lastIndexOf('@') + 1));
            }
        }
        if (uri.getRawPath() != null) {
            sb.append(uri.getRawPath());
        }
        else if (uri.getScheme() != null && uri.getRawSchemeSpecificPart() != null && uri.isOpaque()) {
            sb.append("…");
        }
        if (uri.getRawQuery() != null) {
            sb.append("?…");
        }
        return sb.toString();
    }
}
