package dev.keepalive.sample;

import java.util.Map;

import dev.keepalive.transport.PoolExhaustedException;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.client.ResourceAccessException;

/**
 * Turns the sample's failures into JSON answers: a demo that got no connection answers 503 with the
 * transport's {@link PoolExhaustedException} message as {@code error}; an unreachable upstream 502; a bad
 * parameter 400.
 */
@RestControllerAdvice
public class DemoErrorHandler {

    static final String EXHAUSTED_LESSON = "The pool for this host is at max-conns-per-host, held by bodies "
            + "nobody closed: the message names the line that opened them.";

    /**
     * A client call failed on the way to the upstream.
     * @param ex what the client threw
     * @param request the demo request, whose path names the demo
     * @return 503 with the diagnostic when the pool was exhausted, else 502 with the failure
     */
    @ExceptionHandler(ResourceAccessException.class)
    public ResponseEntity<DemoResult> upstreamFailed(ResourceAccessException ex, HttpServletRequest request) {
        String demo = request.getRequestURI().substring(request.getRequestURI().lastIndexOf('/') + 1);
        return PoolExhaustion.in(ex)
            .map((exhausted) -> ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(new DemoResult(demo, exhausted.route(), null, 503, 0, null, null, null, null,
                        exhausted.getMessage(), EXHAUSTED_LESSON)))
            .orElseGet(() -> ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                .body(new DemoResult(demo, null, null, 502, 0, null, null, null, null, String.valueOf(ex.getMessage()),
                        "The upstream could not be reached; check demo.upstream-url.")));
    }

    /**
     * A parameter out of range.
     * @param ex the complaint
     * @return 400 with the message
     */
    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(Map.of("error", String.valueOf(ex.getMessage())));
    }

}
