package org.tessera.spark;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.tessera.volume.InvalidInputException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Tessera as a Spark application: {@code segment} spreads a cohort over the executors, {@code segment-volume} one
 * large volume in blocks. Under {@code spark-submit} the master comes from Spark; run directly (scripts/tessera-spark
 * without SPARK_HOME) it is {@code --master}, by default {@code local[*]}: every core of this machine, in-process.
 */
@Command(name = "tessera-spark", mixinStandardHelpOptions = true, subcommands = { SegmentJob.class, SegmentVolumeJob.class },
        description = { "Segments a cohort of images (segment) or one volume too large for one machine (segment-volume) "
                + "on Apache Spark: a cluster through spark-submit, or this machine in-process (local[N])." },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = { "0:done", "1:an unexpected failure (details on standard error)",
                "2:bad input or options (the message says what to change)", "3:some inputs failed (tessera-status.csv)" })
public final class TesseraSpark implements Callable<Integer> {

    static final int OK = 0, FAILURE = 1, INVALID_INPUT = 2, SOME_FAILED = 3;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], spark://host:7077, yarn, k8s://... Default: spark-submit's, else local[*].")
    String master;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new TesseraSpark());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            InvalidInputException invalid = invalidInput(e);
            PrintWriter err = line.getErr();
            if (invalid != null) {
                err.println("tessera-spark: " + invalid.getMessage());
                return INVALID_INPUT;
            }
            err.println("tessera-spark: unexpected failure: " + e);
            e.printStackTrace(err);
            return FAILURE;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return INVALID_INPUT;
    }

    /** A user's mistake behind an exception, also when a task's failure comes back wrapped by Spark. */
    private static InvalidInputException invalidInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof InvalidInputException i)
                return i;
        if (e instanceof SparkException && e.getMessage() != null && e.getMessage().contains(InvalidInputException.class.getName()))
            return new InvalidInputException(e.getMessage().lines().filter(l -> l.contains(InvalidInputException.class.getName()))
                    .findFirst().orElse(e.getMessage()).replaceFirst(".*" + InvalidInputException.class.getName() + ":\\s*", ""));
        return null;
    }

    /** Why a task ended without success, in one line: an exception's class and message, else Spark's words. */
    static String describe(org.apache.spark.TaskEndReason reason) {
        return reason instanceof org.apache.spark.ExceptionFailure f ? f.className() + ": " + f.description()
                : reason.toString();
    }

    /** A Spark context for a job: spark-submit's settings, {@code --master} if given, else local[*]. */
    JavaSparkContext context(String name) {
        SparkConf conf = new SparkConf().setAppName(name);
        if (master != null)
            conf.setMaster(master);
        else if (!conf.contains("spark.master"))
            conf.setMaster("local[*]");
        if (conf.get("spark.master").startsWith("local")) { // in-process: no web UI, no network beyond loopback
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return sc;
    }
}
