package dev.keepalive.transport;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;

/**
 * Records the JFR event {@code jdk.VirtualThreadPinned} (JDK 21+): a virtual thread that blocked while
 * pinned to its carrier, e.g. inside {@code synchronized}. Keeps the stacks that run through keepalive and
 * were pinned by a held monitor.
 */
final class PinningRecorder {

    private final RecordingStream stream = new RecordingStream();
    private final Queue<String> pinnedInKeepalive = new ConcurrentLinkedQueue<>();
    private final Queue<String> reasons = new ConcurrentLinkedQueue<>();

    private PinningRecorder() {
        this.stream.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
        this.stream.onEvent("jdk.VirtualThreadPinned", (event) -> {
            if (event.getStackTrace() == null) {
                return;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            StringBuilder stack = new StringBuilder();
            boolean ours = false;
            for (RecordedFrame frame : frames) {
                String type = frame.getMethod().getType().getName();
                ours |= type.startsWith("dev.keepalive.transport.") && !type.endsWith("Test");
                stack.append("\n  at ").append(type).append('.').append(frame.getMethod().getName());
            }
            String reason = event.hasField("pinnedReason") ? event.getString("pinnedReason") : "unknown";
            // Class loading and initialization pin for a moment on first use; that is the JVM's, not ours.
            boolean monitor = reason.toLowerCase(java.util.Locale.ROOT).contains("monitor") || reason.equals("unknown");
            if (ours && monitor) {
                this.pinnedInKeepalive.add(reason + stack);
            }
            this.reasons.add(reason);
        });
        this.stream.startAsync();
    }

    static PinningRecorder start() {
        return new PinningRecorder();
    }

    /** Stops recording; returns the pinned stacks that ran through keepalive. */
    List<String> stop() {
        this.stream.close();
        System.out.println("virtual-thread pinning events by reason: " + this.reasons.stream()
                .collect(java.util.stream.Collectors.groupingBy((r) -> r, java.util.stream.Collectors.counting())));
        return List.copyOf(this.pinnedInKeepalive);
    }
}
