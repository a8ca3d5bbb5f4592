package org.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.service.FileSegmentation;
import org.tessera.service.RunListener;
import org.tessera.service.RunSummary;
import org.tessera.service.Session;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

/**
 * The Spark jobs in local mode (2 worker threads, 2 tries per task) against {@code tessera segment}'s own code
 * on the same files: the same bytes, failures recorded, retries and reruns safe, a volume in blocks without seams.
 */
class SparkJobsTest {

    /** Two threads; a task may fail once and is tried again (local mode's default is one try). */
    static final String MASTER = "local[2,2]";
    static final String MODEL = "nuclei-2d-unet";

    @TempDir
    Path dir;

    static Path cohort;

    @BeforeAll
    static void cohort(@TempDir Path shared) {
        cohort = shared.resolve("images");
        try {
            Files.createDirectories(cohort);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 4; i++)
            VolumeIO.write(Phantoms.nuclei2D(80, 72, 5, false, 11 + i).image(), cohort.resolve("cell" + i + ".tif"));
    }

    @AfterEach
    void noFault() {
        TaskFaults.fault = null;
    }

    private static int spark(String... args) {
        List<String> all = new ArrayList<>(List.of("--master", MASTER));
        all.addAll(List.of(args));
        return TesseraSpark.run(all.toArray(String[]::new));
    }

    /** What {@code tessera segment} writes for the same folder and options (its service, called directly). */
    private static Path reference(Path input, Path out, String... options) {
        return reference(MODEL, input, out, options);
    }

