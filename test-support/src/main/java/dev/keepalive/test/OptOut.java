package dev.keepalive.test;

import java.lang.reflect.Method;

/**
 * Finds the {@link AllowBodyLeaks} that excuses a test: on the method, else on its class, a superclass
 * ({@code @Inherited}) or an enclosing class of a {@code @Nested} class.
 */
final class OptOut {

    private OptOut() {
    }

    /** The annotation that excuses the test, or null; one with a blank reason is an error. */
    static AllowBodyLeaks find(Class<?> testClass, Method testMethod) {
        AllowBodyLeaks found = testMethod != null ? testMethod.getAnnotation(AllowBodyLeaks.class) : null;
        for (Class<?> type = testClass; found == null && type != null; type = type.getEnclosingClass()) {
            found = type.getAnnotation(AllowBodyLeaks.class);
        }
        if (found != null && found.reason().isBlank()) {
            throw new IllegalArgumentException("@AllowBodyLeaks on " + testClass.getName()
                    + (testMethod != null ? "." + testMethod.getName() : "") + " needs a reason: say why this test"
                    + " may leave response bodies open");
        }
        return found;
    }
}
