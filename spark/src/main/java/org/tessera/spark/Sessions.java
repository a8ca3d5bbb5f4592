package org.tessera.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.tessera.service.Session;

/**
 * The open models of this JVM, one per {@link JobSpec}: an executor loads a model once and all its tasks, on all
 * its cores, run on the same ONNX Runtime session (whose runs are thread-safe). They stay open until the JVM ends.
 */
final class Sessions {

    private static final Map<JobSpec, Session> OPEN = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private Sessions() {}

    /** The session of {@code spec}, opened on first use. */
    static Session of(JobSpec spec) {
        return OPEN.computeIfAbsent(spec, s -> {
            LOADS.incrementAndGet();
            return s.service().open(s.request(), null);
        });
    }

    /** How many models this JVM has loaded. */
    static int loads() {
        return LOADS.get();
    }
}
