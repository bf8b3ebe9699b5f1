package dev.keepalive.sample;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo routes of design section 7. Each calls the upstream through the keepalive-backed
 * {@code RestClient} in one way, right or wrong, and answers what happened with the lesson. {@code path}
 * defaults to {@code /upstream/bytes/1024} and is resolved against the upstream URL.
 */
@RestController
public class DemoController {

    static final String DEFAULT_PATH = "/upstream/bytes/1024";

    private final CorrectDemo correct;

    private final ReadNoCloseDemo readNoClose;

    private final EarlyCloseDemo earlyClose;

    private final LeakDemo leak;

    private final StormDemo storm;

    /**
     * Creates the routes.
     * @param correct read and close
     * @param readNoClose read to EOF, never close
     * @param earlyClose read some, then close
     * @param leak neither read nor close
     * @param storm leak until the pool is exhausted
     */
    public DemoController(CorrectDemo correct, ReadNoCloseDemo readNoClose, EarlyCloseDemo earlyClose, LeakDemo leak,
            StormDemo storm) {
        this.correct = correct;
        this.readNoClose = readNoClose;
        this.earlyClose = earlyClose;
        this.leak = leak;
        this.storm = storm;
    }

    /**
     * The right way: read the body and close it.
     * @param path the upstream path
     * @return what happened
     */
    @GetMapping("/demo/correct")
    public DemoResult correct(@RequestParam(defaultValue = DEFAULT_PATH) String path) {
        return this.correct.run(path);
    }

    /**
     * Read to EOF, never close.
     * @param path the upstream path
     * @return what happened
     */
    @GetMapping("/demo/read-no-close")
    public DemoResult readNoClose(@RequestParam(defaultValue = DEFAULT_PATH) String path) {
        return this.readNoClose.run(path);
    }

    /**
     * Read {@code read} bytes, then close.
     * @param path the upstream path
     * @param read bytes to read before closing
     * @return what happened, with whether the connection was kept
     */
    @GetMapping("/demo/early-close")
    public DemoResult earlyClose(@RequestParam(defaultValue = DEFAULT_PATH) String path,
            @RequestParam(defaultValue = "100") long read) {
        return this.earlyClose.run(path, read);
    }

    /**
     * Drop the response unread and unclosed.
     * @param path the upstream path
     * @return what happened
     */
    @GetMapping("/demo/leak")
    public DemoResult leak(@RequestParam(defaultValue = DEFAULT_PATH) String path) {
        return this.leak.run(path);
    }

    /**
     * {@code n} leaky calls; 503 with the transport's diagnostic when one of them gets no connection.
     * @param n the number of calls
     * @param path the upstream path
     * @return what happened
     */
    @GetMapping("/demo/storm")
    public ResponseEntity<DemoResult> storm(@RequestParam(defaultValue = "10") int n,
            @RequestParam(defaultValue = DEFAULT_PATH) String path) {
        DemoResult result = this.storm.run(n, path);
        HttpStatus status = (result.error() != null) ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK;
        return ResponseEntity.status(status).body(result);
    }

}
