package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.LUT;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.tessera.fiji.scijava.EvaluateCommand;
import org.tessera.fiji.scijava.ListModelsCommand;
import org.tessera.fiji.scijava.SegmentFolderCommand;
import org.tessera.fiji.scijava.SegmentImageCommand;
import org.tessera.service.SegmentationRequest;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.volume.Volume;
import org.tessera.volume.ij.ImagePlusVolumes;
import org.tessera.volume.io.VolumeIO;

/** The SciJava commands run by scijava-common alone: a Context, a CommandService, inputs passed directly. */
class SciJavaCommandsTest {

    static Context context;
    static CommandService commands;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        FijiTestSupport.useFixtureModels();
        context = new Context(CommandService.class);
        commands = context.service(CommandService.class);
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    private static CommandModule run(Class<? extends org.scijava.command.Command> type, Object... inputs) throws Exception {
        return commands.run(type, true, inputs).get();
    }

    @Test
    void segmentImageRunsAShippedNnUnetBundleLikeTheCore() throws Exception {
        // a bundle: preprocessing, resampling to the plan's spacing, mirrored sliding window, resampling back
        ImagePlus input = ImagePlusVolumes.toImagePlus(VolumeIO.read(FijiTestSupport.SAMPLE_3D), "nuclei-3d-phantom");
        CommandModule m = run(SegmentImageCommand.class, "image", input, "model", "nuclei-3d-nnunet", "tile", "auto",
                "tiling", "gaussian", "device", "cpu", "probabilities", false);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus labels = (ImagePlus) m.getOutput("labels");
        assertEquals(input.getStackSize(), labels.getStackSize());
        assertEquals(input.getCalibration().pixelDepth, labels.getCalibration().pixelDepth, 1e-9);
        var request = org.tessera.service.SegmentationRequest.builder("nuclei-3d-nnunet").device(OrtEngine.Device.CPU)
                .threads(2).build();
        try (var session = new org.tessera.service.SegmentationService(ModelZoo.standard(List.of())).open(request, null)) {
            Volume expected = session.segment(ImagePlusVolumes.wrap(input), org.tessera.volume.Progress.NONE).labels();
            FijiTestSupport.assertSamePixels(ImagePlusVolumes.toImagePlus(expected, "expected"), labels);
        }
    }

    @Test
    void segmentImageKeepsGeometryColoursLabelsAndCountsVoxels() throws Exception {
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        input.getCalibration().pixelWidth = 0.25;
        input.getCalibration().pixelHeight = 0.5;
        input.getCalibration().setUnit("um");
        CommandModule m = run(SegmentImageCommand.class, "image", input, "model", "tiny-unet-2d", "tile", "32,24",
                "tiling", "halo", "device", "cpu", "probabilities", true);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus labels = (ImagePlus) m.getOutput("labels");
        assertEquals("nuclei-2d-phantom_labels", labels.getTitle());
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(input, "tiny-unet-2d",
                SegmentOptions.defaults().withTile(new int[] { 32, 24 }).withMode(org.tessera.volume.tiling.TileMode.HALO)),
                labels);
        Calibration cal = labels.getCalibration();
        assertEquals(0.25, cal.pixelWidth, 1e-12);
        assertEquals(0.5, cal.pixelHeight, 1e-12);
        assertEquals(input.getCalibration().getUnit(), cal.getUnit());
        LUT lut = labels.getProcessor().getLut();
        assertEquals(0, lut.getRGB(0) & 0xffffff, "label 0 is black");
        assertTrue((lut.getRGB(1) & 0xffffff) != (lut.getRGB(2) & 0xffffff) && (lut.getRGB(1) & 0xffffff) != 0);
        ImagePlus probabilities = (ImagePlus) m.getOutput("probabilityMaps");
        assertEquals(2, probabilities.getNChannels());
        // the class table: voxels per class add up to the image, areas follow the calibration
        String table = (String) m.getOutput("classes");
        String[] lines = table.strip().split("\n");
        assertTrue(lines[0].contains("Voxels") && lines[0].contains("Area (" + cal.getUnit() + "^2)"), table);
        long background = count(labels, 0), foreground = count(labels, 1);
        assertEquals((long) input.getWidth() * input.getHeight(), background + foreground);
        String[] row1 = lines[2].split("\t");
        assertTrue(lines[2].contains("foreground"), table);
        assertEquals(foreground, Long.parseLong(row1[row1.length - 2].strip()), table);
        assertEquals(foreground * 0.125, Double.parseDouble(row1[row1.length - 1].strip()), 1e-3, table);
        assertNull(m.getOutput("instanceLabels"), "no instances unless asked for");

