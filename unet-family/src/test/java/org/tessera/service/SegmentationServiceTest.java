package org.tessera.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.SegmentOptions;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

/** The folder run's rules, with a classic method so that no network is needed. */
class SegmentationServiceTest {

    static final SegmentationService SERVICE = new SegmentationService(ModelZoo.standard(List.of()));

    @TempDir
    Path dir;

    /** Records what the run reports. */
    static final class Heard implements RunListener {
        final List<String> done = new ArrayList<>(), skipped = new ArrayList<>(), failed = new ArrayList<>();

        @Override
        public void note(String line) {}

        @Override
        public void done(String label, Session session, FileSegmentation.FileResult r) {
            done.add(r.input().getFileName().toString());
        }

        @Override
        public void skipped(String label, FileSegmentation.FileResult r) {
            skipped.add(r.input().getFileName().toString());
        }

        @Override
        public void failed(String label, Path file, InvalidInputException e) {
            failed.add(file.getFileName().toString());
        }
    }

    private Path folder(String... names) throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        for (int i = 0; i < names.length; i++)
            VolumeIO.write(Phantoms.nuclei2D(40, 32, 3, false, i + 1).image(), in.resolve(names[i]));
        return in;
    }

    private static SegmentationRequest.Builder otsu() {
        return SegmentationRequest.builder("classic:otsu");
    }

    @Test
    void aFolderRunSkipsFinishedInputsAndOverwritesOnlyWhenAsked() throws IOException {
        Path in = folder("a.tif", "b.nii.gz");
        // outputs of an earlier run, truth files and hidden files are not inputs
        VolumeIO.write(Phantoms.nuclei2D(40, 32, 3, false, 9).image(), in.resolve("a_truth.tif"));
        VolumeIO.write(Phantoms.nuclei2D(40, 32, 3, false, 9).image(), in.resolve(".hidden.tif"));
        Path out = dir.resolve("out");
        Heard first = new Heard();
        RunSummary s = SERVICE.run(otsu().build(), in, out, first);
        assertEquals(List.of("a.tif", "b.nii.gz"), first.done);
        assertEquals("2 segmented, 0 skipped (already done), 0 failed", s.toString());
        assertTrue(Files.exists(out.resolve("a_labels.tif")) && Files.exists(out.resolve("b_labels.nii.gz")));

        Heard again = new Heard();
        assertEquals(2, SERVICE.run(otsu().build(), in, out, again).skipped());
        assertEquals(List.of("a.tif", "b.nii.gz"), again.skipped);
        Heard unmirrored = new Heard(); // mirroring is for nnU-Net bundles: it changes nothing here
        assertEquals(2, SERVICE.run(otsu().mirroring(false).build(), in, out, unmirrored).skipped());
        assertFalse(Files.readString(out.resolve("a_tessera.json")).contains("mirroring"));

        Heard overwrite = new Heard();
        SERVICE.run(otsu().overwrite(true).build(), in, out, overwrite);
        assertEquals(2, overwrite.done.size());
    }

    @Test
    void outputsOfAnotherModelAreNeverTakenForThisRunsOnes() throws IOException {
        Path in = folder("a.tif");
        Path out = dir.resolve("out");
        SERVICE.run(otsu().build(), in, out, new Heard());
        Heard other = new Heard();
        RunSummary s = SERVICE.run(SegmentationRequest.builder("classic:kmeans").build(), in, out, other);
        assertEquals(List.of("a.tif"), other.failed);
        assertTrue(s.failures().get(0).contains("classic:otsu -> classic:kmeans")
                && s.failures().get(0).contains("--overwrite"), s.failures().get(0));
        Heard overwrite = new Heard();
        SERVICE.run(SegmentationRequest.builder("classic:kmeans").overwrite(true).build(), in, out, overwrite);
        assertEquals(List.of("a.tif"), overwrite.done);
        assertTrue(Files.readString(out.resolve("a_tessera.json")).contains("classic:kmeans"));
    }

    @Test
    void aRunStoppedBeforeTheRecordIsRedoneToTheSameBytes() throws IOException {
        Path in = folder("a.tif");
        Path out = dir.resolve("out");
        SERVICE.run(otsu().build(), in, out, new Heard());
        byte[] labels = Files.readAllBytes(out.resolve("a_labels.tif"));
        // as a process killed after the labels' rename and during the record's write leaves it
        Files.delete(out.resolve("a_tessera.json"));
        Files.writeString(out.resolve(".a_tessera.json.1234.part"), "{");
        Heard again = new Heard();
        SERVICE.run(otsu().build(), in, out, again);
        assertEquals(List.of("a.tif"), again.done);
        assertArrayEquals(labels, Files.readAllBytes(out.resolve("a_labels.tif")));
        assertFalse(Files.exists(out.resolve(".a_tessera.json.1234.part")));
        assertTrue(Files.exists(out.resolve("a_tessera.json")));
    }

    @Test
    void anOutputFolderThatIsAFileOrNamedLikeAnImageIsRefused() throws IOException {
        Path in = folder("a.tif");
        Path file = Files.writeString(dir.resolve("existing"), "x");
        for (Path bad : List.of(file, dir.resolve("result.tif"))) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SERVICE.run(otsu().build(), in, bad, new Heard()));
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("folder"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("result.tif")));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void chunksSplitAFolderWithoutOverlap() throws IOException {
        Path in = folder("a.tif", "b.tif", "c.tif");
        Heard zero = new Heard(), one = new Heard();
        SERVICE.run(otsu().chunk(2, 0).build(), in, dir.resolve("out"), zero);
        SERVICE.run(otsu().chunk(2, 1).build(), in, dir.resolve("out"), one);
        assertEquals(List.of("a.tif", "c.tif"), zero.done);
        assertEquals(List.of("b.tif"), one.done);
        InvalidInputException bad = assertThrows(InvalidInputException.class, () -> otsu().chunk(2, 2).build());
        assertTrue(bad.getMessage().contains("--index") && bad.getMessage().contains("--chunks"), bad.getMessage());
    }

    @Test
    void aBadInputOfAFolderIsCountedButASingleBadFileIsThrown() throws IOException {
        Path in = folder("a.tif");
        Files.writeString(in.resolve("broken.nii"), "not a NIfTI file");
        Heard heard = new Heard();
        RunSummary s = SERVICE.run(otsu().build(), in, dir.resolve("out"), heard);
        assertEquals(1, s.done());
        assertEquals(List.of("broken.nii"), heard.failed);
        assertTrue(s.failures().get(0).startsWith("broken.nii: "), s.failures().toString());
        assertThrows(InvalidInputException.class,
                () -> SERVICE.run(otsu().build(), in.resolve("broken.nii"), dir.resolve("out2"), new Heard()));
        assertFalse(Files.exists(dir.resolve("out2/broken_labels.nii")));
    }

    @Test
    void anInputWithNonFiniteVoxelsIsRefusedNamingTheFileAndTheCount() throws IOException {
        var img = net.imglib2.img.array.ArrayImgs.floats(16, 12);
        var ra = img.randomAccess();
        ra.setPositionAndGet(1, 2).set(Float.NaN);
        ra.setPositionAndGet(5, 6).set(Float.POSITIVE_INFINITY);
        ra.setPositionAndGet(7, 3).set(Float.NEGATIVE_INFINITY);
        Path file = Files.createDirectories(dir.resolve("in")).resolve("nan.nii");
        VolumeIO.write(org.tessera.volume.Volume.of(img, 1, 1), file);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SERVICE.run(otsu().build(), file, dir.resolve("out"), new Heard()));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("3 voxel(s)")
                && e.getMessage().contains("NaN"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out/nan_labels.nii")));
    }

    @Test
    void theOutputFolderMustNotBeTheInputFolder() throws IOException {
        Path in = folder("a.tif");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SERVICE.run(otsu().build(), in, in, new Heard()));
        assertTrue(e.getMessage().contains(in.toString()), e.getMessage());
        assertEquals(List.of(in.resolve("a.tif")), Inputs.list(in));
    }

    @Test
    void requestsRefuseImpossibleValuesNamingTheOption() {
        for (var bad : List.<Runnable>of(() -> otsu().batch(-1).build(), () -> otsu().step(1.5).build(),
                () -> otsu().threads(-1).build(), () -> otsu().spacing(new double[] { -1, 0 }, null).build())) {
            InvalidInputException e = assertThrows(InvalidInputException.class, bad::run);
            assertTrue(e.getMessage().startsWith("--"), e.getMessage());
        }
        assertEquals(SegmentOptions.AUTO_BATCH, SegmentationRequest.batch(" Auto "));
        assertEquals(SegmentOptions.AUTO_BATCH, otsu().build().options().batch(), "the default batch is automatic");
        assertEquals(3, SegmentationRequest.batch("3"));
        for (String bad : List.of("0", "-2", "2.5", "many", ""))
            assertTrue(assertThrows(InvalidInputException.class, () -> SegmentationRequest.batch(bad), bad).getMessage()
                    .contains("--batch must be auto or a whole number"), bad);
        assertArrayEquals(new int[] { 64, 64, 32 }, SegmentationRequest.tile("64x64x32"));
        assertArrayEquals(new int[] { 128, 96 }, SegmentationRequest.tile(" 128 x 96 "));
        for (String bad : List.of("32,,32", ",32,32", "32,32,", "32 32x"))
            assertThrows(InvalidInputException.class, () -> SegmentationRequest.tile(bad), bad);
        assertTrue(assertThrows(InvalidInputException.class, () -> SegmentationRequest.tileMode("tiles", "--mode"))
                .getMessage().contains("gaussian or halo"));
    }

    @Test
    void instancesAreOutputsOfTheirOwnThatRerunsSkipRedoOrRefuseByTheRecord() throws IOException {
        Path in = folder("a.tif", "b.nii.gz");
        Path out = dir.resolve("out");
        SERVICE.run(otsu().build(), in, out, new Heard());
        // the first run made no instances: its record is not taken for a run that asks for them
        Heard more = new Heard();
        SERVICE.run(otsu().instances(true).build(), in, out, more);
        assertEquals(List.of("a.tif", "b.nii.gz"), more.done);
        for (String f : List.of("a_instances.tif", "a_objects.csv", "b_instances.nii.gz", "b_objects.csv"))
            assertTrue(Files.exists(out.resolve(f)), f);
        assertFalse(Files.exists(out.resolve("a_probabilities.tif")), "no probabilities unless asked");
        String record = Files.readString(out.resolve("a_tessera.json"));
        assertTrue(record.contains("a_instances.tif") && record.contains("a_objects.csv")
                && record.contains("\"minArea\" : 12"), record);
        var objects = Files.readAllLines(out.resolve("a_objects.csv"));
        assertTrue(objects.get(0).startsWith("id,pixels,area_"), objects.get(0));
        var instances = VolumeIO.read(out.resolve("b_instances.nii.gz"));
        var labels = VolumeIO.read(out.resolve("b_labels.nii.gz"));
        assertArrayEquals(labels.spatialShape(), instances.spatialShape());
        assertArrayEquals(labels.spacing(), instances.spacing(), 1e-9);

        Heard again = new Heard();
        SERVICE.run(otsu().instances(true).instanceParameter("minArea=12").build(), in, out, again);
        assertEquals(List.of("a.tif", "b.nii.gz"), again.skipped, "the same parameters, given or not, skip");

        Heard other = new Heard();
        RunSummary s = SERVICE.run(otsu().instances(true).instanceParameter("minArea=30").build(), in, out, other);
        assertEquals(2, s.failed());
        assertTrue(s.failures().get(0).contains("instances:") && s.failures().get(0).contains("--overwrite"),
                s.failures().get(0));

        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> otsu().instanceParameter("minArea=30").build());
        assertTrue(e.getMessage().contains("--instances"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> otsu().instances(true).instanceParameter("nope=1").build());
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("minSeedArea"), e.getMessage());
    }
}
