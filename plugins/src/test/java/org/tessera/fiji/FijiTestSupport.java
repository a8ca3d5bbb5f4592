package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.unet.Segmenter;
import org.tessera.volume.Progress;
import org.tessera.volume.ij.ImagePlusVolumes;

/** Paths, the model to test with, the core's own answer to compare with, and child JVMs with a hard timeout. */
public final class FijiTestSupport {

    static final Path ROOT = Path.of(System.getProperty("tessera.root", "..")).toAbsolutePath().normalize();
    static final Path FIXTURES = ROOT.resolve("unet-family/src/test/resources/fixtures");
    static final Path SAMPLE_2D = ROOT.resolve("sample-volumes/nuclei-2d-phantom.tif");
    static final Path TRUTH_2D = ROOT.resolve("sample-volumes/nuclei-2d-phantom_truth.tif");
    static final Path SAMPLE_3D = ROOT.resolve("sample-volumes/nuclei-3d-phantom.nii.gz");

    /** The shipped 2D nuclei model when the jar has it, else the tiny 2D fixture. */
    static final String MODEL_2D;
    /** Whether MODEL_2D is a trained model (so its Dice on the phantom means something). */
    static final boolean TRAINED_2D;

    static {
        ModelZoo zoo = new ModelZoo(FijiTestSupport.class.getClassLoader(), List.of(FIXTURES));
        TRAINED_2D = zoo.shippedIds().contains("nuclei-2d-unet");
        MODEL_2D = TRAINED_2D ? "nuclei-2d-unet" : "tiny-unet-2d";
    }

    private FijiTestSupport() {}

    /** Points the faces at the fixture models (as a user model folder). */
    static void useFixtureModels() {
        System.setProperty(Tessera.MODELS_PROPERTY, FIXTURES.toString());
    }

