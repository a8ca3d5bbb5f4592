package org.tessera.planner.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

class PythonStepTest {

    @TempDir
    Path dir;

    /** A stand-in interpreter: a shell script that answers like a Python without the module, or with it. */
    private String fakePython(String name, boolean hasModules) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, hasModules ? "#!/bin/sh\nexit 0\n"
                : "#!/bin/sh\necho \"Traceback (most recent call last):\"\necho \"ModuleNotFoundError: No module named 'torch'\"\nexit 1\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p.toString();
    }

    @Test
    void theFirstInterpreterWithTheModulesIsTaken() throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(dir.resolve("missing-python").toString(), "TESSERA_PYTHON");
        c.put(fakePython("without", false), "the system Python");
        String with = fakePython("with", true);
        c.put(with, "python3 on the PATH");
        assertEquals(with, PythonStep.interpreter(c, List.of("torch", "onnx"), "Importing"));
    }

    @Test
    void noInterpreterWithTorchIsAClearMessage() throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(dir.resolve("missing-python").toString(), "TESSERA_PYTHON");
        c.put(fakePython("without", false), "the system Python");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> PythonStep.interpreter(c, List.of("torch", "onnx"), "Importing an nnU-Net model"));
        String m = e.getMessage();
        assertTrue(m.startsWith("Importing an nnU-Net model needs Python 3 with torch, onnx"), m);
        assertTrue(m.contains("missing-python (TESSERA_PYTHON): not found"), m);
        assertTrue(m.contains("No module named 'torch'") && m.contains("python3-torch"), m);
    }
}
