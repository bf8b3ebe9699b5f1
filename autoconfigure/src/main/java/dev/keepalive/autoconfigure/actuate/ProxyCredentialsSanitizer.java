package dev.keepalive.autoconfigure.actuate;

import java.util.Locale;
import java.util.regex.Pattern;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Keeps proxy credentials out of the {@code configprops} and {@code env} endpoints even where an application
 * shows their values ({@code show-values: always}): the user-info of {@code keepalive.proxy.url} and of the
 * {@code *_PROXY} environment variables keepalive reads is replaced by {@code ******}, host and port stay.
 */
final class ProxyCredentialsSanitizer implements SanitizingFunction {

    /** An optional scheme, then user-info up to the last '@' before the host. */
    private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)?[^/?#\\s]*@");

    @Override
    public SanitizableData apply(SanitizableData data) {
        if (!(data.getValue() instanceof CharSequence value) || !isProxyKey(data.getKey())) {
            return data;
        }
        String masked = USER_INFO.matcher(value).replaceFirst("$1" + SanitizableData.SANITIZED_VALUE + "@");
        return masked.contentEquals(value) ? data : data.withValue(masked);
    }

    private static boolean isProxyKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.equals("keepalive.proxy.url") || lower.equals("http_proxy") || lower.equals("https_proxy");
    }

}
