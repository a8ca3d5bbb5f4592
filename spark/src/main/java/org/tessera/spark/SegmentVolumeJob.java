package org.tessera.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.tessera.service.Session;
import org.tessera.service.VolumeBlocks;
import org.tessera.volume.Progress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * One volume too large for one machine, in blocks on the executors ({@link VolumeBlocks}): the labels equal, byte
 * for byte, what {@code tessera segment} writes for the whole volume.
 */
@Command(name = "segment-volume", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Segment one large volume in blocks on the Spark executors; labels only.",
                "Input and output are uncompressed NIfTI (.nii) on storage every executor sees: each block reads its part "
                        + "of the input by offset and writes its core into the output in place. The labels equal those "
                        + "of 'tessera segment' on the whole volume (same tiles, same stitching), with memory per task "
                        + "bounded by the block." })
final class SegmentVolumeJob implements java.util.concurrent.Callable<Integer> {

    @ParentCommand
    TesseraSpark root;

    @Mixin
    RequestOptions options;

    @Option(names = { "-i", "--input" }, required = true, paramLabel = "BIG.nii", description = "The volume (uncompressed NIfTI).")
    Path input;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "OUT.nii",
            description = "The labels (uncompressed NIfTI), written under a temporary name and renamed when complete.")
    Path output;

    @Option(names = "--block", paramLabel = "X,Y[,Z]", split = ",",
            description = "Block core per axis in voxels, a multiple of the tile (halo mode: of the tile's core, tile - 2 x "
                    + "halo). Default: 4 of these per axis.")
    int[] block;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        JobSpec job = options.spec(false, false, false, List.of(), false, false, true);
        long start = System.nanoTime();
        VolumeBlocks plan = VolumeBlocks.plan(Sessions.of(job), input, output, block);
        err.println("tessera-spark: " + input + ": " + plan);
        try (JavaSparkContext sc = root.context("tessera segment-volume " + input)) {
            int count = plan.count();
            AtomicInteger finished = new AtomicInteger();
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskInfo().successful())
                        err.printf(Locale.ROOT, "tessera-spark: %d/%d blocks written%n", finished.incrementAndGet(), count);
                    else
                        err.println("tessera-spark: a block failed (" + TesseraSpark.describe(end.reason()) + "); Spark retries it");
                    err.flush();
                }
            });
            sc.parallelize(IntStream.range(0, count).boxed().toList(), count)
                    .foreach(i -> segmentBlock(job, plan, i));
            plan.finish();
        } catch (Exception e) { // Spark's job failure is a checked exception
            plan.abandon();
            throw e;
        }
        out.printf(Locale.ROOT, "%s -> %s (%d blocks, %.1f s)%n", input, output, plan.count(),
                (System.nanoTime() - start) / 1e9);
        return TesseraSpark.OK;
    }

    /** One task: a block's core into the output, on this executor's open model. */
    static void segmentBlock(JobSpec job, VolumeBlocks plan, int block) throws Exception {
        Session session = Sessions.of(job);
        plan.segment(session, block, Progress.NONE);
        TaskContext task = TaskContext.get();
        TaskFaults.afterWrite("block " + block, task == null ? 0 : task.attemptNumber());
    }
}
