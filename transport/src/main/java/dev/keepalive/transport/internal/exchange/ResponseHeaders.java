package dev.keepalive.transport.internal.exchange;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpMessage;
import org.springframework.http.support.HttpComponentsHeadersAdapter;
import org.springframework.util.MultiValueMap;

/**
 * A response's headers as Spring's {@code HttpHeaders} reads them: a view over HttpCore's header list in which
 * one header is looked up there directly. Spring's {@link HttpComponentsHeadersAdapter} builds a
 * case-insensitive set of every header name when it is created (about 1.5 KB for nginx's nine headers), while
 * {@code RestClient} only asks for the one or two headers that pick and size the body's converter; that
 * adapter is built on the first call that needs the whole set (names, size, entries, a change).
 */
final class ResponseHeaders implements MultiValueMap<String, String> {

    private final HttpMessage message;
    /** Built on first use by whatever needs every header name. */
    private MultiValueMap<String, String> all;

    ResponseHeaders(HttpMessage message) {
        this.message = message;
    }

    private MultiValueMap<String, String> all() {
        if (this.all == null) {
            this.all = new HttpComponentsHeadersAdapter(this.message);
        }
        return this.all;
    }

    @Override
    public String getFirst(String name) {
        Header header = this.message.getFirstHeader(name);
        return header != null ? header.getValue() : null;
    }

    @Override
    public List<String> get(Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        Header[] headers = this.message.getHeaders(name);
        if (headers.length == 0) {
            return null;
        }
        List<String> values = new ArrayList<>(headers.length);
        for (Header header : headers) {
            values.add(header.getValue());
        }
        return values;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String name && this.message.containsHeader(name);
    }

    @Override
    public boolean isEmpty() {
        return this.message.getHeaders().length == 0;
    }

    @Override
    public int size() {
        return all().size();
    }

    @Override
    public boolean containsValue(Object value) {
        return all().containsValue(value);
    }

    @Override
    public Set<String> keySet() {
        return all().keySet();
    }

    @Override
    public Collection<List<String>> values() {
        return all().values();
    }

    @Override
    public Set<Entry<String, List<String>>> entrySet() {
        return all().entrySet();
    }

    @Override
    public Map<String, String> toSingleValueMap() {
        return all().toSingleValueMap();
    }

    @Override
    public void add(String key, String value) {
        all().add(key, value);
    }

    @Override
    public void addAll(String key, List<? extends String> values) {
        all().addAll(key, values);
    }

    @Override
    public void addAll(MultiValueMap<String, String> values) {
        all().addAll(values);
    }

    @Override
    public void set(String key, String value) {
        all().set(key, value);
    }

    @Override
    public void setAll(Map<String, String> values) {
        all().setAll(values);
    }

    @Override
    public List<String> put(String key, List<String> value) {
        return all().put(key, value);
    }

    @Override
    public List<String> remove(Object key) {
        return all().remove(key);
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> map) {
        all().putAll(map);
    }

    @Override
    public void clear() {
        all().clear();
    }

    @Override
    public String toString() {
        return all().toString();
    }
}