        CommandModule objects = run(SegmentImageCommand.class, "image", input, "model", "classic:otsu", "instances",
                true, "instanceParameters", "minArea=3");
        assertFalse(objects.isCanceled(), objects.getCancelReason());
        ImagePlus instances = (ImagePlus) objects.getOutput("instanceLabels");
        assertEquals("nuclei-2d-phantom_instances", instances.getTitle());
        assertEquals(0.25, instances.getCalibration().pixelWidth, 1e-12);
        String rows = (String) objects.getOutput("objects");
        assertTrue(rows.startsWith("id\tpixels\tarea_um2"), rows);
        assertEquals((int) instances.getStatistics().max + 1, rows.strip().split("\n").length, "a row per object");
    }

    @Test
    void segmentImageReturnsTheAttentionMapsAsOneChannelPerGate() throws Exception {
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        input.getCalibration().pixelWidth = 0.25;
        input.getCalibration().setUnit("um");
        CommandModule m = run(SegmentImageCommand.class, "image", input, "model", "nuclei-2d-attention-unet", "tile",
                "auto", "tiling", "halo", "device", "cpu", "attention", true);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus maps = (ImagePlus) m.getOutput("attentionMaps");
        assertEquals("nuclei-2d-phantom_attention", maps.getTitle());
        assertEquals(3, maps.getNChannels());
        assertEquals(1, maps.getNSlices());
        assertEquals(0.25, maps.getCalibration().pixelWidth, 1e-12);
        assertEquals("nuclei-2d-phantom_attention_2", maps.getStack().getSliceLabel(2));
        var expected = FijiTestSupport.expectedAttention(input, "nuclei-2d-attention-unet",
                SegmentOptions.defaults().withMode(org.tessera.volume.tiling.TileMode.HALO));
        for (int c = 1; c <= 3; c++)
            FijiTestSupport.assertSameValues(expected.get(c - 1),
                    new ImagePlus("channel " + c, maps.getStack().getProcessor(c)), 1e-6);

        CommandModule plain = run(SegmentImageCommand.class, "image", input, "model", "nuclei-2d-attention-unet",
                "device", "cpu");
        assertNull(plain.getOutput("attentionMaps"), "no maps unless asked for");
        CommandModule refused = run(SegmentImageCommand.class, "image", input, "model", "tiny-unet-2d", "device", "cpu",
                "attention", true);
        assertTrue(refused.isCanceled());
        assertTrue(refused.getCancelReason().contains("tiny-unet-2d") && refused.getCancelReason().contains("attention maps"),
                refused.getCancelReason());
    }

    @Test
    void segmentFolderWritesOneAttentionMapFilePerGate() throws Exception {
        Path in = Files.createDirectories(dir.resolve("att-in")), out = dir.resolve("att-out");
        Files.copy(FijiTestSupport.SAMPLE_2D, in.resolve("a.tif"));
        CommandModule m = run(SegmentFolderCommand.class, "input", in.toFile(), "output", out.toFile(),
                "model", "nuclei-2d-attention-unet", "tiling", "halo", "device", "cpu", "attention", true);
        assertFalse(m.isCanceled(), m.getCancelReason());
        var expected = FijiTestSupport.expectedAttention(FijiTestSupport.open(FijiTestSupport.SAMPLE_2D),
                "nuclei-2d-attention-unet", SegmentOptions.defaults().withMode(org.tessera.volume.tiling.TileMode.HALO));
        for (int k = 1; k <= 3; k++)
            FijiTestSupport.assertSameValues(expected.get(k - 1), FijiTestSupport.open(out.resolve("a_attention_" + k + ".tif")),
                    1e-6);
        Path refusedOut = dir.resolve("att-refused");
        CommandModule refused = run(SegmentFolderCommand.class, "input", in.toFile(), "output", refusedOut.toFile(),
                "model", "tiny-unet-2d", "device", "cpu", "attention", true);
        assertTrue(refused.isCanceled() && refused.getCancelReason().contains("has no attention maps"),
                refused.getCancelReason());
        assertFalse(Files.exists(refusedOut), "nothing is written for a model without attention maps");
    }

    @Test
    void segmentsMultiChannel3dStackWith3dModel() throws Exception {
        // tiny-unet-3d wants 2 channels: the 3D phantom and its inverse, as a 2-channel hyperstack
        Volume v = VolumeIO.read(FijiTestSupport.SAMPLE_3D);
        ImagePlus one = ImagePlusVolumes.toImagePlus(v, "one");
        int nz = one.getStackSize();
        ImageStack stack = new ImageStack(one.getWidth(), one.getHeight());
        for (int z = 1; z <= nz; z++) {
            stack.addSlice(one.getStack().getProcessor(z).convertToFloat());
            var inverted = one.getStack().getProcessor(z).convertToFloat();
            inverted.invert();
            stack.addSlice(inverted);
        }
        ImagePlus input = new ImagePlus("two-channel.tif", stack);
        input.setDimensions(2, nz, 1);
        input.setCalibration(one.getCalibration().copy());
        CommandModule m = run(SegmentImageCommand.class, "image", input, "model", "tiny-unet-3d", "tile", "auto",
                "device", "cpu");
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus labels = (ImagePlus) m.getOutput("labels");
        assertEquals("two-channel_labels", labels.getTitle());
        assertEquals(1, labels.getNChannels());
        assertEquals(nz, labels.getNSlices());
        assertEquals(input.getCalibration().pixelDepth, labels.getCalibration().pixelDepth, 1e-9);
        assertNull(m.getOutput("probabilityMaps"));
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(input, "tiny-unet-3d", SegmentOptions.defaults()),
                labels);
        assertTrue(((String) m.getOutput("classes")).contains("Volume ("), "3D gives volumes");
    }

    @Test
    void badInputsCancelWithTheReason() throws Exception {
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        CommandModule unknown = run(SegmentImageCommand.class, "image", input, "model", "tiny-unet-2", "device", "cpu");
        assertTrue(unknown.isCanceled());
        assertTrue(unknown.getCancelReason().contains("Did you mean 'tiny-unet-2d'"), unknown.getCancelReason());
        assertNull(unknown.getOutput("labels"));
        CommandModule tile = run(SegmentImageCommand.class, "image", input, "model", "tiny-unet-2d", "tile", "33,24",
                "device", "cpu");
        assertTrue(tile.isCanceled());
        assertTrue(tile.getCancelReason().contains("not a multiple of 2"), tile.getCancelReason());
        CommandModule noImage = run(SegmentImageCommand.class, "image", null, "model", "tiny-unet-2d");
        assertTrue(noImage.isCanceled());
        assertNull(noImage.getOutput("labels"));
    }

    @Test
    void folderListAndEvaluate() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in")), out = dir.resolve("out");
        Files.copy(FijiTestSupport.SAMPLE_2D, in.resolve("a.tif"));
        Files.copy(FijiTestSupport.SAMPLE_2D, in.resolve("b.tif"));
        CommandModule first = run(SegmentFolderCommand.class, "input", in.toFile(), "output", out.toFile(),
                "model", "tiny-unet-2d", "device", "cpu");
        assertFalse(first.isCanceled(), first.getCancelReason());
        assertEquals("2 segmented, 0 skipped (already done), 0 failed", first.getOutput("summary"));
        assertTrue(Files.exists(out.resolve("a_labels.tif")) && Files.exists(out.resolve("b_labels.tif")));
        CommandModule again = run(SegmentFolderCommand.class, "input", in.toFile(), "output", out.toFile(),
                "model", "tiny-unet-2d", "device", "cpu");
        assertEquals("0 segmented, 2 skipped (already done), 0 failed", again.getOutput("summary"));

        String models = (String) run(ListModelsCommand.class).getOutput("models");
        assertTrue(models.lines().anyMatch(l -> l.startsWith("tiny-unet-2d\t") && l.contains("2D")), models);
        assertTrue(models.contains("tiny-unet-3d"), models);
        String card = (String) run(ListModelsCommand.class, "card", "tiny-unet-3d").getOutput("models");
        assertTrue(card.startsWith("Model tiny-unet-3d") && card.contains("3D"), card);

        ImagePlus labels = FijiTestSupport.open(out.resolve("a_labels.tif"));
        ImagePlus truth = FijiTestSupport.open(FijiTestSupport.TRUTH_2D);
        CommandModule self = run(EvaluateCommand.class, "prediction", truth, "truth", truth);
        assertEquals(1.0, (double) self.getOutput("meanDice"), 1e-12);
        CommandModule e = run(EvaluateCommand.class, "prediction", labels, "truth", truth);
        double dice = (double) e.getOutput("meanDice");
        assertTrue(dice >= 0 && dice < 1, "an untrained model is not perfect: " + dice);
        String table = (String) e.getOutput("table");
        assertTrue(table.lines().findFirst().orElse("").contains("Dice\tIoU") && table.contains("mean (foreground)"), table);
        ImagePlus small = new ImagePlus("small", new ByteProcessor(5, 5));
        CommandModule bad = run(EvaluateCommand.class, "prediction", small, "truth", truth);
        assertTrue(bad.isCanceled() && bad.getCancelReason().contains("differ in size"), bad.getCancelReason());
    }

    private static long count(ImagePlus imp, int value) {
        long n = 0;
        for (int s = 1; s <= imp.getStackSize(); s++) {
            var ip = imp.getStack().getProcessor(s);
            for (int i = 0; i < ip.getPixelCount(); i++)
                if (ip.get(i) == value)
                    n++;
        }
        return n;
    }

    @Test
    void parsesTileSizesAndTitles() {
        assertArrayEquals(new int[] { 32, 24 }, SegmentationRequest.tile("32,24"));
        assertArrayEquals(new int[] { 64, 64, 32 }, SegmentationRequest.tile("64x64x32"));
        assertNull(SegmentationRequest.tile("auto"));
        assertEquals("cells", ImageResults.baseTitle("cells.tif"));
        assertEquals("vol", ImageResults.baseTitle("vol.nii.gz"));
    }
}