    /** The labels the core makes for this image, model and options: what every face must reproduce. */
    static ImagePlus expectedLabels(ImagePlus imp, String modelId, SegmentOptions options) {
        Model model = new ModelZoo(FijiTestSupport.class.getClassLoader(), List.of(FIXTURES)).get(modelId);
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(Runtime.getRuntime().availableProcessors()))) {
            SegmentResult r = new Segmenter(model, engine, null).segment(ImagePlusVolumes.wrap(imp), options, Progress.NONE);
            return ImagePlusVolumes.toImagePlus(r.labels(), "expected");
        }
    }

    /** The attention maps the core makes for this image, model and options, one image per gate. */
    static List<ImagePlus> expectedAttention(ImagePlus imp, String modelId, SegmentOptions options) {
        Model model = new ModelZoo(FijiTestSupport.class.getClassLoader(), List.of(FIXTURES)).get(modelId);
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(Runtime.getRuntime().availableProcessors()))) {
            SegmentResult r = new Segmenter(model, engine, null).segment(ImagePlusVolumes.wrap(imp),
                    options.withAttentionMaps(true), Progress.NONE);
            return r.attention().stream().map(m -> ImagePlusVolumes.toImagePlus(m.map(), m.name())).toList();
        }
    }

    /** Same size and float values within {@code tolerance}. */
    static void assertSameValues(ImagePlus expected, ImagePlus actual, double tolerance) {
        assertNotNull(actual, "no image");
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        assertEquals(expected.getStackSize(), actual.getStackSize(), "planes");
        ImageStack a = expected.getStack(), b = actual.getStack();
        for (int s = 1; s <= a.getSize(); s++)
            for (int i = 0; i < a.getWidth() * a.getHeight(); i++)
                if (!(Math.abs(a.getProcessor(s).getf(i) - b.getProcessor(s).getf(i)) <= tolerance))
                    throw new AssertionError(actual.getTitle() + " differs at plane " + s + ", pixel " + i + ": expected "
                            + a.getProcessor(s).getf(i) + ", got " + b.getProcessor(s).getf(i));
    }

    /** Same size and the same labels (label values are exact in float). */
    static void assertSamePixels(ImagePlus expected, ImagePlus actual) {
        assertSameValues(expected, actual, 0);
    }

    static ImagePlus open(Path file) {
        ImagePlus imp = IJ.openImage(file.toString());
        assertNotNull(imp, "cannot open " + file);
        return imp;
    }

    /** The class path of this test run, for child JVMs. */
    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A macro string literal for a path. */
    public static String q(Path p) {
        return "\"" + p.toString().replace("\\", "/") + "\"";
    }

    record Run(int exit, String output, boolean timedOut) {}

    /** Runs a command, output and errors together, killed after {@code seconds}. */
    static Run run(List<String> command, Path dir, int seconds) throws IOException, InterruptedException {
        Path out = dir.resolve("process-output.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        Process p = pb.start();
        boolean finished = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return new Run(finished ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8), !finished);
    }

    /** java -cp <test class path> with the fixture models, then {@code args}. */
    static List<String> javaCommand(boolean headless, String... args) {
        List<String> c = new ArrayList<>(List.of(java(), "-Xmx2g", "-Djava.awt.headless=" + headless,
                "-D" + Tessera.MODELS_PROPERTY + "=" + FIXTURES, "-cp", classPath()));
        c.addAll(List.of(args));
        return c;
    }

    /** Runs a macro file with {@code ImageJ -batch} in a headless JVM, in {@code dir}. */
    static Run batchMacro(Path dir, String macro) throws IOException, InterruptedException {
        Path file = dir.resolve("test.ijm");
        Files.writeString(file, macro);
        Run r = run(javaCommand(true, "ij.ImageJ", "-batch", file.toString()), dir, 180);
        assertFalse(r.timedOut(), "ImageJ -batch did not finish in time:\n" + r.output());
        return r;
    }

    /**
     * Runs each case, {macro statement, what its message must contain}, after opening the 2D sample: the
     * macro must stop there with the message, without a stack trace and without making a label image.
     */
    static void assertMacroStops(Path dir, String[][] cases) throws IOException, InterruptedException {
        for (String[] c : cases) {
            Path marker = dir.resolve("after.txt");
            Files.deleteIfExists(marker);
            Run r = batchMacro(dir, String.join("\n",
                    "call(\"org.tessera.fiji.TesseraMacro.install\");",
                    "Ext.tesseraOpen(" + q(SAMPLE_2D) + ");",
                    c[0],
                    "File.saveString(\"after \" + nImages, " + q(marker) + ");"));
            assertTrue(r.output().contains(c[1]), c[0] + " should say '" + c[1] + "':\n" + r.output());
            assertFalse(r.output().contains("Exception"), "a stack trace for a user mistake:\n" + r.output());
            assertFalse(Files.exists(marker), c[0] + ": the macro went on after the error:\n" + r.output());
            assertFalse(r.output().contains("_labels"), c[0] + " made a label image:\n" + r.output());
        }
    }

    /**
     * Runs a harness class ({@code mainAndArgs}: its name, then its arguments) in its own JVM under Xvfb, with
     * the plugins of {@code imagej}; returns the report it wrote, after checking it reported no error of its own.
     */
    public static String harnessUnderXvfb(Path dir, Path imagej, String screen, Path reportFile, String... mainAndArgs)
            throws IOException, InterruptedException {
        return harnessUnderXvfb(240, dir, imagej, screen, reportFile, List.of(), mainAndArgs);
    }

    /** The same with extra JVM options (a later -D wins over the fixture models' property). */
    static String harnessUnderXvfb(Path dir, Path imagej, String screen, Path reportFile, List<String> jvmOptions,
            String... mainAndArgs) throws IOException, InterruptedException {
        return harnessUnderXvfb(240, dir, imagej, screen, reportFile, jvmOptions, mainAndArgs);
    }

    /** The same with its own time limit. */
    public static String harnessUnderXvfb(int seconds, Path dir, Path imagej, String screen, Path reportFile,
            String... mainAndArgs) throws IOException, InterruptedException {
        return harnessUnderXvfb(seconds, dir, imagej, screen, reportFile, List.of(), mainAndArgs);
    }

    private static String harnessUnderXvfb(int seconds, Path dir, Path imagej, String screen, Path reportFile,
            List<String> jvmOptions, String... mainAndArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("xvfb-run", "-a", "-s", "-screen 0 " + screen));
        List<String> options = new ArrayList<>(List.of("-Dplugins.dir=" + imagej, "-Duser.home=" + dir.resolve("home")));
        options.addAll(jvmOptions);
        command.addAll(javaCommand(false, options.toArray(String[]::new)));
        command.addAll(List.of(mainAndArgs));
        Run r = run(command, dir, seconds);
        assertFalse(r.timedOut(), "ImageJ under Xvfb did not finish in time:\n" + r.output());
        assertTrue(Files.exists(reportFile), "no report from ImageJ:\n" + r.output());
        String text = Files.readString(reportFile);
        assertFalse(text.contains("HARNESS_ERROR") || text.contains("WATCHER_ERROR") || text.contains("SHOT_ERROR"),
                text + "\n" + r.output());
        return text;
    }

    /**
     * An ImageJ folder in {@code dir} (with {@code dir/home}) whose plugins folder holds a jar of only
     * plugins.config: ImageJ reads the menu entries from it, the classes come from the class path. Skips the
     * test where xvfb-run is missing.
     */
    public static Path imageJWithMenus(Path dir) throws IOException {
        assumeTrue(onPath("xvfb-run"), "xvfb-run is not installed: skipping the menu command tests (Debian packages: "
                + "xvfb xauth)");
        Path imagej = Files.createDirectories(dir.resolve("imagej"));
        Path plugins = Files.createDirectories(imagej.resolve("plugins"));
        try (InputStream config = FijiTestSupport.class.getResourceAsStream("/plugins.config");
                OutputStream out = Files.newOutputStream(plugins.resolve("Tessera_Test.jar"));
                JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("plugins.config"));
            config.transferTo(jar);
            jar.closeEntry();
        }
        Files.createDirectories(dir.resolve("home"));
        return imagej;
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null)
            return false;
        for (String dir : path.split(File.pathSeparator))
            if (Files.isExecutable(Path.of(dir, program)))
                return true;
        return false;
    }
}
