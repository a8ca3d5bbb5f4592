package org.tessera.volume.classic;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs classic_reference.py (scikit-image and scipy under /usr/bin/python3) on arrays written by the test.
 * Skips the test with a message when that Python or its packages are missing (Debian: python3-skimage,
 * which CI installs). Arrays are raw little-endian files in flat order; shapes are passed as z,y,x.
 */
final class Reference {

    static final Path PYTHON = Path.of("/usr/bin/python3");

    private final Path dir;
    private int files;

    Reference(Path dir) {
        this.dir = dir;
        requireSkimage();
    }

    static void requireSkimage() {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON),
                "Skipped: " + PYTHON + " not found; install python3-skimage for the scikit-image cross-checks");
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import skimage, scipy, numpy")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            Assumptions.assumeTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0,
                    "Skipped: " + PYTHON + " cannot import skimage; install python3-skimage (Debian)");
        } catch (IOException e) {
            Assumptions.abort("Skipped: cannot run " + PYTHON + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The shape of a grid as z,y,x (numpy's order). */
    static String shape(Grid g) {
        StringBuilder s = new StringBuilder();
        for (int d = g.numDimensions() - 1; d >= 0; d--)
            s.append(s.length() == 0 ? "" : ",").append(g.dim(d));
        return s.toString();
    }

    /** Per-axis values (x, y[, z]) as z,y,x. */
    static String zyx(double... xyz) {
        StringBuilder s = new StringBuilder();
        for (int d = xyz.length - 1; d >= 0; d--)
            s.append(s.length() == 0 ? "" : ",").append(xyz[d]);
        return s.toString();
    }

    Path write(float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return save(b.array());
    }

    Path write(int[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return save(b.array());
    }

    Path write(boolean[] values) throws IOException {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < bytes.length; i++)
            bytes[i] = (byte) (values[i] ? 1 : 0);
        return save(bytes);
    }

    private Path save(byte[] bytes) throws IOException {
        Path file = dir.resolve("array" + files++ + ".raw");
        Files.write(file, bytes);
        return file;
    }

    Path out() {
        return dir.resolve("out" + files++ + ".raw");
    }

    static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static int[] ints(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }

    static boolean[] mask(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        boolean[] out = new boolean[bytes.length];
        for (int i = 0; i < out.length; i++)
            out[i] = bytes[i] != 0;
        return out;
    }

    /** Runs one command of the script and returns what it printed. */
    String run(String command, Grid grid, Object... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script().toString(), command, shape(grid)));
        for (Object a : args)
            cmd.add(String.valueOf(a));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new AssertionError("classic_reference.py " + command + " failed:\n" + out);
        return out.strip();
    }

    static double[] numbers(String printed) {
        String[] parts = printed.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++)
            out[i] = Double.parseDouble(parts[i]);
        return out;
    }

    private static Path script() {
        try {
            return Path.of(Reference.class.getResource("classic_reference.py").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
