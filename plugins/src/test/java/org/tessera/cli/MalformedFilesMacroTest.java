package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import ij.WindowManager;
import ij.macro.Interpreter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.fiji.TesseraMacro;

/**
 * The malformed files of the corpus ({@link CorpusFiles}) through the macro functions, in this JVM and headless:
 * in batch mode as {@code ImageJ -batch} runs a macro: {@code Ext.tesseraOpen(file)}, then, where it opened,
 * {@code Ext.tesseraSegment("classic:otsu", "")}. Every file
 * that the command line refuses must end in the functions' error report (an ImageJ error naming the file), and no
 * file may let an exception out of the functions, put a stack trace in front of the user, take longer than the
 * time limit or change the file.
 */
class MalformedFilesMacroTest {

    private static final long LIMIT_SECONDS = 20;
    private static final Pattern STACK_LINE = Pattern.compile("(?m)^\\s+at [\\w.$]+\\(|\\bCaused by\\b");
    private static final Set<String> FILE_KINDS = Set.of("nifti", "tiff", "png", "other");

    @TempDir
    Path dir;

    @Test
    void everyRefusedFileEndsInAnErrorMessage() throws Exception {
        Map<Path, Integer> files = new LinkedHashMap<>(); // input -> what segment exits with on it
        for (MalformedFilesCorpusTest.Case c : new CorpusFiles(dir).all())
            if (FILE_KINDS.contains(c.kind()) && c.inputs().size() == 1 && !c.args().isEmpty()
                    && c.args().get(0).equals("segment") && Files.isRegularFile(c.inputs().get(0)))
                files.putIfAbsent(c.inputs().get(0), c.status());
        assertTrue(files.size() >= 200, "only " + files.size() + " corpus files");

        List<String> unclean = new ArrayList<>();
        Set<String> kinds = new LinkedHashSet<>();
        int reported = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(CorpusFiles::daemon);
        PrintStream out = System.out, err = System.err;
        boolean batch = Interpreter.batchMode;
        Interpreter.batchMode = true; // as in 'ImageJ -batch': images open without windows
        try {
            for (Map.Entry<Path, Integer> e : files.entrySet()) {
                Path file = e.getKey();
                kinds.add(file.getParent().getFileName().toString());
                String before = sha256(file);
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
                System.setOut(capture);
                System.setErr(capture);
                String problem = null;
                Future<?> run = worker.submit(() -> {
                    TesseraMacro macro = new TesseraMacro();
                    WindowManager.setTempCurrentImage(null);
                    macro.handleExtension("tesseraOpen", new Object[] { file.toString() });
                    if (WindowManager.getCurrentImage() != null)
                        macro.handleExtension("tesseraSegment", new Object[] { "classic:otsu", "" });
                    WindowManager.setTempCurrentImage(null);
                });
                try {
                    run.get(LIMIT_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException t) {
                    problem = "did not end within " + LIMIT_SECONDS + " s";
                    worker.shutdownNow();
                    worker = Executors.newSingleThreadExecutor(CorpusFiles::daemon);
                } catch (java.util.concurrent.ExecutionException x) {
                    problem = "an exception left the macro function: " + x.getCause();
                } finally {
                    System.setOut(out);
                    System.setErr(err);
                }
                String text = captured.toString(StandardCharsets.UTF_8);
                boolean error = text.contains("Tessera tesseraOpen") || text.contains("Tessera tesseraSegment");
                if (error)
                    reported++;
                if (problem == null && STACK_LINE.matcher(text).find())
                    problem = "stack trace shown:\n" + text;
                if (problem == null && e.getValue() == ExitCodes.INVALID_INPUT && !error)
                    problem = "the command line refuses it, the macro functions gave no error:\n" + text;
                // Ext.tesseraOpen's errors name the file; Ext.tesseraSegment's speak of the open image
                if (problem == null && text.contains("Tessera tesseraOpen") && !text.contains(file.getFileName().toString()))
                    problem = "the error does not name the file:\n" + text;
                if (!before.equals(sha256(file)))
                    problem = "the file changed";
                if (problem != null)
                    unclean.add(file.getParent().getFileName() + "/" + file.getFileName() + ": " + problem);
            }
        } finally {
            worker.shutdownNow();
            Interpreter.batchMode = batch;
        }
        System.out.printf("macro corpus: %d files (%s), %d refused with an error message, %d unclean%n",
                files.size(), String.join(", ", kinds), reported, unclean.size());
        assertEquals(0, unclean.size(), String.join("\n", unclean));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
