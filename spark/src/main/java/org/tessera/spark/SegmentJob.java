package org.tessera.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.tessera.service.FileSegmentation;
import org.tessera.service.SegmentationRequest;
import org.tessera.service.SegmentationService;
import org.tessera.service.Session;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.io.AtomicFiles;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tessera segment} over a cluster: one task per input, each writing exactly what {@code tessera segment}
 * writes (the same code, {@link Session#segmentFile}), so outputs, rerun skips and records are the same. A failing
 * input is recorded and the others go on; the driver writes {@code tessera-status.csv} and, with --instances or
 * --volumes-table, the merged tables {@code tessera-objects.csv} or {@code tessera-volumes.csv}.
 */
@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Segment every image of a folder or list file on the Spark executors, as 'tessera segment' does.",
                "Writes <name>_labels.<same extension> per input, OUTDIR/tessera-status.csv (input, output, status, "
                        + "message, seconds, executor) and, with --instances or --volumes-table, the merged "
                        + "OUTDIR/tessera-objects.csv or tessera-volumes.csv. Run again, it "
                        + "skips inputs whose outputs exist. Exit 3 when some inputs failed." })
final class SegmentJob implements java.util.concurrent.Callable<Integer> {

    static final String STATUS = "tessera-status.csv", OBJECTS = "tessera-objects.csv", VOLUMES = "tessera-volumes.csv";

    @ParentCommand
    TesseraSpark root;

    @Mixin
    RequestOptions options;

