package dev.kiln.ops.interp;

import dev.kiln.graph.Value;

import java.util.IdentityHashMap;
import java.util.Map;

/** Live values of one graph invocation, chained to the enclosing graph's scope for outer-scope reads. */
final class Scope {
    private final Scope parent;
    private final NodeObserver observer;
    private final Map<Value, Object> values = new IdentityHashMap<>();

    Scope(Scope parent, NodeObserver observer) {
        this.parent = parent;
        this.observer = observer;
    }

    NodeObserver observer() { return observer; }

    void put(Value v, Object x) { values.put(v, x); }
    void remove(Value v) { values.remove(v); }

    boolean contains(Value v) {
        for (Scope s = this; s != null; s = s.parent) if (s.values.containsKey(v)) return true;
        return false;
    }

    /** The value, searching enclosing scopes; constants are always available. */
    Object get(Value v) {
        for (Scope s = this; s != null; s = s.parent) {
            Object x = s.values.get(v);
            if (x != null) return x;
        }
        return v.constant();
    }
}
