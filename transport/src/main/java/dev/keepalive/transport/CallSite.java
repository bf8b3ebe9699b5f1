package dev.keepalive.transport;

import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the application code that opened a response body: the first frame that is not the JDK, Spring,
 * Apache HttpClient, Micrometer, or keepalive itself. "keepalive itself" means classes loaded from the
 * same place as this class (the transport jar) and the auto-configuration, so that an application's (or a
 * test's) classes in a {@code dev.keepalive} package still count as application code.
 */
final class CallSite {

    private static final StackWalker WALKER = StackWalker.getInstance(
            Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_REFLECT_FRAMES));

    private static final String[] FRAMEWORK_PREFIXES = { "java.", "javax.", "jdk.", "sun.", "com.sun.",
            "org.springframework.", "org.apache.hc.", "io.micrometer.", "kotlin.", "reactor.",
            "dev.keepalive.autoconfigure." };

    private static final java.security.CodeSource OWN_CODE = codeSourceOf(CallSite.class);

    private static final ClassValue<Boolean> FRAMEWORK = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            for (String prefix : FRAMEWORK_PREFIXES) {
                if (name.startsWith(prefix)) {
                    return true;
                }
            }
            java.security.CodeSource code = codeSourceOf(type);
            return OWN_CODE != null && code != null && OWN_CODE.getLocation() != null
                    && OWN_CODE.getLocation().equals(code.getLocation());
        }
    };

    private CallSite() {
    }

    /** The opening application frame of the current call, or {@code null} if every frame is framework. */
    static StackFrame openingFrame() {
        Optional<StackFrame> frame = WALKER.walk((frames) -> frames.filter(CallSite::isApplication).findFirst());
        return frame.orElse(null);
    }

    /** The current stack, from the opening application frame's caller side down, as text lines. */
    static List<String> stack() {
        return WALKER.walk((frames) -> {
            List<String> lines = new ArrayList<>();
            boolean inApplication = false;
            for (StackFrame frame : (Iterable<StackFrame>) frames::iterator) {
                inApplication = inApplication || isApplication(frame);
                if (inApplication) {
                    lines.add(frame.toStackTraceElement().toString());
                }
            }
            return List.copyOf(lines);
        });
    }

    static String describe(StackFrame frame) {
        return frame == null ? "unknown" : frame.toStackTraceElement().toString();
    }

    /** A key that is equal for bodies opened at the same line (class, method, bytecode index). */
    static Object key(StackFrame frame) {
        return frame == null ? null
                : new Key(frame.getDeclaringClass(), frame.getMethodName(), frame.getByteCodeIndex());
    }

    private record Key(Class<?> type, String method, int bci) {
    }

    private static boolean isApplication(StackFrame frame) {
        return !FRAMEWORK.get(frame.getDeclaringClass());
    }

    private static java.security.CodeSource codeSourceOf(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource();
        }
        catch (SecurityException ex) {
            return null;
        }
    }
}
