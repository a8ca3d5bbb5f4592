package org.tessera.planner.importer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.tessera.volume.InvalidInputException;

/**
 * A Python script shipped inside the jar, run with an interpreter that has PyTorch: {@code $TESSERA_PYTHON},
 * else {@code /usr/bin/python3} (Debian's python3-torch installs there), else {@code python3} on the PATH;
 * the first that imports the needed modules.
 */
final class PythonStep {

    /** A script's way of refusing its input: exit status 2 and a line "error: ..." on its output. */
    static final int REFUSED = 2;

    private PythonStep() {}

    /** The interpreters tried, in order, with where each came from. */
    static Map<String, String> candidates() {
        Map<String, String> c = new LinkedHashMap<>();
        String env = System.getenv("TESSERA_PYTHON");
        if (env != null && !env.isBlank())
            c.put(env, "TESSERA_PYTHON");
        c.putIfAbsent("/usr/bin/python3", "the system Python");
        c.putIfAbsent("python3", "python3 on the PATH");
        return c;
    }

    /**
     * The first candidate that imports every module.
     *
     * @throws InvalidInputException naming the interpreters tried and how to install the modules
     */
    static String interpreter(List<String> modules, String purpose) {
        return interpreter(candidates(), modules, purpose);
    }

    static String interpreter(Map<String, String> candidates, List<String> modules, String purpose) {
        List<String> tried = new ArrayList<>();
        for (Map.Entry<String, String> c : candidates.entrySet()) {
            String outcome = tryImport(c.getKey(), modules);
            if (outcome == null)
                return c.getKey();
            tried.add(c.getKey() + " (" + c.getValue() + "): " + outcome);
        }
        throw new InvalidInputException(purpose + " needs Python 3 with " + String.join(", ", modules) + "; tried "
                + String.join("; ", tried) + ". Install Debian's packages (apt install python3-torch python3-onnx "
                + "python3-numpy) or point TESSERA_PYTHON at an interpreter that has them.");
    }

    /** null when {@code python} imports the modules, else what went wrong. */
    private static String tryImport(String python, List<String> modules) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import " + String.join(", ", modules))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not answer within 2 minutes";
            }
            if (p.exitValue() == 0)
                return null;
            String[] lines = out.split("\n");
            return lines[lines.length - 1];
        } catch (IOException e) {
            return "not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Copies the named scripts from the class path folder {@code resources} into {@code dir}. */
    static void extract(String resources, List<String> names, Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : names)
                try (InputStream in = PythonStep.class.getResourceAsStream(resources + name)) {
                    if (in == null)
                        throw new IllegalStateException("The Tessera jar lacks " + resources + name + "; rebuild it");
                    Files.copy(in, dir.resolve(name));
                }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the Python scripts into " + dir, e);
        }
    }

    /**
     * Runs {@code python script args...}, each output line to {@code log}.
     *
     * @throws InvalidInputException with the script's "error: ..." line when it refuses its input (exit 2),
     *                               or with the end of its output when it fails otherwise
     */
    static void run(String python, Path script, List<String> args, String what, Consumer<String> log) {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(args);
        Deque<String> tail = new ArrayDeque<>();
        String refusal = null;
        int status;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("error: "))
                        refusal = line.substring("error: ".length());
                    else if (!line.isBlank())
                        log.accept(line);
                    tail.addLast(line);
                    if (tail.size() > 8)
                        tail.removeFirst();
                }
            }
            status = p.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + python + " " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + what, e);
        }
        if (status == 0)
            return;
        if (status == REFUSED && refusal != null)
            throw new InvalidInputException(refusal);
        throw new InvalidInputException("The Python step failed while " + what + " (exit status " + status
                + "); its last lines:\n" + String.join("\n", tail));
    }
}
