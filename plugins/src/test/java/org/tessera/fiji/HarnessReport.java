package org.tessera.fiji;

import java.awt.Dialog;
import java.awt.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import ij.IJ;
import ij.gui.GenericDialog;

/**
 * What the display harnesses share: the report of noted lines, and a watcher that answers the dialog under
 * test and closes every other dialog (noting its title), so that an error cannot hang the run.
 */
final class HarnessReport {

    /** Fills in and OKs a dialog it recognises, returning true; false leaves the dialog to be closed. */
    interface DialogAnswer {
        boolean answer(GenericDialog dialog) throws Exception;
    }

    private static final StringBuilder report = new StringBuilder();
    private static final Set<Window> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private static final java.util.concurrent.atomic.AtomicInteger dialogs = new java.util.concurrent.atomic.AtomicInteger();

    private HarnessReport() {
    }

    static void note(String line) {
        synchronized (report) {
            report.append(line).append('\n');
        }
    }

    static void watchDialogs(DialogAnswer answer) {
        Thread watcher = new Thread(() -> watch(answer), "dialog watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void watch(DialogAnswer answer) {
        while (true) {
            try {
                Thread.sleep(100);
                for (Window w : Window.getWindows()) {
                    if (!w.isShowing() || !(w instanceof Dialog d) || seen.contains(w))
                        continue;
                    seen.add(w);
                    if (d instanceof GenericDialog gd && answer.answer(gd))
                        continue;
                    note("DIALOG\t" + d.getTitle() + "\t" + d.getClass().getSimpleName());
                    dialogs.incrementAndGet();
                    Thread.sleep(200);
                    d.dispose();
                }
            } catch (Throwable t) {
                note("WATCHER_ERROR\t" + t);
            }
        }
    }

    /** How many dialogs the watcher has closed so far. */
    static int dialogsClosed() {
        return dialogs.get();
    }

    /** Writes the noted lines and ImageJ's Log to the report file, then ends the JVM. */
    static void finish(Path reportFile) throws Exception {
        Thread.sleep(300);
        String log = IJ.getLog();
        synchronized (report) {
            report.append("LOG\n").append(log == null ? "" : log);
            Files.writeString(reportFile, report, StandardCharsets.UTF_8);
        }
        System.exit(0);
    }
}
