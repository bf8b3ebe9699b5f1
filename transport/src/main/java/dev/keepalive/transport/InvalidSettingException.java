package dev.keepalive.transport;

import java.util.Objects;

/**
 * A {@link KeepAliveSettings} value that breaks one of its rules. {@link #setting()} names the setting as the
 * {@code keepalive.*} property does, without the prefix ({@code max-conns-per-host}, {@code drain.max-bytes},
 * {@code hosts[api.example.com:443].max-idle-conns}, {@code proxy.url}), so that a configuration layer can
 * point at the property it was read from by adding its own prefix. No message or {@link #value()} ever holds a
 * credential: a value that may carry one (the proxy URL) is withheld, see {@link #valueShown()}.
 */
public class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;

    private final transient Object value;

    private final boolean valueShown;

    private final String reason;

    private InvalidSettingException(String setting, Object value, boolean valueShown, String reason, String message) {
        super(message);
        this.setting = Objects.requireNonNull(setting, "setting");
        this.value = value;
        this.valueShown = valueShown;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * A value that may be shown.
     *
     * @param setting the setting's name, as {@link #setting()}
     * @param value the offending value ({@code null} when it was missing)
     * @param reason what is wrong, a predicate such as {@code "must not be negative"}
     */
    public InvalidSettingException(String setting, Object value, String reason) {
        this(setting, value, true, reason, setting + " " + reason + ", but was " + value);
    }

    /**
     * A value that is withheld because it may hold a credential.
     *
     * @param setting the setting's name, as {@link #setting()}
     * @param message the whole message, which starts with {@code setting} and shows of the value only what is
     * safe (a URL without its user-info, say)
     */
    public static InvalidSettingException withheld(String setting, String message) {
        if (!message.startsWith(setting)) {
            throw new IllegalArgumentException("The message of an invalid " + setting + " must start with its name");
        }
        String reason = message.substring(setting.length()).replaceFirst("^:?\\s*", "");
        return new InvalidSettingException(setting, null, false, reason, message);
    }

    /** The setting, named as its property without the {@code keepalive.} prefix. */
    public String setting() {
        return this.setting;
    }

    /** The offending value, or {@code null} when it was missing or is withheld. */
    public Object value() {
        return this.value;
    }

    /**
     * Whether {@link #value()} is the configured value. When false the configured value may hold a credential,
     * and whoever reports this error must not look it up to show it either.
     */
    public boolean valueShown() {
        return this.valueShown;
    }

    /** What is wrong with the value, without the setting's name. */
    public String reason() {
        return this.reason;
    }
}
