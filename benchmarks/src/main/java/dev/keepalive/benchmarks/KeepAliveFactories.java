package dev.keepalive.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Opens keepalive's request factory: {@code KeepAliveTransport.create(settings).requestFactory()}.
 *
 * <p>Bound by reflection so that the harness builds and runs against a transport jar that does not have
 * {@code KeepAliveTransport} yet; {@link #available()} tells whether it does. The settings are the
 * defaults of design §4, optionally with another {@code leak-detection.capture-stack}.
 */
public final class KeepAliveFactories {

    private static final String PACKAGE = "dev.keepalive.transport.";

    private KeepAliveFactories() {
    }

    /** Whether the transport on the class path has {@code KeepAliveTransport}. */
    public static boolean available() {
        try {
            Class.forName(PACKAGE + "KeepAliveTransport");
            return true;
        }
        catch (ClassNotFoundException ex) {
            return false;
        }
    }

    /**
     * Creates a transport with the default settings, or with {@code captureStack} set when not null.
     *
     * @param captureStack a {@code StackCapture} constant name ({@code NEVER}, {@code SAMPLED},
     * {@code ALWAYS}), or {@code null} for the default
     */
    public static RequestFactoryHandle open(String captureStack) throws ReflectiveOperationException {
        Class<?> settingsType = Class.forName(PACKAGE + "KeepAliveSettings");
        Object builder = settingsType.getMethod("builder").invoke(null);
        if (captureStack != null) {
            Class<?> captureType = Class.forName(PACKAGE + "StackCapture");
            call(builder, "captureStack", captureType, captureType.getField(captureStack).get(null));
        }
        Object settings = call(builder, "build", null, null);
        Class<?> transportType = Class.forName(PACKAGE + "KeepAliveTransport");
        Object transport = invoke(transportType.getMethod("create", settingsType), null, settings);
        ClientHttpRequestFactory factory = (ClientHttpRequestFactory) invoke(
                transportType.getMethod("requestFactory"), transport);
        return new RequestFactoryHandle(factory, (AutoCloseable) transport);
    }

    private static Object call(Object target, String name, Class<?> parameterType, Object argument)
            throws ReflectiveOperationException {
        if (parameterType == null) {
            return invoke(target.getClass().getMethod(name), target);
        }
        return invoke(target.getClass().getMethod(name, parameterType), target, argument);
    }

    private static Object invoke(Method method, Object target, Object... arguments) throws ReflectiveOperationException {
        try {
            return method.invoke(target, arguments);
        }
        catch (InvocationTargetException ex) {
            if (ex.getCause() instanceof Exception cause) {
                throw new IllegalStateException("keepalive: " + method.getName() + " failed", cause);
            }
            throw ex;
        }
    }
}
