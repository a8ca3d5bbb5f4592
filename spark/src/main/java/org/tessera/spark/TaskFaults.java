package org.tessera.spark;

/**
 * Lets a test break a task the way a killed executor would, after the task has written its outputs (a
 * partial file left behind, the record missing), to show that Spark's retry leaves complete, identical outputs.
 * Null, as always outside tests, does nothing. Local mode runs tasks in this JVM, where the test sets it.
 */
final class TaskFaults {

    /** Called after a task wrote its work; may damage it and throw. */
    @FunctionalInterface
    interface Fault {
        void afterWrite(String work, int attempt) throws Exception;
    }

    static volatile Fault fault;

    private TaskFaults() {}

    static void afterWrite(String work, int attempt) throws Exception {
        Fault f = fault;
        if (f != null)
            f.afterWrite(work, attempt);
    }
}
