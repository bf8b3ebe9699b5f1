package dev.keepalive.sample;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.util.Optional;

import dev.keepalive.transport.TrackedResponse;

import org.springframework.http.client.ClientHttpResponse;

/**
 * Finds the keepalive {@link TrackedResponse} behind a response that Spring handed to application code.
 * Every response made by the keepalive request factory is one, but {@code RestClient.exchange(...)} hands
 * out a private wrapper around it; this looks through wrappers by following their {@link ClientHttpResponse}
 * fields. A sample-only convenience to show {@code connectionReused}: applications do not need it.
 */
public final class TrackedResponses {

    private static final int MAX_DEPTH = 4;

    private TrackedResponses() {
    }

    /**
     * The tracked response behind {@code response}.
     * @param response a response as Spring handed it over
     * @return the keepalive response it wraps, or empty when it is not a keepalive response
     */
    public static Optional<TrackedResponse> of(ClientHttpResponse response) {
        return find(response, 0);
    }

    private static Optional<TrackedResponse> find(Object candidate, int depth) {
        if (candidate instanceof TrackedResponse tracked) {
            return Optional.of(tracked);
        }
        if (candidate == null || depth >= MAX_DEPTH) {
            return Optional.empty();
        }
        for (Class<?> type = candidate.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (ClientHttpResponse.class.isAssignableFrom(field.getType())) {
                    Optional<TrackedResponse> found = find(read(field, candidate), depth + 1);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Object read(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        }
        catch (IllegalAccessException | InaccessibleObjectException | SecurityException ex) {
            return null;
        }
    }

}
