package org.tessera.bioimageio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import org.tessera.volume.InvalidInputException;

/**
 * A package's folder and description file: a folder holding {@code rdf.yaml} or {@code bioimageio.yaml}, such a
 * file itself, or a .zip unpacked into a scratch folder with checks (no absolute or escaping paths, at most
 * {@value #MAX_ENTRIES} entries and {@value #MAX_TOTAL} bytes). Files the description names must lie inside the
 * package and match their sha256. Messages name the description as the user gave it ({@code where}: the .zip
 * and the entry for a zip).
 */
record PackageFiles(Path root, Path rdf, String name, String where) {

    static final int MAX_ENTRIES = 10_000;
    static final long MAX_TOTAL = 8L << 30;
    static final List<String> RDF_NAMES = List.of("rdf.yaml", "bioimageio.yaml");

    static boolean looksLikePackage(Path source) {
        String name = source.getFileName() == null ? "" : source.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(source))
            return findRdf(source) != null;
        return name.endsWith(".zip") || RDF_NAMES.contains(name) || name.endsWith(".bioimageio.yaml");
    }

    private static Path findRdf(Path folder) {
        for (String n : RDF_NAMES)
            if (Files.isRegularFile(folder.resolve(n)))
                return folder.resolve(n);
        try (var files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".bioimageio.yaml")).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Opens {@code source}; a zip is unpacked under {@code scratch}. */
    static PackageFiles open(Path source, Path scratch) {
        String fileName = source.getFileName() == null ? source.toString() : source.getFileName().toString();
        if (Files.isDirectory(source)) {
            Path rdf = findRdf(source);
            if (rdf == null)
                throw new InvalidInputException(source + " holds no rdf.yaml or bioimageio.yaml; a bioimage.io package "
                        + "folder has its model description there");
            return new PackageFiles(source, rdf, fileName, rdf.toString());
        }
        if (fileName.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            Path root = scratch.resolve("package");
            unzip(source, root);
            Path rdf = findRdf(root);
            if (rdf == null)
                throw new InvalidInputException(source + " holds no rdf.yaml or bioimageio.yaml at its top level; a "
                        + "bioimage.io package zip has its model description there");
            return new PackageFiles(root, rdf, fileName.substring(0, fileName.length() - 4), source + " (" + rdf.getFileName() + ")");
        }
        if (fileName.endsWith(".yaml") || fileName.endsWith(".yml")) {
            Path parent = source.toAbsolutePath().getParent();
            return new PackageFiles(parent, source, parent.getFileName() == null ? "model" : parent.getFileName().toString(),
                    source.toString());
        }
        throw new InvalidInputException(source + " is not a bioimage.io package; give its folder, its rdf.yaml / "
                + "bioimageio.yaml, or its .zip");
    }

    private static void unzip(Path zip, Path root) {
        int entries = 0;
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            Files.createDirectories(root);
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES)
                    throw new InvalidInputException(zip + " has more than " + MAX_ENTRIES + " entries; a model package "
                            + "holds a few files");
                String name = e.getName();
                Path target = root.resolve(name).normalize();
                if (name.startsWith("/") || name.startsWith("\\") || name.contains("\\") || name.matches("^[A-Za-z]:.*")
                        || name.contains("\0") || !target.startsWith(root) || target.equals(root) && !e.isDirectory())
                    throw new InvalidInputException(zip + " holds the entry '" + name + "', which would be written outside "
                            + "the package (an absolute path or '..'); such a zip is refused. Re-create the package with "
                            + "relative paths inside it");
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (OutputStream out = Files.newOutputStream(target)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        total += n;
                        if (total > MAX_TOTAL)
                            throw new InvalidInputException(zip + " unpacks to more than " + (MAX_TOTAL >> 30) + " GB "
                                    + "(entry '" + name + "'); a model package is smaller. Is it a zip bomb?");
                        out.write(buffer, 0, n);
                    }
                }
            }
        } catch (ZipException e) {
            throw new InvalidInputException(zip + " is not a readable zip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot unpack " + zip + ": " + e.getMessage(), e);
        }
        if (entries == 0)
            throw new InvalidInputException(zip + " is empty or not a zip file; a bioimage.io package zip holds rdf.yaml "
                    + "and the files it names");
    }

    /** A file the description names, inside the package. */
    Path file(String source, String field) {
        if (source == null || source.isBlank())
            throw new InvalidInputException(where + ": " + field + " names no file");
        String s = source.strip();
        if (s.matches("(?i)^[a-z][a-z0-9+.-]*://.*"))
            throw new InvalidInputException(where + ": " + field + " is the URL " + s + "; Tessera imports packages whose "
                    + "files are inside them (download the package as a .zip, e.g. from bioimage.io, and import that)");
        Path p = root.resolve(s).normalize();
        if (Path.of(s).isAbsolute() || !p.startsWith(root.normalize()))
            throw new InvalidInputException(where + ": " + field + " '" + s + "' lies outside the package; files must be "
                    + "given relative to rdf.yaml, inside its folder");
        if (!Files.isRegularFile(p))
            throw new InvalidInputException(where + ": " + field + " '" + s + "' is missing from the package");
        return p;
    }

    /** Checks every file the description lists with a sha256 (weights, test and sample tensors, attachments...). */
    void checkHashes(Map<String, Object> rdfTree) {
        walk(rdfTree, "", java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    }

    /** Each mapping and list once: YAML aliases share them, and a walk along every alias could take exponential time. */
    private void walk(Object node, String at, java.util.Set<Object> seen) {
        if ((node instanceof Map || node instanceof List) && !seen.add(node))
            return;
        if (node instanceof Map<?, ?> m) {
            Object source = m.get("source");
            Object sha = m.get("sha256");
            // a sha256 of digits only reads as a number: compared as text, it fails as it should
            if (source instanceof String s && sha != null && !s.matches("(?i)^[a-z][a-z0-9+.-]*://.*"))
                verify(file(s, at + "source"), String.valueOf(sha), at + "sha256");
            Object arch = m.get("architecture");
            Object archSha = m.get("architecture_sha256");
            if (arch instanceof String a && archSha != null && a.contains(":"))
                verify(file(a.substring(0, a.lastIndexOf(':')), at + "architecture"), String.valueOf(archSha),
                        at + "architecture_sha256");
            for (Map.Entry<?, ?> e : m.entrySet())
                walk(e.getValue(), at + e.getKey() + ".", seen);
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++)
                walk(l.get(i), at.substring(0, Math.max(0, at.length() - 1)) + "[" + i + "].", seen);
        }
    }

    void verify(Path file, String expected, String field) {
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expected.strip()))
            throw new InvalidInputException(where + ": " + field + " says " + expected.strip() + " but "
                    + root.relativize(file) + " has sha256 " + actual + "; the file is damaged or not the one described. "
                    + "Download the package again");
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0)
                md.update(buffer, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
