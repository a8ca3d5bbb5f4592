package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of several hundred malformed or hostile files and parameters, each given to the command line as a
 * user would: broken NIfTI, TIFF and PNG files (to {@code segment} with a classic method and with a shipped
 * network, and to {@code info}), broken model folders, fingerprints, dataset.json files and data sets, and bad
 * values of every option. Every case must end within its time limit with exit 2 (3 for a folder with some bad
 * inputs), a message naming the file or option and no stack trace, no output left behind (but the good inputs'
 * outputs of a mixed folder), and its inputs unchanged. Prints the counts; fails listing every unclean case.
 */
class MalformedFilesCorpusTest {

    /** Far more than any clean refusal takes; a reader that loops or decodes gigabytes takes longer. */
    private static final long LIMIT_SECONDS = 20;
    /** A shipped network: cases whose input is read in full reach it. */
    static final String NETWORK = "nuclei-2d-unet";
    private static final Pattern STACK_LINE = Pattern.compile("(?m)^\\s+at [\\w.$]+\\(|Exception|\\bCaused by\\b");

    @TempDir
    Path dir;

    /**
     * One case: the command line, the files it must leave unchanged, the folder that must stay empty (but for
     * {@code produced}), the exit status it must end with and the text its message must hold ({@code names}: alternatives separated by
     * {@code |}, matched ignoring case).
     */
    record Case(String kind, String name, List<String> args, List<Path> inputs, Path outDir, int status, String names,
            List<Path> produced) {}

    private record Outcome(Case c, String problem) {}

    @Test
    void everyCaseIsRefusedCleanly() throws Exception {
        CorpusFiles files = new CorpusFiles(dir);
        List<Case> cases = new ArrayList<>(files.all());
        assertTrue(cases.size() >= 300, "the corpus has only " + cases.size() + " cases");

        List<Outcome> unclean = new ArrayList<>();
        Map<String, int[]> byKind = new LinkedHashMap<>();
        ExecutorService worker = Executors.newSingleThreadExecutor(CorpusFiles::daemon);
        long start = System.nanoTime();
        try {
            for (Case c : cases) {
                String problem;
                try {
                    problem = check(c, worker);
                } catch (TimeoutException e) {
                    problem = "did not end within " + LIMIT_SECONDS + " s";
                    worker.shutdownNow(); // the stuck thread is a daemon; the next cases get a fresh one
                    worker = Executors.newSingleThreadExecutor(CorpusFiles::daemon);
                }
                int[] counts = byKind.computeIfAbsent(c.kind(), k -> new int[2]);
                counts[0]++;
                if (problem == null)
                    counts[1]++;
                else
                    unclean.add(new Outcome(c, problem));
            }
        } finally {
            worker.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Map.Entry<String, int[]> e : byKind.entrySet())
            System.out.printf("corpus %-12s %4d cases, %4d clean, %3d unclean%n", e.getKey(), e.getValue()[0],
                    e.getValue()[1], e.getValue()[0] - e.getValue()[1]);
        System.out.printf("corpus: %d cases, %d clean, %d unclean (%s) in %.1f s%n", cases.size(),
                cases.size() - unclean.size(), unclean.size(), byKind.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()[0]).collect(Collectors.joining(", ")), seconds);
        String report = unclean.stream().map(o -> o.c().kind() + "/" + o.c().name() + " " + String.join(" ",
                o.c().args()) + "\n    " + o.problem()).collect(Collectors.joining("\n"));
        assertEquals(0, unclean.size(), unclean.size() + " unclean case(s):\n" + report);
    }

    /** Runs one case under the time limit; null when it is clean, else what is wrong. */
    private static String check(Case c, ExecutorService worker) throws Exception {
        Map<Path, String> before = new LinkedHashMap<>();
        for (Path p : c.inputs())
            hashAll(p, before);
        Future<CliTest.Run> future = worker.submit(() -> {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int status = TesseraCli.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                    c.args().toArray(String[]::new));
            return new CliTest.Run(status, out.toString(), err.toString());
        });
        CliTest.Run r;
        try {
            r = future.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return "threw " + e.getCause();
        }
        List<String> problems = new ArrayList<>();
        if (r.status() != c.status())
            problems.add("exit " + r.status() + ", expected " + c.status());
        boolean named = false;
        for (String alternative : c.names().split("\\|"))
            named |= !alternative.isEmpty() && r.err().toLowerCase(Locale.ROOT).contains(alternative.toLowerCase(Locale.ROOT));
        if (c.status() == ExitCodes.OK)
            named = true; // a sound file described by info: nothing to say
        else if (r.err().isBlank())
            problems.add("no message");
        if (!named && !r.err().isBlank())
            problems.add("message does not name '" + c.names().replace("|", "' or '") + "'");
        if (STACK_LINE.matcher(r.err()).find())
            problems.add("stack trace or exception name in the message");
        if (c.outDir() != null && Files.isDirectory(c.outDir())) {
            try (Stream<Path> left = Files.walk(c.outDir())) {
                List<Path> extra = left.filter(Files::isRegularFile).filter(p -> !c.produced().contains(p)).toList();
                if (!extra.isEmpty())
                    problems.add("left output " + extra);
            }
        } else if (c.outDir() != null && Files.exists(c.outDir())) {
            problems.add("left output " + c.outDir());
        }
        for (Path p : c.produced())
            if (!Files.isRegularFile(p))
                problems.add("the good input's output " + p.getFileName() + " is missing");
        Map<Path, String> after = new LinkedHashMap<>();
        for (Path p : c.inputs())
            hashAll(p, after);
        if (!before.equals(after))
            problems.add("an input changed");
        if (problems.isEmpty())
            return null;
        String err = r.err().strip();
        return String.join("; ", problems) + "\n    stderr: " + (err.length() > 600 ? err.substring(0, 600) + "..." : err);
    }

    /** SHA-256 of a file, or of every file under a folder (and the folder's listing). */
    private static void hashAll(Path p, Map<Path, String> into) throws IOException {
        if (!Files.exists(p)) {
            into.put(p, "absent");
            return;
        }
        if (Files.isDirectory(p)) {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path f : all.sorted().toList())
                    into.put(f, Files.isRegularFile(f) ? sha256(f) : "folder");
            }
            return;
        }
        into.put(p, sha256(p));
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0;)
                    md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
