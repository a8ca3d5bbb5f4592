package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

/** Real ONNX Runtime on the tiny fixture models. */
class OrtEngineTest {

    private static Model model(String id) {
        return Model.fromFolder(Fixtures.folder(id), Model.Source.USER);
    }

    @Test
    void cpuEngineReproducesTheGoldenOutputs() {
        for (String id : new String[] { Fixtures.TINY_2D, Fixtures.TINY_3D }) {
            Model m = model(id);
            try (OrtEngine engine = m.open(OrtEngine.Options.cpu(2))) {
                assertEquals("CPU (2 threads)", engine.device());
                GoldenCheck.Report r = GoldenCheck.verify(m, engine);
                assertTrue(r.maxAbsDiff() <= 1e-4, r.toString());
                assertEquals(Integer.MAX_VALUE, engine.maxBatch(), "dynamic batch axis");
            }
        }
    }

    @Test
    void readsTheGraphSignature() {
        try (OrtEngine engine = model(Fixtures.TINY_3D).open(OrtEngine.Options.cpu(1))) {
            assertEquals("CPU (1 thread)", engine.device());
            assertArrayEquals(new long[] { -1, 2, -1, -1, -1 }, engine.graph().inputs().get("input"));
            assertArrayEquals(new long[] { -1, 2, -1, -1, -1 }, engine.graph().outputs().get("logits"));
        }
    }

    @Test
    void batchOfTwoEqualsTwoBatchesOfOne() {
        Model m = model(Fixtures.TINY_2D);
        float[] golden = goldenInput(m); // shape (2, 1, 24, 32)
        int half = golden.length / 2;
        try (OrtEngine engine = m.open(OrtEngine.Options.cpu(2))) {
            Engine.Result both = engine.run(direct(golden, 0, golden.length), new long[] { 2, 1, 24, 32 });
            assertArrayEquals(new long[] { 2, 2, 24, 32 }, both.shape());
            for (int b = 0; b < 2; b++) {
                // A slice starting mid-buffer checks that the engine honours the buffer's position.
                FloatBuffer all = direct(golden, 0, golden.length);
                all.position(b * half).limit((b + 1) * half);
                Engine.Result one = engine.run(all, new long[] { 1, 1, 24, 32 });
                assertArrayEquals(new long[] { 1, 2, 24, 32 }, one.shape());
                int outHalf = both.data().length / 2;
                for (int i = 0; i < outHalf; i++)
                    assertEquals(both.data()[b * outHalf + i], one.data()[i], 1e-5, "batch " + b + " element " + i);
            }
        }
    }

    @Test
    void heapBuffersWorkToo() {
        Model m = model(Fixtures.TINY_2D);
        float[] golden = goldenInput(m);
        try (OrtEngine engine = m.open(OrtEngine.Options.cpu(1))) {
            Engine.Result direct = engine.run(direct(golden, 0, golden.length), new long[] { 2, 1, 24, 32 });
            Engine.Result heap = engine.run(FloatBuffer.wrap(golden), new long[] { 2, 1, 24, 32 });
            assertArrayEquals(direct.data(), heap.data(), 1e-6f);
        }
    }

    @Test
    void wrongChannelCountIsAUserError() {
        try (OrtEngine engine = model(Fixtures.TINY_3D).open(OrtEngine.Options.cpu(1))) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> engine.run(Engine.allocate(8 * 8 * 8), new long[] { 1, 1, 8, 8, 8 }));
            assertTrue(e.getMessage().contains("'tiny-unet-3d' needs 2-channel input, not 1"), e.getMessage());
        }
    }

    @Test
    void runtimeFailuresAreEngineExceptions() {
        try (OrtEngine engine = model(Fixtures.TINY_2D).open(OrtEngine.Options.cpu(1))) {
            // Odd sizes cannot be pooled and upsampled back: the concat inside the network fails.
            EngineException e = assertThrows(EngineException.class,
                    () -> engine.run(Engine.allocate(7 * 9), new long[] { 1, 1, 7, 9 }));
            assertTrue(e.getMessage().contains("tiny-unet-2d"), e.getMessage());
            assertTrue(!AdaptiveBatchRunner.isOutOfMemory(e), "not an out-of-memory failure: " + e.getMessage());
        }
    }

    @Test
    void requestedCudaFailsClearlyWhenUnusable() {
        Model m = model(Fixtures.TINY_2D);
        OrtEngine engine;
        try {
            engine = m.open(new OrtEngine.Options(OrtEngine.Device.CUDA, 1));
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().startsWith("CUDA was requested for model 'tiny-unet-2d' but"), e.getMessage());
            assertTrue(e.getMessage().contains("onnxruntime_gpu") && e.getMessage().contains("--device cpu"),
                    e.getMessage());
            return;
        }
        try (engine) {
            assertEquals("CUDA:0", engine.device());
            GoldenCheck.verify(m, engine);
        }
    }

    @Test
    void autoFallsBackToCpuAndSaysWhy() {
        Model m = model(Fixtures.TINY_2D);
        try (OrtEngine engine = m.open(new OrtEngine.Options(OrtEngine.Device.AUTO, 2))) {
            if (engine.device().startsWith("CUDA")) {
                assertEquals(null, engine.fallbackReason());
            } else {
                assertEquals("CPU (2 threads)", engine.device());
                assertNotNull(engine.fallbackReason(), "auto records why CUDA was not used");
            }
            GoldenCheck.verify(m, engine);
        }
    }

    @Test
    void parsesDeviceNames() {
        assertEquals(OrtEngine.Device.CUDA, OrtEngine.Device.parse(" Cuda "));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OrtEngine.Device.parse("gpu"));
        assertTrue(e.getMessage().contains("use auto, cpu or cuda"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> OrtEngine.Options.cpu(0));
    }

    @Test
    void aBrokenOnnxFileIsAUserError(@TempDir Path dir) throws IOException {
        Path onnx = dir.resolve("model.onnx");
        Files.write(onnx, new byte[] { 1, 2, 3, 4 });
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OrtEngine.open(onnx, "broken", OrtEngine.Options.cpu(1)));
        assertTrue(e.getMessage().startsWith("Model 'broken': ONNX Runtime cannot load it"), e.getMessage());
    }

    @Test
    void goldenCheckCatchesAWrongPair(@TempDir Path dir) throws IOException {
        Path folder = Fixtures.copy(Fixtures.TINY_2D, dir.resolve("tiny-unet-2d"));
        byte[] out = Files.readAllBytes(folder.resolve(Model.GOLDEN_OUTPUT));
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(400, b.getFloat(400) + 0.01f); // element 100
        Files.write(folder.resolve(Model.GOLDEN_OUTPUT), out);
        Model m = Model.fromFolder(folder, Model.Source.USER);
        try (OrtEngine engine = m.open(OrtEngine.Options.cpu(1))) {
            GoldenCheck.Report r = GoldenCheck.measure(m, engine);
            assertEquals(100, r.worstIndex());
            assertEquals(0.01, r.maxAbsDiff(), 1e-3);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> GoldenCheck.verify(m, engine));
            assertTrue(e.getMessage().contains("fails its golden check"), e.getMessage());
        }
    }

    static float[] goldenInput(Model m) {
        FloatBuffer fb = ByteBuffer.wrap(m.readFile(Model.GOLDEN_INPUT)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }

    static FloatBuffer direct(float[] values, int from, int length) {
        FloatBuffer fb = Engine.allocate(length);
        fb.put(values, from, length).flip();
        return fb;
    }
}
