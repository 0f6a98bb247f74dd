package dev.kiln.tests.robust;

import dev.kiln.runtime.Session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** all-MiniLM-L6-v2 sessions on the CPU backend, loaded once per opt level for the whole test run (it is big). */
final class MiniLm {
    private MiniLm() {}

    private static final Map<Integer, Session> SESSIONS = new ConcurrentHashMap<>();

    static Session session(int opt) {
        return SESSIONS.computeIfAbsent(opt, o -> Session.load(Models.miniLm(), Models.cpu(o)));
    }
}
