package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

class NpyTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    /** Values i % 97 (booleans: i odd) in C order, of every type. */
    private static Npy.Array counting(Npy.Type type, long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
        Object data = type.allocate(n);
        for (int i = 0; i < n; i++) {
            int v = i % 97;
            switch (type) {
                case BOOL -> ((boolean[]) data)[i] = i % 2 == 1;
                case UINT8, INT8 -> ((byte[]) data)[i] = (byte) v;
                case UINT16, INT16 -> ((short[]) data)[i] = (short) v;
                case UINT32, INT32 -> ((int[]) data)[i] = v;
                case UINT64, INT64 -> ((long[]) data)[i] = v;
                case FLOAT32 -> ((float[]) data)[i] = v;
                case FLOAT64 -> ((double[]) data)[i] = v;
            }
        }
        return new Npy.Array(type, shape, data);
    }

    @Test
    void roundTripsEveryTypeOrderAndVersion() {
        long[][] shapes = { {}, { 7 }, { 3, 5 }, { 2, 3, 4 }, { 2, 1, 3, 2, 2 }, { 0, 4 } };
        int files = 0;
        for (Npy.Type type : Npy.Type.values())
            for (long[] shape : shapes)
                for (ByteOrder order : new ByteOrder[] { ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN })
                    for (boolean fortran : new boolean[] { false, true })
                        for (int major = 1; major <= 3; major++) {
                            Npy.Array a = counting(type, shape);
                            Path file = dir.resolve("a" + files++ + ".npy");
                            Npy.write(file, a, order, fortran, major);
                            assertEquals(a, Npy.read(file), type + " " + Arrays.toString(shape) + " " + order
                                    + (fortran ? " F" : " C") + " v" + major);
                            Npy.Header h = Npy.header(file);
                            assertEquals(fortran, h.fortranOrder());
                            assertEquals(major, h.major());
                            assertEquals(0, h.dataOffset() % 64, "numpy aligns the data to 64 bytes");
                        }
    }

    @Test
    void extremeValuesSurvive() {
        Path file = dir.resolve("u8.npy");
        Npy.write(file, new Npy.Array(Npy.Type.UINT64, new long[] { 2 }, new long[] { -1, Long.MIN_VALUE }));
        Npy.Array a = Npy.read(file);
        assertEquals(18446744073709551615.0, a.getDouble(0));
        assertEquals(9223372036854775808.0, a.getDouble(1));
        Npy.write(file, new Npy.Array(Npy.Type.FLOAT32, new long[] { 3 },
                new float[] { Float.NaN, Float.NEGATIVE_INFINITY, -0f }));
        assertArrayEquals(new float[] { Float.NaN, Float.NEGATIVE_INFINITY, -0f }, (float[]) Npy.read(file).data());
    }

    @Test
    void readsWhatNumpyWritesAndNumpyReadsWhatThisWrites() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "Skipped: " + PYTHON + " not found; install python3-numpy");
        String script = String.join("\n",
                "import sys, numpy as np",
                "d = sys.argv[1]",
                "types = ['b1','u1','i1','u2','i2','u4','i4','u8','i8','f4','f8']",
                "shape = (2, 3, 4, 5)",
                "base = np.arange(int(np.prod(shape))).reshape(shape)",
                "for t in types:",
                "    a = (base % 2 == 1) if t == 'b1' else (base % 97).astype(t)",
                "    for e in ('<', '>'):",
                "        b = a if t in ('b1','u1','i1') else a.astype(e + t)",
                "        np.save(f'{d}/np_{t}_{e == \"<\" and \"le\" or \"be\"}_C.npy', np.ascontiguousarray(b))",
                "        np.save(f'{d}/np_{t}_{e == \"<\" and \"le\" or \"be\"}_F.npy', np.asfortranarray(b))",
                "np.save(f'{d}/np_scalar.npy', np.float64(2.5))",
                "# files written by Java: check them",
                "for t in types:",
                "    a = (base % 2 == 1) if t == 'b1' else (base % 97).astype(t)",
                "    for name in (f'java_{t}_C.npy', f'java_{t}_F.npy'):",
                "        r = np.load(f'{d}/{name}')",
                "        assert r.dtype.kind == a.dtype.kind and r.dtype.itemsize == a.dtype.itemsize and r.shape == a.shape and (r == a).all(), name",
                "        assert r.flags['F_CONTIGUOUS'] == name.endswith('_F.npy') or r.ndim < 2, name",
                "print('ok')");
        long[] shape = { 2, 3, 4, 5 };
        for (Npy.Type type : Npy.Type.values()) {
            Npy.write(dir.resolve("java_" + type.code() + "_C.npy"), counting(type, shape));
            Npy.write(dir.resolve("java_" + type.code() + "_F.npy"), counting(type, shape), ByteOrder.BIG_ENDIAN, true, 0);
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", script, dir.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        Assumptions.assumeFalse(output.contains("No module named 'numpy'"),
                "Skipped: " + PYTHON + " cannot import numpy; install python3-numpy (Debian)");
        assertEquals(0, p.exitValue(), output);
        assertEquals("ok", output.strip());
        int files = 0;
        for (Npy.Type type : Npy.Type.values())
            for (String e : new String[] { "le", "be" })
                for (String order : new String[] { "C", "F" }) {
                    Path file = dir.resolve("np_" + type.code() + "_" + e + "_" + order + ".npy");
                    assertEquals(counting(type, shape), Npy.read(file), file.toString());
                    files++;
                }
        assertEquals(44, files);
        Npy.Array scalar = Npy.read(dir.resolve("np_scalar.npy"));
        assertEquals(0, scalar.shape().length);
        assertEquals(2.5, scalar.getDouble(0));
    }

    /** A version 1.0 file whose header text is {@code dict}, padded as numpy pads it, then {@code data} bytes. */
    private Path handMade(String name, String dict, int data) throws IOException {
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 }).putShort((short) (total - 10));
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1)
            b.put((byte) ' ');
        b.put((byte) '\n');
        return Files.write(dir.resolve(name), b.array());
    }

    private static void assertRefused(Path file, String... hints) throws IOException {
        byte[] before = Files.readAllBytes(file);
        for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> Npy.read(file), () -> Npy.header(file))) {
            InvalidInputException e = assertTimeoutPreemptively(MalformedFiles.LIMIT,
                    () -> assertThrows(InvalidInputException.class, call));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            for (String hint : hints)
                assertTrue(e.getMessage().contains(hint), "'" + hint + "' missing from: " + e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void handMadeHeaderReads() throws IOException {
        Path file = handMade("ok.npy", "{\"shape\": (2, 3),'fortran_order':False,  'descr':'<i2'}", 12);
        Npy.Array a = Npy.read(file);
        assertEquals(Npy.Type.INT16, a.type());
        assertArrayEquals(new long[] { 2, 3 }, a.shape());
    }

    @Test
    void malformedFilesAreRefusedNamingTheFile() throws IOException {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        assertRefused(Files.write(dir.resolve("empty.npy"), new byte[0]), "not a NumPy");
        assertRefused(Files.writeString(dir.resolve("text.npy"), "hello, world"), "not a NumPy");
        Path good = handMade("good.npy", ok, 24);
        byte[] bytes = Files.readAllBytes(good);
        for (int cut : new int[] { 6, 9, 11, 40, 63, 64, 87 })
            assertRefused(Files.write(dir.resolve("cut" + cut + ".npy"), Arrays.copyOf(bytes, cut)), "truncated");
        assertRefused(Files.write(dir.resolve("long.npy"), Arrays.copyOf(bytes, bytes.length + 8)), "needs 24");

        byte[] v9 = bytes.clone();
        v9[6] = 9;
        assertRefused(Files.write(dir.resolve("v9.npy"), v9), "version 9.0", "1.0, 2.0 and 3.0");
        byte[] hugeHeader = bytes.clone();
        hugeHeader[6] = 2;
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fffffff);
        assertRefused(Files.write(dir.resolve("hh.npy"), hugeHeader), "header claims");

        assertRefused(handMade("descr.npy", ok.replace("<f4", "<c8"), 48), "'<c8'", "f4");
        assertRefused(handMade("str.npy", ok.replace("<f4", "<U3"), 24), "'<U3'");
        assertRefused(handMade("noorder.npy", ok.replace("<f4", "|f4"), 24), "byte order");
        assertRefused(handMade("struct.npy", ok.replace("'<f4'", "[('x', '<f4')]"), 24), "structured");
        assertRefused(handMade("nokey.npy", "{'descr': '<f4', 'shape': (2, 3), }", 24), "fortran_order");
        assertRefused(handMade("extra.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24),
                "other than");
        assertRefused(handMade("twice.npy", "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", 24),
                "twice");
        assertRefused(handMade("fo.npy", ok.replace("False", "0"), 24), "fortran_order is 0");
        assertRefused(handMade("neg.npy", ok.replace("(2, 3)", "(-2, 3)"), 24), "negative");
        assertRefused(handMade("nan.npy", ok.replace("(2, 3)", "(2, x)"), 24), "'x'");
        assertRefused(handMade("notuple.npy", ok.replace("(2, 3)", "6"), 24), "tuple");
        assertRefused(handMade("one.npy", ok.replace("(2, 3)", "(6)"), 24), "(n,)");
        assertRefused(handMade("list.npy", "['descr', '<f4']", 24), "dict");
        assertRefused(handMade("open.npy", "{'descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}", 24), "header");
        // sizes claimed beyond the file: refused from the size, before any allocation
        assertRefused(handMade("big.npy", ok.replace("(2, 3)", "(100000, 100000, 100)"), 24), "truncated", "bytes");
        assertRefused(handMade("over.npy", ok.replace("(2, 3)", "(4294967296, 4294967296, 4)"), 24), "more values");
    }

    @Test
    void missingFileAndFolderAreNamed() throws IOException {
        Path file = dir.resolve("none.npy");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not found"), e.getMessage());
        Path folder = Files.createDirectory(dir.resolve("folder.npy"));
        e = assertThrows(InvalidInputException.class, () -> Npy.read(folder));
        assertTrue(e.getMessage().contains(folder.toString()) && e.getMessage().contains("folder"), e.getMessage());
    }

    @Test
    void writeRefusesDataThatDoesNotFitItsShape() {
        assertThrows(IllegalArgumentException.class, () -> Npy.Array.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new Npy.Array(Npy.Type.INT16, new long[] { 2 }, new int[2]));
    }
}