    private static Path reference(String model, Path input, Path out, String... options) {
        SegmentJob job = new SegmentJob();
        new picocli.CommandLine(job).parseArgs(concat(options, "-m", model, "-i", input.toString(), "-o", out.toString()));
        JobSpec spec = job.options.spec(false, false, job.instances, job.instanceParams, job.volumesTable, false, false);
        RunSummary summary = spec.service().run(spec.request(), input, out, new RunListener() {
            @Override public void note(String line) {}
            @Override public void done(String label, Session session, FileSegmentation.FileResult r) {}
            @Override public void skipped(String label, FileSegmentation.FileResult r) {}
            @Override public void failed(String label, Path file, InvalidInputException e) {}
        });
        assertTrue(summary.done() > 0, summary.toString());
        return out;
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(b), Stream.of(a)).toArray(String[]::new);
    }

    /** Every file of a folder (the status table aside) and its bytes. */
    private static Map<String, byte[]> files(Path folder) throws IOException {
        Map<String, byte[]> all = new TreeMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path p : list.toList())
                if (!p.getFileName().toString().startsWith("tessera-"))
                    all.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return all;
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        Map<String, byte[]> want = files(expected), got = files(actual);
        assertEquals(want.keySet(), got.keySet());
        for (String name : want.keySet())
            assertArrayEquals(want.get(name), got.get(name), name + " differs from tessera segment's");
    }

    private static List<String[]> status(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve(SegmentJob.STATUS));
        assertEquals(String.join(",", StatusRow.COLUMNS), lines.get(0));
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }

    @Test
    void cohortWritesWhatTesseraSegmentWritesAndARerunSkipsIt() throws IOException {
        Path out = dir.resolve("out");
        int loads = Sessions.loads();
        assertEquals(0, spark("segment", "-m", MODEL, "-i", cohort.toString(), "-o", out.toString(), "--instances",
                "--volumes-table"));
        assertTrue(Sessions.loads() - loads <= 1, "one model load for the JVM's tasks, not one per input");
        // tessera segment's default runs the network on every core; the tasks run it on one thread each
        assertSameFiles(reference(cohort, dir.resolve("reference"), "--instances", "--volumes-table", "--threads", "0"),
                out);
        List<String[]> rows = status(out);
        assertEquals(4, rows.size());
        for (String[] r : rows) {
            assertEquals("done", r[2], String.join(",", r));
            assertTrue(r[5].contains("@"), "executor named: " + r[5]);
        }
        // the merged object table: every object of every input, led by its input
        List<String> merged = Files.readAllLines(out.resolve(SegmentJob.OBJECTS));
        long objects = 0;
        for (int i = 0; i < 4; i++)
            objects += Files.readAllLines(out.resolve("cell" + i + "_objects.csv")).size() - 1;
        assertEquals(objects + 1, merged.size());
        assertTrue(merged.get(0).startsWith("input,"));
        // the merged class table: background and nucleus per input, their pixels adding up to each image's
        List<String> volumes = Files.readAllLines(out.resolve(SegmentJob.VOLUMES));
        assertEquals("input,label,class,pixels,area_um2", volumes.get(0));
        assertEquals(1 + 4 * 2, volumes.size());
        long pixels = volumes.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[3])).sum();
        assertEquals(4L * 80 * 72, pixels);

        FileTime before = Files.getLastModifiedTime(out.resolve("cell0_labels.tif"));
        assertEquals(0, spark("segment", "-m", MODEL, "-i", cohort.toString(), "-o", out.toString(), "--instances",
                "--volumes-table"));
        for (String[] r : status(out))
            assertEquals("skipped", r[2], String.join(",", r));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("cell0_labels.tif")));
    }

    @Test
    void aCorruptInputIsRecordedAndTheOthersGoOn() throws IOException {
        Path input = dir.resolve("mixed"), out = dir.resolve("out");
        Files.createDirectories(input);
        for (int i = 0; i < 2; i++)
            Files.copy(cohort.resolve("cell" + i + ".tif"), input.resolve("cell" + i + ".tif"));
        byte[] good = Files.readAllBytes(cohort.resolve("cell2.tif"));
        Files.write(input.resolve("broken.tif"), java.util.Arrays.copyOf(good, good.length / 3)); // truncated
        assertEquals(TesseraSpark.SOME_FAILED, spark("segment", "-m", MODEL, "-i", input.toString(), "-o", out.toString()));
        Map<String, String[]> byInput = new TreeMap<>();
        for (String[] r : status(out))
            byInput.put(Path.of(r[0]).getFileName().toString(), r);
        assertEquals("failed", byInput.get("broken.tif")[2]);
        assertTrue(byInput.get("broken.tif")[3].contains("broken.tif"), "the message names the file");
        assertEquals("done", byInput.get("cell0.tif")[2]);
        assertEquals("done", byInput.get("cell1.tif")[2]);
        assertFalse(Files.exists(out.resolve("broken_labels.tif")));
        assertTrue(Files.exists(out.resolve("cell1_labels.tif")));
    }

    @Test
    void aTaskKilledWhileWritingIsRetriedToTheSameBytes() throws IOException {
        Path out = dir.resolve("out");
        String victim = cohort.resolve("cell1.tif").toString();
        List<Integer> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
        TaskFaults.fault = (work, attempt) -> {
            if (!work.equals(victim))
                return;
            attempts.add(attempt);
            if (attempt > 0)
                return;
            // as if killed while writing the labels: a partial temporary file, no labels, no record
            Path labels = out.resolve("cell1_labels.tif");
            byte[] bytes = Files.readAllBytes(labels);
            Files.write(out.resolve(".cell1_labels.tif.0123456789abcdef.part"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            Files.delete(labels);
            Files.delete(out.resolve("cell1_tessera.json"));
            throw new IllegalStateException("executor killed (simulated)");
        };
        assertEquals(0, spark("segment", "-m", MODEL, "-i", cohort.toString(), "-o", out.toString()));
        assertEquals(List.of(0, 1), attempts, "the task was tried twice");
        try (Stream<Path> list = Files.list(out)) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no partial file is left");
        }
        assertEquals(4, status(out).size(), "one row per input, none twice");
        assertSameFiles(reference(cohort, dir.resolve("reference")), out);
    }

    @Test
    void aVolumeInBlocksEqualsTheWholeVolumeRun() throws IOException {
        // 2D network plane by plane over a 3D stack: 96 x 80 x 8 in blocks of 32 x 32 x 4 -> 3 x 3 x 2 blocks,
        // with nnU-Net's sliding window of 16 x 16 tiles at step 0.5 (uneven starts near the far borders)
        Path big = dir.resolve("stack.nii");
        VolumeIO.write(Phantoms.nuclei3D(96, 80, 8, 8, false, 5).image(), big);
        String[] tiling = { "--tile", "16,16" };
        Path reference = reference(big, dir.resolve("reference"), tiling).resolve("stack_labels.nii");
        Path out = dir.resolve("labels.nii");
        List<Integer> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
        TaskFaults.fault = (work, attempt) -> {
            if (work.equals("block 4")) {
                attempts.add(attempt);
                if (attempt == 0)
                    throw new IllegalStateException("executor killed after writing its block (simulated)");
            }
        };
        assertEquals(0, spark(concat(tiling, "segment-volume", "-m", MODEL, "-i", big.toString(), "-o", out.toString(),
                "--block", "32,32,4")));
        assertEquals(List.of(0, 1), attempts, "the block was written twice");
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out), "labels differ from the whole-volume run");
        try (Stream<Path> list = Files.list(dir)) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "the temporary output is renamed");
        }
    }

    @Test
    void aVolumeInBlocksEqualsTheWholeVolumeRunWithA3dNetwork() throws IOException {
        Path big = dir.resolve("cells.nii");
        VolumeIO.write(Phantoms.nuclei3D(72, 64, 24, 6, false, 9).image(), big);
        String[] options = { "--tile", "32,32,16", "--no-resampling" };
        Path reference = reference("nuclei-3d-unet", big, dir.resolve("reference"), options).resolve("cells_labels.nii");
        Path out = dir.resolve("labels.nii");
        assertEquals(0, spark(concat(options, "segment-volume", "-m", "nuclei-3d-unet", "-i", big.toString(), "-o",
                out.toString(), "--block", "32,32,16")));
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out), "labels differ from the whole-volume run");
    }

    @Test
    void aVolumeInBlocksEqualsTheWholeVolumeRunInHaloMode() throws IOException {
        // nuclei-2d-unet's halo is 56: tiles of 176 keep cores of 64, read with their context; blocks of 2 cores
        Path big = dir.resolve("wide.nii");
        VolumeIO.write(stack(Phantoms.nuclei2D(200, 184, 8, false, 3).image(), Phantoms.nuclei2D(200, 184, 8, false, 4).image()),
                big);
        String[] options = { "--tile", "176,176", "--mode", "halo" };
        Path reference = reference(big, dir.resolve("reference"), options).resolve("wide_labels.nii");
        Path out = dir.resolve("labels.nii");
        assertEquals(0, spark(concat(options, "segment-volume", "-m", MODEL, "-i", big.toString(), "-o", out.toString(),
                "--block", "128,128,1")));
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out), "labels differ from the whole-volume run");
    }

    /** Two 2D images as the planes of a stack. */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static org.tessera.volume.Volume stack(org.tessera.volume.Volume a, org.tessera.volume.Volume b) {
        return org.tessera.volume.Volume.of((net.imglib2.RandomAccessibleInterval) net.imglib2.view.Views.stack(
                (net.imglib2.RandomAccessibleInterval) a.image(), (net.imglib2.RandomAccessibleInterval) b.image()),
                0.5, 0.5, 2.0);
    }

    @Test
    void segmentVolumeRefusesWhatBlocksCannotReproduce() throws IOException {
        Path gz = dir.resolve("stack.nii.gz"), plain = dir.resolve("stack.nii"), out = dir.resolve("labels.nii");
        VolumeIO.write(Phantoms.nuclei3D(48, 40, 8, 3, false, 1).image(), gz);
        VolumeIO.write(Phantoms.nuclei3D(48, 40, 8, 3, false, 1).image(), plain);
        // a compressed input cannot be read by offset
        assertEquals(TesseraSpark.INVALID_INPUT, spark("segment-volume", "-m", MODEL, "-i", gz.toString(), "-o", out.toString()));
        // a block that is not a multiple of the tile
        assertEquals(TesseraSpark.INVALID_INPUT, spark("segment-volume", "-m", MODEL, "-i", plain.toString(), "-o",
                out.toString(), "--tile", "16,16", "--block", "24,16,4"));
        // the 3D network was trained at 0.8 x 0.8 x 1.75 um; the phantom is 0.5 x 0.5 x 2: one run would resample it
        assertEquals(TesseraSpark.INVALID_INPUT, spark("segment-volume", "-m", "nuclei-3d-unet", "-i", plain.toString(),
                "-o", out.toString()));
        // a classic method works on the whole image
        assertEquals(TesseraSpark.INVALID_INPUT, spark("segment-volume", "-m", "classic:otsu", "-i", plain.toString(),
                "-o", out.toString()));
        // a voxel that is not a number, found by the task that reads it: the job stops, the output is not made
        net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.real.FloatType, ?> nan =
                net.imglib2.img.array.ArrayImgs.floats(48, 40, 8);
        nan.randomAccess().setPositionAndGet(47, 39, 7).set(Float.NaN);
        Path bad = dir.resolve("nan.nii");
        VolumeIO.write(org.tessera.volume.Volume.of(nan, 1, 1, 1), bad);
        assertEquals(TesseraSpark.INVALID_INPUT, spark("segment-volume", "-m", MODEL, "-i", bad.toString(), "-o",
                out.toString(), "--tile", "16,16", "--block", "48,48,8"));
        try (Stream<Path> list = Files.list(dir)) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().startsWith(".labels.nii")
                    || p.getFileName().toString().equals("labels.nii")), "nothing is left behind");
        }
    }

    /**
     * Spark's local-cluster mode: a master and two workers in this JVM, each starting an executor JVM of its own, as
     * a standalone cluster does. The spec, the rows and the block plan travel between processes; each executor
     * loads the model itself; the files are still those of tessera segment.
     */
    @Test
    void separateExecutorJvmsWriteWhatTesseraSegmentWrites() throws IOException {
        String home = System.getenv("SPARK_HOME");
        org.junit.jupiter.api.Assumptions.assumeTrue(home != null, "SPARK_HOME unset: run through Maven (spark/pom.xml)");
        List<String> directories = sparkHome(Path.of(home));
        Path out = dir.resolve("out");
        String classPath = String.join(java.io.File.pathSeparator, directories);
        List<String> cluster = List.of("--master", "local-cluster[2,1,1024]");
        System.setProperty("spark.executor.extraClassPath", classPath);
        System.setProperty("spark.executor.memory", "1g");
        try {
            List<String> args = new ArrayList<>(cluster);
            args.addAll(List.of("segment", "-m", MODEL, "-i", cohort.toString(), "-o", out.toString()));
            assertEquals(0, TesseraSpark.run(args.toArray(String[]::new)));
            assertSameFiles(reference(cohort, dir.resolve("reference")), out);
            assertEquals(2, status(out).stream().map(r -> r[5]).distinct().count(), "both executors took inputs");

            Path big = dir.resolve("stack.nii");
            VolumeIO.write(Phantoms.nuclei3D(64, 48, 8, 5, false, 2).image(), big);
            Path labels = dir.resolve("labels.nii");
            args = new ArrayList<>(cluster);
            args.addAll(List.of("segment-volume", "-m", MODEL, "-i", big.toString(), "-o", labels.toString(), "--tile",
                    "16,16", "--block", "32,32,4"));
            assertEquals(0, TesseraSpark.run(args.toArray(String[]::new)));
            assertArrayEquals(Files.readAllBytes(reference(big, dir.resolve("whole"), "--tile", "16,16")
                    .resolve("stack_labels.nii")), Files.readAllBytes(labels));
        } finally {
            System.clearProperty("spark.executor.extraClassPath");
            System.clearProperty("spark.executor.memory");
        }
    }

    /**
     * Lays out a Spark installation for the workers: the jars of this test's class path (Spark among them) in
     * {@code jars/}, and a RELEASE file; returns the class path's folders (the modules' classes), for the executors.
     */
    private static List<String> sparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                + " (the jars of the Tessera build, for local-cluster tests)\n");
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> directories = new ArrayList<>();
        for (String entry : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p))
                directories.add(p.toString());
            else if (entry.endsWith(".jar") && !Files.exists(jars.resolve(p.getFileName())))
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
        }
        return directories;
    }
}
