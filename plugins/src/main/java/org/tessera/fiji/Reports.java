package org.tessera.fiji;

import java.io.PrintWriter;
import java.io.StringWriter;

import ij.IJ;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;

/** How the ImageJ faces tell a user that something failed. */
public final class Reports {

    private Reports() {}

    /**
     * Reports a failure the ImageJ way: a short message in a dialog (printed when there is no display), the
     * details in the Log window. A cancelled job only says so in the status line and the Log.
     */
    public static void report(String title, Throwable e) {
        IJ.showProgress(1.0);
        if (e instanceof Progress.CancelledException) {
            IJ.showStatus(title + ": cancelled");
            IJ.log(title + ": cancelled; no output was made");
            return;
        }
        IJ.showStatus("");
        IJ.log(title + ": " + message(e));
        if (!(e instanceof InvalidInputException)) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            IJ.log(trace.toString());
        }
        IJ.error(title, shortMessage(e));
    }

    /** The message a user sees: the core's own words for bad input, a pointer to the Log for anything else. */
    public static String shortMessage(Throwable e) {
        if (e instanceof InvalidInputException)
            return e.getMessage();
        return "Tessera could not finish: " + message(e) + "\nThe details are in the Log window.";
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
