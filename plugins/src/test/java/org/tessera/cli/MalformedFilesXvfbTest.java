package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.fiji.CorpusHarness;
import org.tessera.fiji.FijiTestSupport;

/**
 * The malformed files of the corpus ({@link CorpusFiles}) through ImageJ with a display (Xvfb), where an error
 * is a modal dialog and a careless exception would be ImageJ's exception window or a frozen macro: each file
 * through the macro functions, then all of them as one folder through the Tessera Segment Folder menu command.
 * Every file that the command line refuses must stop its macro with an error dialog and a Log line naming the
 * file; the folder run must do what the command line does on the same folder (the same outputs) and report the
 * failures; no stack trace, no window left but the Log, no file changed, all within the time limit.
 * <p>
 * The macro functions take every {@value #MACRO_STRIDE}th file (and all of them headless, in
 * {@link MalformedFilesMacroTest}): with a display, ImageJ waits 2 s in every macro it aborts.
 */
class MalformedFilesXvfbTest {

    private static final int MACRO_STRIDE = 8;
    private static final Path ROOT = Path.of(System.getProperty("tessera.root", "..")).toAbsolutePath().normalize();
    private static final Path SAMPLE_2D = ROOT.resolve("sample-volumes/nuclei-2d-phantom.tif"),
            SAMPLE_3D = ROOT.resolve("sample-volumes/nuclei-3d-phantom.nii.gz");
    private static final Set<String> FILE_KINDS = Set.of("nifti", "tiff", "png", "other");

    @TempDir
    Path dir;

    @Test
    void theCorpusEndsInImageJErrorMessages() throws Exception {
        Path imagej = FijiTestSupport.imageJWithMenus(dir);
        Map<Path, Integer> files = new LinkedHashMap<>(); // input -> what segment exits with on it
        for (MalformedFilesCorpusTest.Case c : new CorpusFiles(dir).all())
            if (FILE_KINDS.contains(c.kind()) && c.inputs().size() == 1 && !c.args().isEmpty()
                    && c.args().get(0).equals("segment") && Files.isRegularFile(c.inputs().get(0)))
                files.putIfAbsent(c.inputs().get(0), c.status());
        assertTrue(files.size() >= 200, "only " + files.size() + " corpus files");

        // one folder holding every file, under names that keep the kind apart
        Path folder = Files.createDirectories(dir.resolve("fiji-in"));
        List<Path> list = new ArrayList<>(files.keySet());
        Map<Path, String> hashes = new LinkedHashMap<>();
        for (Path f : list) {
            Files.copy(f, folder.resolve(f.getParent().getFileName() + "-" + f.getFileName()));
            hashes.put(f, sha256(f));
        }
        // and two sound images, which the folder runs must still segment
        for (Path good : List.of(SAMPLE_2D, SAMPLE_3D))
            Files.copy(good, folder.resolve(good.getFileName()));
        List<Path> macroFiles = new ArrayList<>();
        for (int i = 0; i < list.size(); i += MACRO_STRIDE)
            macroFiles.add(list.get(i));
        Files.write(dir.resolve("files.txt"), macroFiles.stream().map(Path::toString).toList());
        Path fijiOut = dir.resolve("fiji-out"), cliOut = dir.resolve("cli-out");
        String report = FijiTestSupport.harnessUnderXvfb(300, dir, imagej, "1280x1024x24", dir.resolve("report.txt"),
                CorpusHarness.class.getName(), dir.resolve("files.txt").toString(), folder.toString(),
                fijiOut.toString(), dir.resolve("report.txt").toString());

        List<String> unclean = new ArrayList<>();
        int refused = 0;
        List<String[]> rows = report.lines().filter(l -> l.startsWith("FILE\t")).map(l -> l.split("\t")).toList();
        assertEquals(macroFiles.size(), rows.size(), "a file was not run:\n" + report);
        for (String[] row : rows) {
            Path file = macroFiles.get(Integer.parseInt(row[1]));
            int dialogs = Integer.parseInt(row[2]);
            boolean wentOn = Boolean.parseBoolean(row[3]), named = Boolean.parseBoolean(row[4]),
                    trace = Boolean.parseBoolean(row[5]);
            String name = file.getParent().getFileName() + "/" + file.getFileName();
            if (dialogs > 0 && !wentOn)
                refused++;
            if (files.get(file) == ExitCodes.INVALID_INPUT && (dialogs != 1 || wentOn || !named))
                unclean.add(name + ": refused by the command line, but in ImageJ " + dialogs + " dialog(s), went on "
                        + wentOn + ", Log names the file " + named);
            if (trace)
                unclean.add(name + ": a stack trace in the Log");
        }
        for (Path file : list)
            if (!hashes.get(file).equals(sha256(file)))
                unclean.add(file + ": the file changed");

        // the folder command against the command line on the same folder
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = TesseraCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), "segment", "-m",
                "classic:otsu", "-i", folder.toString(), "-o", cliOut.toString());
        assertEquals(ExitCodes.SOME_FAILED, status, err.toString());
        String[] folderRow = report.lines().filter(l -> l.startsWith("FOLDER\t")).findFirst()
                .orElseThrow(() -> new AssertionError("no folder run:\n" + report)).split("\t");
        String folderLog = report.lines().filter(l -> l.startsWith("FOLDER_LOG\t")).findFirst().orElseThrow()
                .replace('\u0001', '\n');
        if (!folderRow[1].equals("1"))
            unclean.add("Tessera Segment Folder: " + folderRow[1] + " dialogs, expected its one summary of the failures");
        if (Boolean.parseBoolean(folderRow[2]))
            unclean.add("Tessera Segment Folder: a stack trace in the Log");
        Set<String> fijiMade = names(fijiOut), cliMade = names(cliOut);
        if (!fijiMade.equals(cliMade) || fijiMade.stream().filter(n -> n.contains("_labels.")).count() != 2)
            unclean.add("Tessera Segment Folder made " + fijiMade + ", the command line " + cliMade
                    + "; both should hold the labels of the two sound images");
        int failedInLog = 0;
        try (Stream<Path> inputs = Files.list(folder)) {
            for (Path p : (Iterable<Path>) inputs::iterator) {
                String name = p.getFileName().toString();
                if (err.toString().contains("tessera: " + p + ": ")) {
                    failedInLog++;
                    if (!folderLog.contains("] " + name + ": failed"))
                        unclean.add("Tessera Segment Folder: the Log does not name " + name
                                + " as failed, which the command line does");
                }
            }
        }
        report.lines().filter(l -> l.startsWith("WINDOW\t") && !l.equals("WINDOW\tLog"))
                .forEach(l -> unclean.add("a window left open: " + l.substring(7)));

        System.out.printf("fiji corpus: %d files; %d through the macro functions under Xvfb, %d refused with an error "
                + "dialog; Tessera Segment Folder on all of them: %d outputs, %d failures named; %d unclean%n",
                list.size(), rows.size(), refused, fijiMade.size(), failedInLog, unclean.size());
        assertTrue(failedInLog >= list.size() - 1, "the command line named only " + failedInLog + " failed files:\n" + err);
        assertEquals(0, unclean.size(), String.join("\n", unclean) + "\n" + report);
    }

    private static Set<String> names(Path folder) throws Exception {
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(folder))
            try (Stream<Path> all = Files.list(folder)) {
                all.forEach(p -> names.add(p.getFileName().toString()));
            }
        return names;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
