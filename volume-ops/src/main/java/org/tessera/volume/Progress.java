package org.tessera.volume;

/**
 * Where long jobs report progress and learn of cancellation: one small interface that a progress bar on a
 * terminal, ImageJ's status line and a test can each implement.
 */
public interface Progress {

    /** A short line saying what is happening now. */
    void status(String message);

    /** Fraction done, 0 to 1. */
    void fraction(double done);

    /** Polled between units of work (tiles); when true the job stops with {@link CancelledException}. */
    default boolean cancelled() {
        return false;
    }

    Progress NONE = new Progress() {
        @Override
        public void status(String message) {}

        @Override
        public void fraction(double done) {}
    };

    /**
     * Item {@code index} of {@code count} of a longer job: its status lines carry {@code label}, its fractions
     * count towards the whole, and cancelling the whole cancels it.
     */
    static Progress part(Progress whole, String label, int index, int count) {
        return new Progress() {
            @Override
            public void status(String message) {
                whole.status(label + ": " + message);
            }

            @Override
            public void fraction(double done) {
                whole.fraction((index + done) / count);
            }

            @Override
            public boolean cancelled() {
                return whole.cancelled();
            }
        };
    }

    /** Thrown when a job stops because {@link #cancelled()} said so; nothing half-made is left behind. */
    final class CancelledException extends RuntimeException {
        public CancelledException() {
            super("Cancelled");
        }
    }
}