    @Option(names = { "-i", "--input" }, required = true, paramLabel = "DIR_OR_LIST",
            description = "A folder of images, or a list file (.txt, one image per line), on storage every executor sees.")
    Path input;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "OUTDIR",
            description = "Folder for the outputs (created), on storage every executor sees.")
    Path outDir;

    @Option(names = "--probabilities", description = "Also write <name>_probabilities.")
    boolean probabilities;

    @Option(names = "--attention-maps", description = "Attention U-Nets: also write <name>_attention_<k> per gate.")
    boolean attentionMaps;

    @Option(names = "--instances", description = "Also write <name>_instances and <name>_objects.csv per input, and the "
            + "merged OUTDIR/tessera-objects.csv (one row per object, its input first).")
    boolean instances;

    @Option(names = "--instance-param", paramLabel = "KEY=VALUE", description = "Override an instance parameter; repeatable.")
    List<String> instanceParams = new ArrayList<>();

    @Option(names = "--volumes-table", description = "Also write <name>_volumes.csv per input (voxels and volume per "
            + "class) and the merged OUTDIR/tessera-volumes.csv (one row per input and class, its input first).")
    boolean volumesTable;

    @Option(names = "--overlay", description = "Also write <name>_overlay.png.")
    boolean overlay;

    @Option(names = "--overwrite", description = "Segment inputs again even when their outputs exist.")
    boolean overwrite;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        JobSpec job = options.spec(probabilities, attentionMaps, instances, instanceParams, volumesTable, overlay,
                overwrite);
        SegmentationRequest request = job.request();
        SegmentationService service = job.service();
        service.checkId(request.modelId());
        if (!SegmentationService.isBatch(input))
            throw new InvalidInputException("Input " + input + " is not a folder or a list file (.txt); for one image "
                    + "use 'tessera segment', or segment-volume for one large volume");
        List<String> files = service.inputs(request, input, outDir).stream().map(Path::toString).toList();
        Files.createDirectories(outDir);
        String outputs = outDir.toString();
        long start = System.nanoTime();
        List<StatusRow> rows;
        try (JavaSparkContext sc = root.context("tessera segment " + input)) {
            AtomicInteger finished = new AtomicInteger();
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskInfo().successful())
                        err.printf(Locale.ROOT, "tessera-spark: %d/%d inputs finished%n", finished.incrementAndGet(),
                                files.size());
                    else
                        err.println("tessera-spark: a task failed (" + TesseraSpark.describe(end.reason()) + "); Spark retries it");
                    err.flush();
                }
            });
            rows = sc.parallelize(files, files.size()).map(file -> segmentOne(job, outputs, file)).collect();
        }
        writeStatus(outDir.resolve(STATUS), rows);
        for (StatusRow r : rows)
            if (StatusRow.FAILED.equals(r.status()))
                err.println("tessera-spark: " + r.input() + ": " + r.message());
            else
                out.printf(Locale.ROOT, "%s -> %s (%s, %.2f s, %s)%n", r.input(), r.output(), r.status(), r.seconds(),
                        r.executor());
        if (instances)
            merge(rows, in -> FileSegmentation.outputsFor(in, outDir, false, true, false, false, List.of()).objects(),
                    outDir.resolve(OBJECTS), err);
        if (volumesTable)
            merge(rows, in -> FileSegmentation.outputsFor(in, outDir, false, false, true, false, List.of()).volumes(),
                    outDir.resolve(VOLUMES), err);
        long done = rows.stream().filter(r -> StatusRow.DONE.equals(r.status())).count();
        long skipped = rows.stream().filter(r -> StatusRow.SKIPPED.equals(r.status())).count();
        long failed = rows.size() - done - skipped;
        err.printf(Locale.ROOT, "%d segmented, %d skipped (already done), %d failed in %.1f s; %s%n", done, skipped, failed,
                (System.nanoTime() - start) / 1e9, outDir.resolve(STATUS));
        return failed > 0 ? TesseraSpark.SOME_FAILED : TesseraSpark.OK;
    }

    /** One task: the input's outputs as {@code tessera segment} makes them, on this executor's open model. */
    static StatusRow segmentOne(JobSpec job, String outDir, String file) throws Exception {
        long start = System.nanoTime();
        Path in = Path.of(file), out = Path.of(outDir);
        try {
            Session session = Sessions.of(job);
            FileSegmentation.FileResult r = session.segmentFile(in, out, Progress.NONE);
            TaskContext task = TaskContext.get();
            TaskFaults.afterWrite(file, task == null ? 0 : task.attemptNumber());
            boolean skipped = r.status() == FileSegmentation.Status.SKIPPED;
            return new StatusRow(file, r.outputs().labels().toString(), skipped ? StatusRow.SKIPPED : StatusRow.DONE,
                    skipped ? "outputs exist" : "", seconds(start), executor());
        } catch (InvalidInputException e) {
            Path labels = FileSegmentation.outputsFor(in, out, false, false, false, false, List.of()).labels();
            return new StatusRow(file, labels.toString(), StatusRow.FAILED, e.getMessage(), seconds(start), executor());
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Which executor ran a task: its id and host ("driver" in local mode). */
    static String executor() {
        SparkEnv env = SparkEnv.get();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return (env == null ? "driver" : env.executorId()) + "@" + host;
    }

    static void writeStatus(Path file, List<StatusRow> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", StatusRow.COLUMNS));
        rows.forEach(r -> lines.add(r.csv()));
        AtomicFiles.write(file, tmp -> Files.write(tmp, lines, StandardCharsets.UTF_8));
    }

    /**
     * The inputs' tables of one kind (objects, class volumes) as one, each row led by its input; a table with other
     * columns (another unit) is named, not merged.
     */
    private static void merge(List<StatusRow> rows, java.util.function.Function<Path, Path> tableOf, Path merged,
            PrintWriter err) throws IOException {
        List<String> lines = new ArrayList<>();
        String header = null;
        for (StatusRow r : rows) {
            if (StatusRow.FAILED.equals(r.status()))
                continue;
            Path table = tableOf.apply(Path.of(r.input()));
            List<String> own = Files.readAllLines(table, StandardCharsets.UTF_8);
            if (own.isEmpty())
                continue;
            if (header == null) {
                header = own.get(0);
                lines.add("input," + header);
            } else if (!header.equals(own.get(0))) {
                err.println("tessera-spark: " + table + " has other columns (" + own.get(0) + "); not merged into "
                        + merged.getFileName());
                continue;
            }
            for (String line : own.subList(1, own.size()))
                lines.add(StatusRow.quote(r.input()) + "," + line);
        }
        if (header != null)
            AtomicFiles.write(merged, tmp -> Files.write(tmp, lines, StandardCharsets.UTF_8));
    }
}
