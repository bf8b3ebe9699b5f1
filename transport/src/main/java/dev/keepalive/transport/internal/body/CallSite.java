package dev.keepalive.transport.internal.body;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the application code that opened a response body in a stack recorded when it was opened: the
 * first frame that is not the JDK, Spring, Apache HttpClient, Micrometer, or keepalive itself.
 *
 * <p>Recording is a {@code new Throwable()} (the JVM fills in a compact backtrace, about a microsecond);
 * turning it into text happens only when someone looks: a snapshot, a log line, an exception message.
 * "keepalive itself" means classes loaded from the same place as this class (the transport jar) and the
 * auto-configuration, so that an application's or a test's classes in a {@code dev.keepalive} package
 * still count as application code.
 */
final class CallSite {

    static final String UNKNOWN = "unknown";

    private static final String[] FRAMEWORK_PREFIXES = { "java.", "javax.", "jdk.", "sun.", "com.sun.",
            "org.springframework.", "org.apache.hc.", "io.micrometer.", "kotlin.", "reactor.",
            "dev.keepalive.autoconfigure." };

    private static final CodeSource OWN_CODE = codeSourceOf(CallSite.class);

    private static final ClassValue<Boolean> OWN_CLASS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            CodeSource code = codeSourceOf(type);
            return OWN_CODE != null && code != null && OWN_CODE.getLocation() != null
                    && OWN_CODE.getLocation().equals(code.getLocation());
        }
    };

    private final StackTraceElement[] frames;
    private final int first;

    private CallSite(StackTraceElement[] frames) {
        this.frames = frames;
        int index = 0;
        while (index < frames.length && isFramework(frames[index])) {
            index++;
        }
        this.first = index;
    }

    /** Resolves a stack recorded by {@code new Throwable()} at the opening of a body. */
    static CallSite of(Throwable recorded) {
        return new CallSite(recorded.getStackTrace());
    }

    /** The opening application frame, or {@link #UNKNOWN} if every frame is framework. */
    String openedAt() {
        return this.first < this.frames.length ? this.frames[this.first].toString() : UNKNOWN;
    }

    /** The stack from the opening application frame down. */
    List<String> stack() {
        List<String> lines = new ArrayList<>(this.frames.length - Math.min(this.first, this.frames.length));
        for (int i = this.first; i < this.frames.length; i++) {
            lines.add(this.frames[i].toString());
        }
        return List.copyOf(lines);
    }

    private static boolean isFramework(StackTraceElement frame) {
        String name = frame.getClassName();
        for (String prefix : FRAMEWORK_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return name.startsWith("dev.keepalive.transport.") && isOwnClass(name);
    }

    private static boolean isOwnClass(String name) {
        int hidden = name.indexOf("$$"); // a lambda's hidden class: judge it by the class that declared it
        String declaring = hidden > 0 ? name.substring(0, hidden) : name;
        try {
            return OWN_CLASS.get(Class.forName(declaring, false, CallSite.class.getClassLoader()));
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }

    private static CodeSource codeSourceOf(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource();
        }
        catch (SecurityException ex) {
            return null;
        }
    }
}
