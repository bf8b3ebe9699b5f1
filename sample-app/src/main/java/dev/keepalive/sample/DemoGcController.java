package dev.keepalive.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /demo/gc}: a demo aid, not something an application does. It asks the JVM for a garbage
 * collection so that the leak detector finds dropped responses now instead of at the next natural GC; the
 * transport then closes their connections in the background, and {@code /actuator/httpbodies} shows them as
 * {@code leaked} (or {@code eofNotClosed}) within a moment.
 */
@RestController
public class DemoGcController {

    private final KeepAliveTransport transport;

    /**
     * Creates the route.
     * @param transport the transport whose open bodies are reported
     */
    public DemoGcController(KeepAliveTransport transport) {
        this.transport = transport;
    }

    /**
     * Runs {@link System#gc()}.
     * @return the open body count before the GC, and a note on what follows
     */
    @PostMapping("/demo/gc")
    public Map<String, Object> gc() {
        BodiesSnapshot before = this.transport.bodies();
        System.gc();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("demo", "gc");
        result.put("openBodiesBefore", before.open());
        result.put("leakedBefore", before.leaked());
        result.put("lesson", "Demo aid: System.gc() lets the leak detector find dropped responses now; their "
                + "connections are closed in the background and the bodies counted as leaked or eofNotClosed.");
        return result;
    }

}
