package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Orientation;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

/** The command line driven for real: files in, files out, exit codes and messages. */
class CliTest {

    static final Path FIXTURES = Path.of(System.getProperty("tessera.root", ".."), "unet-family", "src", "test",
            "resources", "fixtures");

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = TesseraCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out.toString(), err.toString());
    }

    private Run segment(Path input, Path outDir, String... extra) {
        String[] base = { "segment", "-m", "tiny-unet-2d", "--models", FIXTURES.toString(), "-i", input.toString(), "-o",
                outDir.toString(), "--device", "cpu" };
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void modelsListsIdDimensionsChannelsAndClasses() {
        Run r = run("models", "--models", FIXTURES.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("tiny-unet-2d") && l.contains("2D")
                && l.contains("intensity") && l.contains("background,foreground")), r.out());
        assertTrue(r.out().contains("tiny-unet-3d") && r.out().contains("3D"), r.out());
    }

    @Test
    void segments3dNiftiKeepingGeometryAndWritesOverlay() {
        Path in = orientedStack(dir);
        Run r = segment(in, dir.resolve("out"), "--overlay", "--tile", "32,16", "--probabilities");
        assertEquals(0, r.status(), r.err());
        labelsWithGeometryOf(in, dir.resolve("out/stack_labels.nii.gz"));
        assertEquals(2, VolumeIO.read(dir.resolve("out/stack_probabilities.nii.gz")).channels());
        assertTrue(Files.exists(dir.resolve("out/stack_overlay.png")));
    }

    @Test
    void shipped3dModelSegmentsTheAnisotropicSampleKeepingGeometry() {
        // 150 x 140 x 37 at 0.5 x 0.5 x 2 um: no 64 x 64 x 32 tile divides it
        Path sample = SampleVolumesTest.SAMPLES.resolve("nuclei-3d-phantom.nii.gz");
        Run r = run("segment", "-m", "nuclei-3d-unet", "-i", sample.toString(), "-o", dir.resolve("out").toString(),
                "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("nuclei-3d-unet") && r.err().contains("resampling"), r.err());
        Volume in = VolumeIO.read(sample);
        Volume labels = VolumeIO.read(dir.resolve("out/nuclei-3d-phantom_labels.nii.gz"));
        assertArrayEquals(new long[] { 150, 140, 37 }, labels.spatialShape());
        assertArrayEquals(in.spacing(), labels.spacing(), 1e-6);
        assertEquals(in.orientation(), labels.orientation());
        Run eval = run("evaluate", "-p", dir.resolve("out/nuclei-3d-phantom_labels.nii.gz").toString(), "-t",
                SampleVolumesTest.SAMPLES.resolve("nuclei-3d-phantom_truth.nii.gz").toString());
        String last = eval.out().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(Double.parseDouble(last.substring("mean dice: ".length())) > 0.5, last);
    }

    @Test
    void withoutResamplingThe3dModelRunsAtTheImagesSpacingAndWarns() throws IOException {
        Path sample = SampleVolumesTest.SAMPLES.resolve("nuclei-3d-phantom.nii.gz");
        Run r = run("segment", "-m", "nuclei-3d-unet", "-i", sample.toString(), "-o", dir.resolve("out").toString(),
                "--device", "cpu", "--no-resampling");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("spacing") && r.err().contains("--no-resampling") && !r.err().contains("resampling the"),
                r.err());
        String record = Files.readString(dir.resolve("out/nuclei-3d-phantom_tessera.json"));
        assertTrue(record.contains("\"resampling\" : false") || record.contains("\"resampling\":false"), record);
    }

    @Test
    void spacingGivenOnTheCommandLineReplacesTheFilesAndTravelsToTheOutput() {
        Path in = dir.resolve("plain.tif");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), in);
        Run r = segment(in, dir.resolve("out"), "--spacing", "0.25,0.3", "--unit", "um");
        assertEquals(0, r.status(), r.err());
        Volume labels = VolumeIO.read(dir.resolve("out/plain_labels.tif"));
        assertArrayEquals(new double[] { 0.25, 0.3 }, labels.spacing(), 1e-6);
        assertEquals("um", labels.unit());
        assertEquals(ExitCodes.INVALID_INPUT, segment(in, dir.resolve("out2"), "--spacing", "1,1,1").status());
    }

    @Test
    void volumesTableCountsEveryLabelOfTheLabelsWritten() throws IOException {
        Path in = dir.resolve("plain.tif");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), in);
        Run r = segment(in, dir.resolve("out"), "--volumes-table", "--spacing", "0.5,0.5", "--unit", "um");
        assertEquals(0, r.status(), r.err());
        List<String> table = Files.readAllLines(dir.resolve("out/plain_volumes.csv"));
        assertEquals("label,class,pixels,area_um2", table.get(0));
        Volume labels = VolumeIO.read(dir.resolve("out/plain_labels.tif"));
        long[] counted = new long[table.size() - 1];
        for (var c = Views.flatIterable(labels.image()).cursor(); c.hasNext();)
            counted[(int) c.next().getRealDouble()]++;
        for (int l = 0; l < counted.length; l++) {
            String[] row = table.get(l + 1).split(",");
            assertEquals(counted[l], Long.parseLong(row[2]), table.get(l + 1));
            assertEquals(counted[l] * 0.25, Double.parseDouble(row[3]), 1e-9, table.get(l + 1));
        }
        assertTrue(Files.readString(dir.resolve("out/plain_tessera.json")).contains("plain_volumes.csv"));
    }

    @Test
    void folderRunSkipsFinishedOutputsWhenRunAgain() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), in.resolve("a.tif"));
        VolumeIO.write(Phantoms.nuclei2D(50, 40, 3, false, 2).image(), in.resolve("b.png"));
        Run first = segment(in, dir.resolve("out"));
        assertEquals(0, first.status(), first.err());
        assertTrue(Files.exists(dir.resolve("out/a_labels.tif")) && Files.exists(dir.resolve("out/b_labels.png")));
        var before = Files.getLastModifiedTime(dir.resolve("out/a_labels.tif"));
        Files.delete(dir.resolve("out/b_labels.png"));
        Run second = segment(in, dir.resolve("out"));
        assertEquals(0, second.status(), second.err());
        assertTrue(second.err().contains("1 segmented, 1 skipped"), second.err());
        assertEquals(before, Files.getLastModifiedTime(dir.resolve("out/a_labels.tif")));
        assertTrue(Files.exists(dir.resolve("out/b_labels.png")));
    }

    @Test
    void outputsDropNnUnetsFirstChannelSuffixAndClashingNamesAreRefused() throws IOException {
        Path in = Files.createDirectories(dir.resolve("imagesTs"));
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), in.resolve("case_0000.tif"));
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 2).image(), in.resolve("frame_0001.tif"));
        Run r = segment(in, dir.resolve("out"));
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(dir.resolve("out/case_labels.tif")), "named like labelsTs/case.tif");
        assertTrue(Files.exists(dir.resolve("out/frame_0001_labels.tif")), "other numbers are part of the name");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 3).image(), in.resolve("case.tif"));
        Run clash = segment(in, dir.resolve("out2"));
        assertEquals(ExitCodes.INVALID_INPUT, clash.status(), clash.err());
        assertTrue(clash.err().contains("case.tif") && clash.err().contains("case_0000.tif"), clash.err());
        assertTrue(!Files.exists(dir.resolve("out2/case_labels.tif")), "nothing written");
    }

    @Test
    void tileTooLargeAndUnwritableOutputFolderAreExplained() throws IOException {
        Path tif = dir.resolve("img.tif");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), tif);
        assertRefused(tif, "100000 x 100000", "--tile", "100000,100000");
        Run r = run("segment", "-m", "tiny-unet-2d", "--models", FIXTURES.toString(), "-i", tif.toString(), "-o",
                "/proc/tessera-out");
        assertEquals(ExitCodes.INVALID_INPUT, r.status(), r.err());
        assertTrue(r.err().contains("/proc/tessera-out") && r.err().contains("choose a folder you can write to"), r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), r.err());
    }

    @Test
    void phantomDatasetHasNucleoliOnlyWhenAskedFor() throws IOException {
        assertEquals(0, run("phantom", "--dataset", dir.resolve("plain").toString(), "--cases", "2").status());
        assertEquals(0, run("phantom", "--dataset", dir.resolve("with").toString(), "--cases", "2", "--nucleoli").status());
        String plain = Files.readString(dir.resolve("plain/dataset.json"));
        String with = Files.readString(dir.resolve("with/dataset.json"));
        assertTrue(plain.contains("nucleus") && !plain.contains("nucleolus"), plain);
        assertTrue(with.contains("nucleolus"), with);
        for (String c : List.of("phantom_000", "phantom_001")) {
            Volume labels = VolumeIO.read(dir.resolve("plain/labelsTr/" + c + ".nii.gz"));
            double max = 0;
            for (var t : net.imglib2.view.Views.iterable(labels.image()))
                max = Math.max(max, t.getRealDouble());
            assertEquals(1, max, c + " holds background and nucleus only");
        }
    }

    @Test
    void evaluatePrintsDicePerClassAndTheMeanLast() {
        var p = Phantoms.nuclei2D(80, 60, 5, true, 3);
        VolumeIO.write(p.labels(), dir.resolve("truth.tif"));
        Run same = run("evaluate", "-p", dir.resolve("truth.tif").toString(), "-t", dir.resolve("truth.tif").toString());
        assertEquals(0, same.status(), same.err());
        List<String> lines = same.out().lines().toList();
        assertEquals("mean dice: 1.0000", lines.get(lines.size() - 1));
        VolumeIO.write(Phantoms.nuclei2D(80, 60, 5, true, 4).labels(), dir.resolve("other.tif"));
        Run other = run("evaluate", "-p", dir.resolve("other.tif").toString(), "-t", dir.resolve("truth.tif").toString());
        String last = other.out().lines().reduce((a, b) -> b).orElseThrow();
        double dice = Double.parseDouble(last.substring("mean dice: ".length()));
        assertTrue(dice < 0.9, last);
    }

    @Test
    void benchPrintsEngineAndPipelineTimesAndTheirRatio() {
        Run r = run("bench", "-m", "tiny-unet-2d", "--models", FIXTURES.toString(), "--size", "128,96", "--repeats", "2",
                "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("engine alone:") && r.out().contains("whole pipeline:"), r.out());
        String ratio = r.out().lines().filter(l -> l.startsWith("pipeline / engine: ")).findFirst().orElseThrow();
        assertTrue(Double.parseDouble(ratio.substring("pipeline / engine: ".length())) > 0, ratio);
    }

    // ---- bad input: a clear message, exit status 2, no output, input untouched ----

    private void assertRefused(Path input, String expected, String... extra) throws IOException {
        byte[] before = Files.exists(input) && !Files.isDirectory(input) ? Files.readAllBytes(input) : null;
        Path out = dir.resolve("refused");
        Run r = segment(input, out, extra);
        assertEquals(ExitCodes.INVALID_INPUT, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err());
        if (Files.exists(out))
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of(), files.toList(), "no output left behind");
            }
        if (before != null)
            assertArrayEquals(before, Files.readAllBytes(input), "input unchanged");
    }

    @Test
    void missingFile() throws IOException {
        assertRefused(dir.resolve("nothing-here.nii.gz"), "does not exist");
    }

    @Test
    void truncatedNifti() throws IOException {
        Path good = dir.resolve("good.nii");
        VolumeIO.write(Phantoms.nuclei3D(40, 30, 8, 3, false, 1).image(), good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.nii");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(cut, "cut.nii");
        Path gz = dir.resolve("cut.nii.gz");
        VolumeIO.write(Phantoms.nuclei3D(40, 30, 8, 3, false, 1).image(), dir.resolve("full.nii.gz"));
        byte[] z = Files.readAllBytes(dir.resolve("full.nii.gz"));
        Files.write(gz, Arrays.copyOf(z, z.length / 2));
        assertRefused(gz, "cut.nii.gz");
    }

    @Test
    void corruptTiff() throws IOException {
        Path tif = dir.resolve("broken.tif");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), tif);
        byte[] bytes = Files.readAllBytes(tif);
        Files.write(tif, Arrays.copyOf(bytes, 300));
        assertRefused(tif, "broken.tif");
    }

    @Test
    void headerClaimingAbsurdDimensions() throws IOException {
        Path good = dir.resolve("small.nii");
        VolumeIO.write(Phantoms.nuclei3D(16, 16, 8, 1, false, 1).image(), good);
        byte[] bytes = Files.readAllBytes(good);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort(42, (short) 30000).putShort(44, (short) 30000).putShort(46, (short) 30000); // dim[1..3]
        Path absurd = dir.resolve("absurd.nii");
        Files.write(absurd, bytes);
        assertRefused(absurd, "absurd.nii");
    }

    @Test
    void wrongChannelCount() throws IOException {
        Path rgb = dir.resolve("rgb.tif");
        Volume two = Volume.withChannels(net.imglib2.img.array.ArrayImgs.unsignedBytes(32, 24, 3), 1, 1);
        VolumeIO.write(two, rgb);
        assertRefused(rgb, "expects 1 channel");
    }

    @Test
    void unknownModelAndIndivisibleTile() throws IOException {
        Path tif = dir.resolve("img.tif");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), tif);
        Run r = run("segment", "-m", "no-such-model", "--models", FIXTURES.toString(), "-i", tif.toString(), "-o",
                dir.resolve("refused").toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.status());
        assertTrue(r.err().contains("no-such-model") && r.err().contains("tiny-unet-2d"), r.err());
        assertRefused(tif, "not a multiple of 2", "--tile", "33,24");
        assertRefused(tif, "--mode", "--mode", "sideways");
    }

    /** 45 x 37 x 11 at 0.5 x 0.5 x 2 um with an orientation, as stack.nii.gz: no tile divides it; a 2D model runs plane by plane. */
    static Path orientedStack(Path dir) {
        Volume image = Phantoms.nuclei3D(45, 37, 11, 4, false, 2).image();
        double[] affine = { -0.5, 0, 0, 10, 0, 0.5, 0, -4, 0, 0, 2, 7.5, 0, 0, 0, 1 };
        Path in = dir.resolve("stack.nii.gz");
        VolumeIO.write(image.withOrientation(new Orientation(1, affine, 2, affine)), in);
        return in;
    }

    /** Reads the labels written for {@code input}, checking that they keep its shape, spacing and orientation. */
    static Volume labelsWithGeometryOf(Path input, Path labelsFile) {
        Volume written = VolumeIO.read(input);
        Volume labels = VolumeIO.read(labelsFile);
        assertArrayEquals(written.spatialShape(), labels.spatialShape());
        assertArrayEquals(written.spacing(), labels.spacing(), 1e-6);
        assertEquals(written.orientation(), labels.orientation());
        return labels;
    }
}
