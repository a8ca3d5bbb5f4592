package org.tessera.cli;

import java.io.PrintWriter;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The command line for lab servers: no display needed, exit codes that mean something. */
@Command(name = "tessera", mixinStandardHelpOptions = true, versionProvider = TesseraCli.Version.class,
        description = "Deep-learning segmentation of 2D and 3D images (NIfTI, TIFF, PNG) with ONNX models.",
        subcommands = { ModelsCommand.class, InfoCommand.class, SegmentCommand.class, EvaluateCommand.class,
                BenchCommand.class, PhantomCommand.class, FingerprintCommand.class, PlanCommand.class, ImportCommand.class, ExportCommand.class, CommandLine.HelpCommand.class },
        footer = { "", "Exit status: 0 done, 1 unexpected failure, 2 bad input or parameters (the message says what "
                + "to change), 3 a folder run finished but some inputs failed." })
public final class TesseraCli {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit status (tests call this). */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line with its output and error text going to the given writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new TesseraCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(TesseraCli::handle);
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter w = ex.getCommandLine().getErr();
            w.println("tessera: " + ex.getMessage());
            w.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.INVALID_INPUT;
        });
        return cli.execute(args);
    }

    private static int handle(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (ex instanceof InvalidInputException) {
            err.println("tessera: " + ex.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        if (ex instanceof Progress.CancelledException) {
            err.println("tessera: cancelled");
            return ExitCodes.FAILURE;
        }
        err.println("tessera: unexpected failure: " + ex);
        ex.printStackTrace(err);
        return ExitCodes.FAILURE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TesseraCli.class.getPackage().getImplementationVersion();
            return new String[] { "tessera " + (v == null ? "(development build)" : v) };
        }
    }
}
