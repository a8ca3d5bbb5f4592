package org.tessera.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

import org.tessera.cli.MalformedFilesCorpusTest.Case;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.imglib2.img.array.ArrayImgs;

/** Generates the corpus of {@link MalformedFilesCorpusTest}: files made valid, then broken one thing at a time. */
final class CorpusFiles {

    private static final String OTSU = "classic:otsu";
    private static final int BAD = ExitCodes.INVALID_INPUT, SOME = ExitCodes.SOME_FAILED, OK = ExitCodes.OK;

    private final Path dir;
    private final Random random = new Random(20240607);
    private final List<Case> cases = new ArrayList<>();
    private int outs;

    CorpusFiles(Path dir) {
        this.dir = dir;
    }

    static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "corpus case");
        t.setDaemon(true);
        return t;
    }

    List<Case> all() throws IOException {
        nifti();
        tiff();
        png();
        otherFiles();
        folders();
        models();
        bioimageio();
        planner();
        options();
        return cases;
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private Path out() {
        return dir.resolve("out").resolve("o" + outs++);
    }

    private Path write(String kind, String name, byte[] bytes) {
        try {
            Path folder = Files.createDirectories(dir.resolve("in").resolve(kind));
            return Files.write(folder.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void add(String kind, String name, int status, String names, Path outDir, List<Path> inputs, String... args) {
        cases.add(new Case(kind, name, List.of(args), inputs, outDir, status, names, List.of()));
    }

    /** {@code segment} of one file with a model; the message must name the file. */
    private void segment(String kind, Path file, String model, int status) {
        Path out = out();
        add(kind, "segment " + model + " " + file.getFileName(), status, file.getFileName().toString(), out,
                List.of(file), "segment", "-m", model, "-i", file.toString(), "-o", out.toString(), "--device", "cpu");
    }

    /** {@code info} of one file. */
    private void info(String kind, Path file, int status) {
        add(kind, "info " + file.getFileName(), status, file.getFileName().toString(), null, List.of(file), "info",
                file.toString());
    }

    /** A broken file: refused by segment (classic method) and by info. */
    private Path broken(String kind, String name, byte[] bytes) {
        Path file = write(kind, name, bytes);
        segment(kind, file, OTSU, BAD);
        info(kind, file, BAD);
        return file;
    }

    /** A file whose structure is sound but whose content no method can use: info describes it, segment refuses. */
    private void unusable(String kind, String name, byte[] bytes, boolean network) {
        Path file = write(kind, name, bytes);
        segment(kind, file, OTSU, BAD);
        if (network)
            segment(kind, file, MalformedFilesCorpusTest.NETWORK, BAD);
        info(kind, file, OK);
    }

    private static byte[] cut(byte[] b, int n) {
        return Arrays.copyOf(b, Math.max(0, Math.min(n, b.length)));
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] fileBytes(Volume v, String ext) {
        try {
            Path tmp = Files.createDirectories(dir.resolve("made")).resolve("v" + outs++ + ext);
            VolumeIO.write(v, tmp);
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- NIfTI ---------------------------------------------------------------------------------------------

    /** A 20 x 20 x 10 float32 NIfTI-1 file with distinct values, as Tessera writes it (vox_offset 352). */
    private byte[] niftiBase(float... special) {
        float[] data = new float[20 * 20 * 10];
        for (int i = 0; i < data.length; i++)
            data[i] = (i * 37) % 251;
        for (int i = 0; i < special.length; i++)
            data[i * 97 % data.length] = special[i];
        return fileBytes(Volume.of(ArrayImgs.floats(data, 20, 20, 10), 1, 1, 1), ".nii");
    }

    private static byte[] edit(byte[] bytes, Consumer<ByteBuffer> e) {
        byte[] copy = bytes.clone();
        e.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return copy;
    }

    private void nifti() {
        String k = "nifti";
        byte[] base = niftiBase();
        byte[] gz = gzip(base);
        for (int n : new int[] { 0, 1, 3, 4, 40, 100, 200, 300, 344, 347, 348, 350, 351, 352, 353, 1000, 8000, 16000,
                base.length - 4, base.length - 1 })
            broken(k, "cut" + n + ".nii", cut(base, n));
        for (int n : new int[] { 1, 2, 5, 9, 10, 18, 20, 50, 100, gz.length / 4, gz.length / 2, gz.length - 8,
                gz.length - 4, gz.length - 1 })
            broken(k, "gzcut" + n + ".nii.gz", cut(gz, n));
        for (int size : new int[] { 0, -1, 347, 349, 540, 1 << 24 })
            broken(k, "sizeof" + size + ".nii", edit(base, b -> b.putInt(0, size)));
        for (int d0 : new int[] { 0, -1, 8, 9, 100 })
            broken(k, "dim0_" + d0 + ".nii", edit(base, b -> b.putShort(40, (short) d0)));
        for (int axis = 1; axis <= 3; axis++)
            for (int v : new int[] { 0, -1, -32768, 32767 }) {
                int a = axis;
                broken(k, "dim" + axis + "_" + v + ".nii", edit(base, b -> b.putShort(40 + 2 * a, (short) v)));
            }
        broken(k, "dims_all_max.nii", edit(base, b -> {
            b.putShort(40, (short) 7);
            for (int i = 1; i <= 7; i++)
                b.putShort(40 + 2 * i, (short) 32767);
        }));
        broken(k, "dims_3_max.nii", edit(base, b -> b.putShort(42, (short) 32767).putShort(44, (short) 32767)
                .putShort(46, (short) 32767)));
        for (int t : new int[] { 0, 1, 32, 128, 1536, 1792, 2048, 2304, 9999, -1 })
            broken(k, "datatype" + t + ".nii", edit(base, b -> b.putShort(70, (short) t)));
        for (int bits : new int[] { 0, 7, 64 })
            broken(k, "bitpix" + bits + ".nii", edit(base, b -> b.putShort(72, (short) bits)));
        for (float off : new float[] { base.length, 100000, 1e30f, -1, Float.NaN, Float.POSITIVE_INFINITY })
            broken(k, "voxoffset" + off + ".nii", edit(base, b -> b.putFloat(108, off)));
        for (int axis = 1; axis <= 3; axis++)
            for (float p : new float[] { Float.NaN, Float.POSITIVE_INFINITY, 0, -1 }) {
                int a = axis;
                broken(k, "pixdim" + axis + "_" + p + ".nii", edit(base, b -> b.putFloat(76 + 4 * a, p)));
            }
        for (String magic : new String[] { "n+2\0", "abc\0", "ni1\0" })
            broken(k, "magic_" + magic.trim().replace("+", "p").replace("\0", "") + ".nii",
                    edit(base, b -> b.put(344, magic.getBytes(StandardCharsets.ISO_8859_1))));
        // corrupt and bomb-sized gzip
        for (int at : new int[] { 3, 12, 30, gz.length / 2, gz.length - 6, gz.length - 2 }) {
            byte[] bad = gz.clone();
            bad[at] ^= 0x5a;
            broken(k, "gzflip" + at + ".nii.gz", bad);
        }
        broken(k, "gzgarbage.nii.gz", new byte[] { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5 });
        broken(k, "gzheaderonly.nii.gz", gzip(cut(base, 352)));
        broken(k, "gzbomb_dims.nii.gz", gzip(edit(base, b -> b.putShort(42, (short) 30000).putShort(44, (short) 30000)
                .putShort(46, (short) 30000))));
        broken(k, "gzbomb_offset.nii.gz", gzip(edit(base, b -> b.putFloat(108, 3e9f))));
        // NaN and Inf voxels: the file is sound, its values are not (non-finite scl_slope/scl_inter mean no
        // scaling, as in nibabel, so they are not bad input)
        unusable(k, "nan_voxels.nii", niftiBase(Float.NaN), true);
        unusable(k, "inf_voxels.nii", niftiBase(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), true);
        unusable(k, "all_nan.nii", edit(base, b -> {
            for (int i = 352; i < b.capacity(); i += 4)
                b.putFloat(i, Float.NaN);
        }), false);
        // 4D (time) and 5D (vector) files, the same voxels cut differently
        unusable(k, "time4d.nii", edit(base, b -> b.putShort(40, (short) 4).putShort(46, (short) 5).putShort(48, (short) 2)), false);
        unusable(k, "time5d.nii", edit(base, b -> b.putShort(40, (short) 5).putShort(46, (short) 5).putShort(48, (short) 2)
                .putShort(50, (short) 1)), false);
        broken(k, "six_d.nii", edit(base, b -> b.putShort(40, (short) 6).putShort(46, (short) 5).putShort(48, (short) 1)
                .putShort(50, (short) 1).putShort(52, (short) 2)));
        Path vector = write(k, "vector5d.nii", edit(base, b -> b.putShort(40, (short) 5).putShort(46, (short) 5)
                .putShort(48, (short) 1).putShort(50, (short) 2)));
        segment(k, vector, MalformedFilesCorpusTest.NETWORK, BAD); // two channels for a one-channel network
    }

    // ---- TIFF ----------------------------------------------------------------------------------------------

    /** A little-endian gray TIFF of pages 16 x 8 at 8 bits, one strip each; change fields, then call bytes(). */
    static final class Tiff {
        int width = 16, height = 8, bits = 8, samples = 1, compression = 1, pages = 1, entries = 10;
        int stored = -1;
        long stripBytes = -1, stripOffset = -1, lastNext = 0, firstIfd = -1;
        byte[] magic = { 'I', 'I', 42, 0 };

        int storedBytes() {
            return stored >= 0 ? stored : width * height * samples * bits / 8;
        }

        long ifd(int i) {
            return 8 + (long) i * (2 + 12 * 10 + 4 + storedBytes());
        }

        byte[] bytes() {
            int data = storedBytes();
            ByteBuffer b = ByteBuffer.allocate((int) ifd(pages)).order(ByteOrder.LITTLE_ENDIAN);
            b.put(magic).putInt((int) (firstIfd >= 0 ? firstIfd : ifd(0)));
            for (int p = 0; p < pages; p++) {
                b.position((int) ifd(p));
                b.putShort((short) entries);
                entry(b, 256, 4, width);
                entry(b, 257, 4, height);
                entry(b, 258, 3, bits);
                entry(b, 259, 3, compression);
                entry(b, 262, 3, 1);
                entry(b, 273, 4, stripOffset >= 0 ? stripOffset : ifd(p) + 2 + 12 * 10 + 4);
                entry(b, 277, 3, samples);
                entry(b, 278, 4, height);
                entry(b, 279, 4, stripBytes >= 0 ? stripBytes : data);
                entry(b, 284, 3, 1);
                b.putInt((int) (p == pages - 1 ? lastNext : ifd(p + 1)));
                for (int i = 0; i < data; i++)
                    b.put((byte) (i * 7 + p));
            }
            return b.array();
        }

        private static void entry(ByteBuffer b, int tag, int type, long value) {
            b.putShort((short) tag).putShort((short) type).putInt(1);
            if (type == 3)
                b.putShort((short) value).putShort((short) 0);
            else
                b.putInt((int) value);
        }
    }

    private void tiff(String name, Consumer<Tiff> edit) {
        Tiff t = new Tiff();
        edit.accept(t);
        broken("tiff", name + ".tif", t.bytes());
    }

    private void tiff() {
        byte[] one = new Tiff().bytes();
        for (int n : new int[] { 1, 4, 7, 8, 9, 10, 20, 50, 100, 133, 134, 140, 200, one.length - 1 })
            broken("tiff", "cut" + n + ".tif", cut(one, n));
        Tiff three = new Tiff();
        three.pages = 3;
        byte[] pages = three.bytes();
        for (long n : new long[] { three.ifd(1) + 5, three.ifd(2) + 130, pages.length - 1 })
            broken("tiff", "stackcut" + n + ".tif", cut(pages, (int) n));
        tiff("loop_self", t -> t.lastNext = t.ifd(0));
        tiff("loop_two", t -> { t.pages = 2; t.lastNext = t.ifd(0); });
        tiff("loop_three", t -> { t.pages = 3; t.lastNext = t.ifd(1); });
        tiff("first_ifd_zero", t -> t.firstIfd = 0);
        tiff("first_ifd_far", t -> t.firstIfd = 1L << 31);
        tiff("first_ifd_inside_header", t -> t.firstIfd = 3);
        tiff("first_ifd_at_end", t -> t.firstIfd = t.ifd(1) - 1);
        tiff("next_ifd_far", t -> t.lastNext = 0xfffffff0L);
        tiff("next_ifd_near", t -> t.lastNext = 5);
        tiff("strip_offset_past_end", t -> t.stripOffset = 100000);
        tiff("strip_offset_huge", t -> t.stripOffset = 0xfffffff0L);
        tiff("strip_bytes_huge", t -> t.stripBytes = 0x7ffffff0L);
        tiff("width_zero", t -> t.width = 0);
        tiff("height_zero", t -> { t.height = 0; t.stored = 128; });
        tiff("huge_100000", t -> { t.width = 100000; t.height = 100000; t.stored = 64; });
        tiff("huge_65535", t -> { t.width = 65535; t.height = 65535; t.stored = 64; });
        tiff("width_negative", t -> { t.width = -16; t.stored = 128; });
        tiff("short_pixels_3000", t -> { t.width = 3000; t.height = 3000; t.stored = 64; });
        for (int bits : new int[] { 0, 3, 64, 128 })
            tiff("bits" + bits, t -> { t.bits = bits; t.stored = 128; });
        for (int s : new int[] { 0, 7 })
            tiff("samples" + s, t -> { t.samples = s; t.stored = 128; });
        for (int c : new int[] { 2, 3, 4, 6, 34712, 50000 })
            tiff("compression" + c, t -> t.compression = c);
        tiff("deflate_bomb", t -> { t.compression = 8; t.width = 20000; t.height = 20000; t.stored = 64; });
        tiff("bigtiff_magic", t -> t.magic = new byte[] { 'I', 'I', 43, 0 });
        tiff("wrong_magic", t -> t.magic = new byte[] { 'I', 'I', 41, 0 });
        tiff("entries_zero", t -> t.entries = 0);
        tiff("entries_many", t -> t.entries = 60000);
        broken("tiff", "random.tif", randomBytes(2000));
        byte[] header = randomBytes(600);
        System.arraycopy(new byte[] { 'I', 'I', 42, 0, 8, 0, 0, 0 }, 0, header, 0, 8);
        broken("tiff", "random_after_header.tif", header);
    }

    // ---- PNG -----------------------------------------------------------------------------------------------

    private byte[] pngOf(java.awt.image.BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Where chunk {@code type} starts (its length field), or -1. */
    private static int chunk(byte[] png, String type) {
        for (int at = 8; at + 8 <= png.length;) {
            int length = ByteBuffer.wrap(png, at, 4).getInt();
            if (new String(png, at + 4, 4, StandardCharsets.ISO_8859_1).equals(type))
                return at;
            at += 12 + length;
        }
        return -1;
    }

    /** The PNG with its IHDR edited and its CRC made to match again. */
    private static byte[] ihdr(byte[] png, Consumer<ByteBuffer> e) {
        byte[] copy = png.clone();
        ByteBuffer b = ByteBuffer.wrap(copy, 16, 13).slice();
        e.accept(b);
        CRC32 crc = new CRC32();
        crc.update(copy, 12, 17);
        ByteBuffer.wrap(copy).putInt(29, (int) crc.getValue());
        return copy;
    }

    private void png() {
        java.awt.image.BufferedImage gray8 = new java.awt.image.BufferedImage(24, 16, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.BufferedImage gray16 = new java.awt.image.BufferedImage(24, 16, java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
        byte[] r = { 0, (byte) 250, 10 }, g = { 0, 100, 20 }, bl = { 0, 5, 30 };
        java.awt.image.BufferedImage palette = new java.awt.image.BufferedImage(24, 16,
                java.awt.image.BufferedImage.TYPE_BYTE_INDEXED, new java.awt.image.IndexColorModel(2, 3, r, g, bl));
        java.awt.image.BufferedImage rgba = new java.awt.image.BufferedImage(24, 16, java.awt.image.BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 24; x++) {
                gray8.getRaster().setSample(x, y, 0, (x * 11 + y * 5) % 256);
                gray16.getRaster().setSample(x, y, 0, (x * 2711 + y * 977) % 65536);
                palette.getRaster().setSample(x, y, 0, (x + y) % 3);
                rgba.setRGB(x, y, ((x * 9) << 24) | ((y * 13) << 16) | ((x * 7) << 8) | (x + y));
            }
        String[] names = { "gray8", "gray16", "palette", "rgba" };
        java.awt.image.BufferedImage[] images = { gray8, gray16, palette, rgba };
        for (int i = 0; i < images.length; i++) {
            String n = names[i];
            byte[] png = pngOf(images[i]);
            for (int c : new int[] { 8, 16, 33, png.length / 2, png.length - 12, png.length - 1 })
                broken("png", n + "_cut" + c + ".png", cut(png, c));
            for (String type : new String[] { "IHDR", "IDAT", "IEND" }) {
                int at = chunk(png, type);
                int length = ByteBuffer.wrap(png, at, 4).getInt();
                byte[] bad = png.clone();
                bad[at + 8 + length] ^= 0x55;
                broken("png", n + "_crc_" + type + ".png", bad);
            }
            byte[] sig = png.clone();
            sig[0] = (byte) 0x88;
            broken("png", n + "_signature.png", sig);
            byte[] idat = png.clone();
            int at = chunk(png, "IDAT");
            int length = ByteBuffer.wrap(png, at, 4).getInt();
            for (int j = at + 8; j < at + 8 + length; j++)
                idat[j] = (byte) random.nextInt();
            CRC32 crc = new CRC32();
            crc.update(idat, at + 4, 4 + length);
            ByteBuffer.wrap(idat).putInt(at + 8 + length, (int) crc.getValue());
            broken("png", n + "_idat_garbage.png", idat);
            broken("png", n + "_width0.png", ihdr(png, b -> b.putInt(0, 0)));
            broken("png", n + "_huge.png", ihdr(png, b -> b.putInt(0, 100000).putInt(4, 100000)));
            broken("png", n + "_depth3.png", ihdr(png, b -> b.put(8, (byte) 3)));
            broken("png", n + "_colour5.png", ihdr(png, b -> b.put(9, (byte) 5)));
        }
    }

    // ---- other files ---------------------------------------------------------------------------------------

    private void otherFiles() throws IOException {
        String k = "other";
        for (String ext : new String[] { ".nii", ".nii.gz", ".tif", ".tiff", ".png" }) {
            broken(k, "empty" + ext, new byte[0]);
            broken(k, "random" + ext, randomBytes(1500));
        }
        broken(k, "text.png", "this is not an image\n".repeat(30).getBytes(StandardCharsets.US_ASCII));
        // a file of one format named as another (a TIFF named .png is read: Java's decoder knows TIFF too)
        broken(k, "png_named.tif", pngOf(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY)));
        Path folder = Files.createDirectories(dir.resolve("in/other/folder.tif"));
        info(k, folder, BAD);
        Path missing = dir.resolve("in/other/missing.nii.gz");
        segment(k, missing, OTSU, BAD);
        info(k, missing, BAD);
        Path unsupported = write(k, "image.jpg", randomBytes(100));
        segment(k, unsupported, OTSU, BAD);
        info(k, unsupported, BAD);
    }

    // ---- mixed folders -------------------------------------------------------------------------------------

    private byte[] goodPng(long seed) {
        return fileBytes(Phantoms.nuclei2D(48, 40, 3, false, seed).image(), ".png");
    }

    private byte[] goodTif(long seed) {
        return fileBytes(Phantoms.nuclei2D(48, 40, 3, false, seed).image(), ".tif");
    }

    /** A folder of good and bad images: exit 3, every bad one named, the good ones segmented. */
    private void mixed(String name, String model, List<String> good, List<String> bad, List<byte[]> contents)
            throws IOException {
        Path folder = Files.createDirectories(dir.resolve("in/folders").resolve(name));
        List<String> all = new ArrayList<>(good);
        all.addAll(bad);
        for (int i = 0; i < all.size(); i++)
            Files.write(folder.resolve(all.get(i)), contents.get(i));
        for (String b : bad) {
            Path out = dir.resolve("out").resolve(name + "-" + b.replace('.', '_'));
            List<Path> produced = new ArrayList<>();
            for (String g : good) {
                String stem = VolumeIO.stem(g);
                produced.add(out.resolve(stem + "_labels" + VolumeIO.extension(g)));
                produced.add(out.resolve(stem + "_tessera.json"));
            }
            // one case per bad file: its name must be in the message (the folder holds them all)
            cases.add(new Case("folders", name + " names " + b, List.of("segment", "-m", model, "-i",
                    folder.toString(), "-o", out.toString(), "--device", "cpu"), List.of(folder), out, SOME, b,
                    produced));
        }
    }

    private void folders() throws IOException {
        byte[] nifti = niftiBase();
        mixed("mixed-png", OTSU, List.of("a.png", "b.png"), List.of("cut.png", "crc.png", "empty.png"),
                List.of(goodPng(1), goodPng(2), cut(goodPng(3), 60), crcBroken(goodPng(4)), new byte[0]));
        mixed("mixed-tiff", OTSU, List.of("a.tif"), List.of("loop.tif", "huge.tif", "random.tif"),
                List.of(goodTif(1), loopTiff(), hugeTiff(), randomBytes(900)));
        mixed("mixed-nifti", OTSU, List.of("a.tif"), List.of("cut.nii", "dims.nii", "nan.nii", "bomb.nii.gz"),
                List.of(goodTif(5), cut(nifti, 5000), edit(nifti, b -> b.putShort(44, (short) -3)),
                        niftiBase(Float.NaN), gzip(edit(nifti, b -> b.putShort(42, (short) 30000)
                                .putShort(44, (short) 30000).putShort(46, (short) 30000)))));
        mixed("mixed-network", MalformedFilesCorpusTest.NETWORK, List.of("a.png", "b.tif"),
                List.of("cut.tif", "nan.nii", "vector.nii"),
                List.of(goodPng(6), goodTif(7), cut(goodTif(8), 300), niftiBase(Float.NaN),
                        edit(nifti, b -> b.putShort(40, (short) 5).putShort(46, (short) 5).putShort(48, (short) 1)
                                .putShort(50, (short) 2))));
    }

    private static byte[] crcBroken(byte[] png) {
        byte[] bad = png.clone();
        int at = chunk(png, "IDAT");
        bad[at + 8 + ByteBuffer.wrap(png, at, 4).getInt()] ^= 1;
        return bad;
    }

    private static byte[] loopTiff() {
        Tiff t = new Tiff();
        t.lastNext = t.ifd(0);
        return t.bytes();
    }

    private static byte[] hugeTiff() {
        Tiff t = new Tiff();
        t.width = 100000;
        t.height = 100000;
        t.stored = 64;
        return t.bytes();
    }

    // ---- model folders -------------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectNode fixtureCard(String fixture) throws IOException {
        return (ObjectNode) JSON.readTree(CliTest.FIXTURES.resolve(fixture).resolve("card.json").toFile());
    }

    /**
     * A models folder holding one model {@code id}: card.json from {@code card} (null: none) and model.onnx
     * from {@code onnx} (null: none), plus extra files; segment -m id must refuse naming the model.
     */
    private void model(String name, byte[] card, byte[] onnx, String names, String... extra) throws IOException {
        String id = "bad-" + name;
        Path models = Files.createDirectories(dir.resolve("models").resolve(name));
        Path folder = Files.createDirectories(models.resolve(id));
        if (card != null)
            Files.write(folder.resolve("card.json"), card);
        if (onnx != null)
            Files.write(folder.resolve("model.onnx"), onnx);
        for (int i = 0; i + 1 < extra.length; i += 2)
            Files.writeString(folder.resolve(extra[i]), extra[i + 1]);
        Path out = out();
        add("models", name, BAD, names == null ? id : names, out, List.of(models, goodInput), "segment", "-m", id,
                "--models", models.toString(), "-i", goodInput.toString(), "-o", out.toString(), "--device", "cpu");
    }

    private byte[] cardWith(Consumer<ObjectNode> e, String name) throws IOException {
        ObjectNode card = fixtureCard("tiny-unet-2d");
        card.put("id", "bad-" + name);
        e.accept(card);
        return JSON.writeValueAsBytes(card);
    }

    private Path goodInput;

    private void models() throws IOException {
        goodInput = write("models", "good.png", goodPng(9));
        byte[] onnx2d = Files.readAllBytes(CliTest.FIXTURES.resolve("tiny-unet-2d/model.onnx"));
        byte[] onnx3d = Files.readAllBytes(CliTest.FIXTURES.resolve("tiny-unet-3d/model.onnx"));
        model("card-random", randomBytes(400), onnx2d, null);
        model("card-empty", new byte[0], onnx2d, null);
        model("card-array", "[1, 2, 3]".getBytes(StandardCharsets.UTF_8), onnx2d, null);
        model("card-truncated", cut(cardWith(c -> { }, "card-truncated"), 300), onnx2d, null);
        for (String field : new String[] { "id", "dimensionality", "input", "output", "normalization", "patchSize",
                "divisibility" }) {
            String name = "card-no-" + field.toLowerCase();
            model(name, cardWith(c -> c.remove(field), name), onnx2d, null);
        }
        model("card-no-classes", cardWith(c -> ((ObjectNode) c.get("output")).remove("classes"), "card-no-classes"),
                onnx2d, null);
        model("card-dim5", cardWith(c -> c.put("dimensionality", 5), "card-dim5"), onnx2d, null);
        model("card-dim-text", cardWith(c -> c.put("dimensionality", "two"), "card-dim-text"), onnx2d, null);
        model("card-kind", cardWith(c -> ((ObjectNode) c.get("output")).put("kind", "magic"), "card-kind"), onnx2d, null);
        model("card-patch-negative", cardWith(c -> c.putArray("patchSize").add(-32).add(24), "card-patch-negative"),
                onnx2d, null);
        model("card-patch-indivisible", cardWith(c -> c.putArray("patchSize").add(33).add(24), "card-patch-indivisible"),
                onnx2d, null);
        model("card-divisibility-zero", cardWith(c -> c.putArray("divisibility").add(0).add(2), "card-divisibility-zero"),
                onnx2d, null);
        model("card-other-id", cardWith(c -> c.put("id", "someone-else"), "card-other-id"), onnx2d, null);
        model("class-count", cardWith(c -> ((ObjectNode) c.get("output")).putArray("classes").add("background")
                .add("a").add("b"), "class-count"), onnx2d, null);
        model("channel-count", cardWith(c -> ((ObjectNode) c.get("input")).putArray("channels").add("r").add("g"),
                "channel-count"), onnx2d, null);
        model("onnx-random", cardWith(c -> { }, "onnx-random"), randomBytes(3000), null);
        model("onnx-empty", cardWith(c -> { }, "onnx-empty"), new byte[0], null);
        model("onnx-truncated", cardWith(c -> { }, "onnx-truncated"), cut(onnx2d, onnx2d.length / 2), null);
        model("onnx-missing", cardWith(c -> { }, "onnx-missing"), null, null);
        model("onnx-rank", cardWith(c -> { }, "onnx-rank"), onnx3d, null);
        model("onnx-3d-card-2d-patch", cardWith(c -> c.put("dimensionality", 3), "onnx-3d-card-2d-patch"), onnx2d, null);
        for (String target : new String[] { "../../../../etc/passwd", "/etc/passwd", "..", "sub/plans.json" }) {
            String name = "traversal-" + Integer.toHexString(target.hashCode());
            model(name, cardWith(c -> c.putObject("nnunet").put("plans", target).put("datasetJson", "dataset.json")
                    .put("configuration", "2d"), name), onnx2d, null, "dataset.json", "{}");
        }
        model("bundle-plans-garbage", cardWith(c -> c.putObject("nnunet").put("plans", "plans.json")
                .put("datasetJson", "dataset.json").put("configuration", "2d"), "bundle-plans-garbage"), onnx2d,
                "plans.json", "plans.json", "{\"configurations\": 7", "dataset.json", "{}");
        model("bundle-dataset-garbage", cardWith(c -> c.putObject("nnunet").put("plans", "plans.json")
                .put("datasetJson", "dataset.json").put("configuration", "2d"), "bundle-dataset-garbage"), onnx2d,
                null, "plans.json", "[]", "dataset.json", "\u0000\u0001");
        // a model id that tries to leave the models folder
        Path models = Files.createDirectories(dir.resolve("models/escape"));
        Path out = out();
        add("models", "id-traversal", BAD, "../escape", out, List.of(models), "segment", "-m", "../escape",
                "--models", models.toString(), "-i", goodInput.toString(), "-o", out.toString());
        Path missingModels = dir.resolve("models/none-here");
        out = out();
        add("models", "models-dir-missing", BAD, missingModels.getFileName().toString(), out, List.of(goodInput),
                "segment", "-m", "nuclei-2d-unet", "--models", missingModels.toString(), "-i", goodInput.toString(),
                "-o", out.toString(), "--device", "cpu");
    }

    // ---- bioimage.io packages -------------------------------------------------------------------------------

    /** A valid package (the tiny 2D fixture exported), its entries by name. */
    private java.util.Map<String, byte[]> goodPackage() throws IOException {
        Path zip = dir.resolve("made/good-package.zip");
        Files.createDirectories(zip.getParent());
        org.tessera.bioimageio.BioimageioExporter.export(new org.tessera.unet.ModelZoo(getClass().getClassLoader(),
                List.of(CliTest.FIXTURES)).get("tiny-unet-2d"), zip, new org.tessera.bioimageio.BioimageioExporter.Options(
                null, List.of("Tester"), "https://example.org/tiny"));
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            for (var e : java.util.Collections.list(z.entries()))
                entries.put(e.getName(), z.getInputStream(e).readAllBytes());
        }
        return entries;
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] zipOf(java.util.Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** {@code tessera import bioimageio PACKAGE} into an empty models folder that must stay empty. */
    private void importCase(String name, Path source) throws IOException {
        Path models = Files.createDirectories(out());
        add("bioimageio", name, BAD, source.getFileName().toString(), models, List.of(source), "import", "bioimageio",
                source.toString(), "--models", models.toString());
    }

    private void packageZip(String name, java.util.Map<String, byte[]> entries) throws IOException {
        importCase(name, write("bioimageio", name + ".zip", zipOf(entries)));
    }

    private void packageFolder(String name, java.util.Map<String, byte[]> entries) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("in/bioimageio").resolve(name));
        for (var e : entries.entrySet())
            Files.write(folder.resolve(e.getKey()), e.getValue());
        importCase(name, folder);
    }

    private void bioimageio() throws IOException {
        java.util.Map<String, byte[]> good = goodPackage();
        String rdf = new String(good.get("rdf.yaml"), StandardCharsets.UTF_8);
        java.util.function.BiConsumer<String, String> withRdf = (name, text) -> {
            java.util.Map<String, byte[]> e = new java.util.LinkedHashMap<>(good);
            e.put("rdf.yaml", text.getBytes(StandardCharsets.UTF_8));
            try {
                packageZip(name, e);
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        };
        withRdf.accept("rdf-random", new String(randomBytes(600), StandardCharsets.ISO_8859_1));
        withRdf.accept("rdf-empty", "");
        withRdf.accept("rdf-truncated", rdf.substring(0, rdf.length() / 2));
        withRdf.accept("rdf-list", "- 1\n- 2\n");
        withRdf.accept("rdf-python-tag", "!!python/object/apply:os.system [\"echo hi\"]\n");
        withRdf.accept("rdf-java-tag", "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]\n");
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++)
            bomb.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(9)).append("]\n");
        withRdf.accept("rdf-anchor-bomb", bomb.toString());
        withRdf.accept("rdf-huge", rdf + "notes: '" + "x".repeat(1 << 21) + "'\n");
        withRdf.accept("rdf-deep", "a: " + "[".repeat(500) + "]".repeat(500) + "\n");
        withRdf.accept("rdf-version", rdf.replace("format_version: 0.5.5", "format_version: 9.1.0"));
        withRdf.accept("rdf-no-inputs", rdf.replaceFirst("(?s)inputs:.*?outputs:", "outputs:"));
        withRdf.accept("rdf-bad-sha", rdf.replaceFirst("(source: model.onnx\n\\s+sha256: )[0-9a-f]{8}", "$100000000"));
        withRdf.accept("rdf-unknown-op", rdf.replace("id: ensure_dtype", "id: ensure_dtipe"));
        withRdf.accept("rdf-axes", rdf.replaceFirst("(?m)^( *)- type: batch\n", "$1- type: batch\n$1- type: time\n$1  size: 3\n"));
        withRdf.accept("rdf-url-weights", rdf.replace("source: model.onnx", "source: https://example.org/model.onnx"));
        withRdf.accept("rdf-escape", rdf.replace("source: test_input.npy", "source: ../../test_input.npy"));
        withRdf.accept("rdf-absolute", rdf.replace("source: test_input.npy", "source: /etc/passwd"));
        withRdf.accept("rdf-torch-only", rdf.replaceFirst("(?s)weights:.*?(\n\\S|$)", "weights:\n  torchscript:\n    source: model.onnx\n$1"));
        for (String entry : List.of("model.onnx", "test_input.npy", "test_output.npy")) {
            java.util.Map<String, byte[]> missing = new java.util.LinkedHashMap<>(good);
            missing.remove(entry);
            packageZip("missing-" + entry.replace('.', '-'), missing);
            java.util.Map<String, byte[]> cut = new java.util.LinkedHashMap<>(good);
            cut.put(entry, cut(good.get(entry), good.get(entry).length / 2));
            packageZip("truncated-" + entry.replace('.', '-'), cut);
        }
        java.util.Map<String, byte[]> slip = new java.util.LinkedHashMap<>(good);
        slip.put("../../outside.txt", "x".getBytes(StandardCharsets.UTF_8));
        packageZip("zip-slip", slip);
        java.util.Map<String, byte[]> absolute = new java.util.LinkedHashMap<>(good);
        absolute.put("/tmp/tessera-absolute.txt", "x".getBytes(StandardCharsets.UTF_8));
        packageZip("zip-absolute", absolute);
        importCase("zip-random", write("bioimageio", "zip-random.zip", randomBytes(2000)));
        importCase("zip-empty", write("bioimageio", "zip-empty.zip", new byte[0]));
        importCase("zip-truncated", write("bioimageio", "zip-truncated.zip", cut(zipOf(good), zipOf(good).length / 2)));
        // files changed with their sha256 updated: the package's own test and the .npy reader refuse them
        String[][] changed = { { "folder-wrong-test-output", "test_output.npy", "input" }, { "folder-cut-test-input",
                "test_input.npy", "cut" }, { "folder-cut-test-output", "test_output.npy", "cut" },
                { "folder-random-onnx", "model.onnx", "random" } };
        for (String[] c : changed) {
            java.util.Map<String, byte[]> e = new java.util.LinkedHashMap<>(good);
            byte[] old = good.get(c[1]);
            byte[] now = switch (c[2]) {
                case "input" -> good.get("test_input.npy");
                case "cut" -> cut(old, old.length - 40);
                default -> randomBytes(old.length);
            };
            e.put(c[1], now);
            e.put("rdf.yaml", rdf.replace(sha256(old), sha256(now)).getBytes(StandardCharsets.UTF_8));
            packageFolder(c[0], e);
        }
        java.util.Map<String, byte[]> noRdf = new java.util.LinkedHashMap<>(good);
        noRdf.remove("rdf.yaml");
        packageFolder("folder-no-rdf", noRdf);
    }

    // ---- plans, fingerprints, data sets --------------------------------------------------------------------

    private void planner() throws IOException {
        Path ds = dir.resolve("planner/Dataset001_Good");
        CliTest.Run made = CliTest.run("phantom", "--dataset", ds.toString(), "--cases", "2");
        if (made.status() != 0)
            throw new IllegalStateException(made.err());
        Path fp = dir.resolve("planner/fingerprint.json");
        CliTest.Run f = CliTest.run("fingerprint", ds.toString(), "-o", fp.toString());
        if (f.status() != 0)
            throw new IllegalStateException(f.err());
        byte[] fpBytes = Files.readAllBytes(fp);
        Path dsJson = ds.resolve("dataset.json");
        byte[] dsBytes = Files.readAllBytes(dsJson);
        ObjectNode fpTree = (ObjectNode) JSON.readTree(fpBytes);
        ObjectNode dsTree = (ObjectNode) JSON.readTree(dsBytes);

        List<byte[]> fingerprints = new ArrayList<>();
        List<String> fpNames = new ArrayList<>();
        fpNames.add("empty"); fingerprints.add(new byte[0]);
        fpNames.add("random"); fingerprints.add(randomBytes(500));
        fpNames.add("array"); fingerprints.add("[]".getBytes(StandardCharsets.UTF_8));
        fpNames.add("object"); fingerprints.add("{}".getBytes(StandardCharsets.UTF_8));
        fpNames.add("half"); fingerprints.add(cut(fpBytes, fpBytes.length / 2));
        for (var it = fpTree.fieldNames(); it.hasNext();) {
            String field = it.next();
            ObjectNode copy = fpTree.deepCopy();
            copy.remove(field);
            fpNames.add("no-" + field); fingerprints.add(JSON.writeValueAsBytes(copy));
            copy = fpTree.deepCopy();
            copy.put(field, "garbage");
            fpNames.add("text-" + field); fingerprints.add(JSON.writeValueAsBytes(copy));
        }
        ObjectNode negative = fpTree.deepCopy();
        negative.putArray("spacings").addArray().add(-1).add(1).add(1);
        fpNames.add("negative-spacing"); fingerprints.add(JSON.writeValueAsBytes(negative));
        ObjectNode zeroShape = fpTree.deepCopy();
        zeroShape.putArray("shapes_after_crop").addArray().add(0).add(10).add(10);
        fpNames.add("zero-shape"); fingerprints.add(JSON.writeValueAsBytes(zeroShape));
        fpNames.add("nan-spacing"); fingerprints.add(new String(fpBytes, StandardCharsets.UTF_8)
                .replaceFirst("\"spacings\"\\s*:\\s*\\[\\s*\\[\\s*[-0-9.eE]+", "\"spacings\" : [ [ NaN")
                .getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < fingerprints.size(); i++) {
            Path bad = write("planner", "fingerprint-" + fpNames.get(i) + ".json", fingerprints.get(i));
            Path out = out();
            add("planner", "plan fingerprint " + fpNames.get(i), BAD, bad.getFileName().toString(), out,
                    List.of(bad, dsJson), "plan", "--fingerprint", bad.toString(), "--dataset-json", dsJson.toString(),
                    "-o", out.resolve("plans.json").toString());
        }
        List<byte[]> datasets = new ArrayList<>();
        List<String> dsNames = new ArrayList<>();
        dsNames.add("empty"); datasets.add(new byte[0]);
        dsNames.add("random"); datasets.add(randomBytes(300));
        dsNames.add("half"); datasets.add(cut(dsBytes, dsBytes.length / 2));
        for (var it = dsTree.fieldNames(); it.hasNext();) {
            String field = it.next();
            ObjectNode copy = dsTree.deepCopy();
            copy.remove(field);
            if (!field.equals("name")) { // optional: the plans take the folder's name
                dsNames.add("no-" + field); datasets.add(JSON.writeValueAsBytes(copy));
            }
        }
        ObjectNode noBackground = dsTree.deepCopy();
        noBackground.putObject("labels").put("nucleus", 1);
        dsNames.add("no-background"); datasets.add(JSON.writeValueAsBytes(noBackground));
        ObjectNode channels = dsTree.deepCopy();
        channels.putObject("channel_names").put("0", "a").put("1", "b");
        dsNames.add("two-channels"); datasets.add(JSON.writeValueAsBytes(channels));
        for (int i = 0; i < datasets.size(); i++) {
            Path bad = write("planner", "dataset-" + dsNames.get(i) + ".json", datasets.get(i));
            Path out = out();
            add("planner", "plan dataset.json " + dsNames.get(i), BAD, bad.getFileName().toString(), out,
                    List.of(bad, fp), "plan", "--fingerprint", fp.toString(), "--dataset-json", bad.toString(),
                    "-o", out.resolve("plans.json").toString());
        }
        // broken data set folders for 'fingerprint'
        brokenDataset("no-dataset-json", d -> Files.delete(d.resolve("dataset.json")), "dataset.json");
        brokenDataset("garbage-dataset-json", d -> Files.write(d.resolve("dataset.json"), randomBytes(200)), "dataset.json");
        brokenDataset("no-imagesTr", d -> deleteTree(d.resolve("imagesTr")), "imagesTr");
        brokenDataset("no-labelsTr", d -> deleteTree(d.resolve("labelsTr")), "labelsTr");
        brokenDataset("case-truncated", d -> truncateFirst(d.resolve("imagesTr")), "imagesTr");
        brokenDataset("label-truncated", d -> truncateFirst(d.resolve("labelsTr")), "labelsTr");
        brokenDataset("label-missing", d -> deleteFirst(d.resolve("labelsTr")), "case");
        brokenDataset("case-random", d -> randomFirst(d.resolve("imagesTr")), "imagesTr");
        brokenDataset("num-training", d -> Files.writeString(d.resolve("dataset.json"), Files.readString(
                d.resolve("dataset.json")).replaceFirst("\"numTraining\"\\s*:\\s*\\d+", "\"numTraining\": 7")), "7");
        Path missing = dir.resolve("planner/nothing");
        Path out = out();
        add("planner", "fingerprint missing folder", BAD, missing.toString(), out, List.of(), "fingerprint",
                missing.toString(), "-o", out.resolve("fp.json").toString());
    }

    private interface FolderEdit {
        void apply(Path dataset) throws IOException;
    }

    private void brokenDataset(String name, FolderEdit edit, String names) throws IOException {
        Path ds = dir.resolve("planner/broken/" + name + "/Dataset002_Broken");
        CliTest.Run made = CliTest.run("phantom", "--dataset", ds.toString(), "--cases", "2");
        if (made.status() != 0)
            throw new IllegalStateException(made.err());
        edit.apply(ds);
        Path out = out();
        add("planner", "fingerprint " + name, BAD, names, out, List.of(ds), "fingerprint", ds.toString(), "-o",
                out.resolve("fp.json").toString());
    }

    private static Path first(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().findFirst().orElseThrow();
        }
    }

    private static void truncateFirst(Path folder) throws IOException {
        Path f = first(folder);
        Files.write(f, cut(Files.readAllBytes(f), 100));
    }

    private static void deleteFirst(Path folder) throws IOException {
        Files.delete(first(folder));
    }

    private void randomFirst(Path folder) throws IOException {
        Files.write(first(folder), randomBytes(1000));
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList())
                Files.delete(f);
        }
    }

    // ---- options -------------------------------------------------------------------------------------------

    /** {@code command} with a bad option value: exit 2 naming {@code option}. */
    private void option(String command, String option, List<String> base, String... values) {
        for (String v : values) {
            Path out = out();
            List<String> args = new ArrayList<>();
            args.add(command);
            for (String a : base)
                args.add(a.replace("OUT", out.toString()));
            if (option.startsWith("-"))
                args.add(option);
            if (v != null)
                args.add(v.replace("OUT", out.toString()));
            add("options", command + " " + option + " " + v, BAD, names(option, v), out,
                    inputsOf(base), args.toArray(String[]::new));
        }
    }

    /** What a message about a bad option may name: the value, or the option in words ("--gpu-memory": "gpu memory"). */
    private static String names(String option, String value) {
        String words = switch (option) {
            case "-m" -> "model";
            case "-i" -> "input";
            case "-o" -> "output";
            case "-p" -> "prediction";
            case "-t" -> "truth";
            default -> option.startsWith("-") ? option.replaceFirst("^-+", "").replace('-', ' ') : "";
        };
        String v = value == null || value.length() < 2 ? "" : value;
        return String.join("|", v, words, option.startsWith("-") ? option : "");
    }

    private List<Path> inputsOf(List<String> args) {
        List<Path> in = new ArrayList<>();
        for (String a : args)
            if (a.startsWith(dir.toString()) && !a.contains("OUT"))
                in.add(Path.of(a));
        return in;
    }

    private void options() throws IOException {
        Path png = write("options", "good.png", goodPng(11));
        Path tif3d = write("options", "good3d.tif", fileBytes(Phantoms.nuclei3D(32, 32, 8, 3, false, 1).image(), ".tif"));
        Path truth = write("options", "truth.png", fileBytes(Phantoms.nuclei2D(48, 40, 3, false, 11).labels(), ".png"));
        Path other = write("options", "other_size.png", fileBytes(Phantoms.nuclei2D(30, 20, 3, false, 1).labels(), ".png"));
        String n = MalformedFilesCorpusTest.NETWORK;
        List<String> net = List.of("-m", n, "-i", png.toString(), "-o", "OUT", "--device", "cpu");
        List<String> otsu = List.of("-m", OTSU, "-i", png.toString(), "-o", "OUT");
        option("segment", "--tile", net, "-1,-1", "0,0", "NaN,8", "abc", "32", "32,32,32,32", "33,33", "32,,32", "");
        option("segment", "--mode", net, "foo", "GAUSSIAN-ish", "halo,gaussian");
        option("segment", "--step", net, "0", "-0.5", "NaN", "Infinity", "1.5", "abc", "");
        option("segment", "--batch", net, "0", "-1", "abc", "2.5", "99999999999");
        option("segment", "--threads", net, "-1", "abc", "1.5");
        option("segment", "--device", net, "gpu", "", "tpu");
        option("segment", "--spacing", otsu, "0,1", "-1,1", "NaN,1", "Infinity,1", "1", "1,2,3,4", "a,b", "1e400,1", "");
        option("segment", "--chunks", otsu, "0", "-1", "abc");
        option("segment", "--index", otsu, "-1", "1", "abc");
        option("segment", "--param", otsu, "noequals", "unknown=1", "=3", "order=sideways");
        option("segment", "--param", List.of("-m", "classic:kmeans", "-i", png.toString(), "-o", "OUT"), "k=abc", "k=0",
                "k=-2", "k=NaN", "k=1000000");
        option("segment", "--param", net, "k=3");
        option("segment", "--instance-param", List.of("-m", OTSU, "-i", png.toString(), "-o", "OUT", "--instances"),
                "noequals", "size=3", "minArea=-1", "minArea=abc", "seedThreshold=NaN", "foregroundThreshold=2.5",
                "fillHoles=maybe");
        option("segment", "-m", List.of("-i", png.toString(), "-o", "OUT"), "nucleus-2d", "classic:nothing", "",
                "../../etc/passwd");
        option("segment", "-i", List.of("-m", OTSU, "-o", "OUT"), dir.resolve("no-such.png").toString(),
                dir.resolve("in/options/notes.txt").toString());
        Files.writeString(dir.resolve("in/options/notes.txt"), "notes");
        Files.createDirectories(dir.resolve("in/empty-folder"));
        option("segment", "-i", List.of("-m", OTSU, "-o", "OUT"), dir.resolve("in/empty-folder").toString());
        Path existing = write("options", "existing-file.txt", "x".getBytes(StandardCharsets.UTF_8));
        for (String o : new String[] { existing.toString(), dir.resolve("out/result.tif").toString() }) {
            add("options", "segment -o " + Path.of(o).getFileName(), BAD, Path.of(o).getFileName().toString(), null,
                    List.of(png, existing), "segment", "-m", OTSU, "-i", png.toString(), "-o", o);
        }
        add("options", "segment -o input folder", BAD, "output folder", null, List.of(dir.resolve("in/options")),
                "segment", "-m", OTSU, "-i", dir.resolve("in/options").toString(), "-o", dir.resolve("in/options").toString());
        option("segment", "--spacing", List.of("-m", OTSU, "-i", tif3d.toString(), "-o", "OUT"), "1,1");
        option("segment", "--attention-maps", net, (String) null);
        option("segment", "--models", net, dir.resolve("no-models").toString());
        option("segment", "--unknown-option", otsu, (String) null);
        option("segment", "--overlay", otsu, "yes");
        option("segment", "-o", List.of("-m", OTSU, "-i", png.toString()), (String) null);

        option("info", "info", List.of(), dir.resolve("none.tif").toString(), dir.resolve("in/options/notes.txt").toString(),
                dir.resolve("in/options").toString());
        option("info", "--bogus", List.of(png.toString()), (String) null);

        List<String> eval = List.of("-p", png.toString(), "-t", truth.toString());
        option("evaluate", "--classes", eval, "-1", "abc", "1.5");
        option("evaluate", "-p", List.of("-t", truth.toString()), dir.resolve("none.png").toString());
        option("evaluate", "-t", List.of("-p", png.toString()), dir.resolve("none.png").toString());
        option("evaluate", "-t", List.of("-p", png.toString()), other.toString());
        option("evaluate", "-t", List.of("-p", png.toString()), tif3d.toString());
        option("evaluate", "-p", List.of("-t", truth.toString(), "--instances"), dir.resolve("in/empty-folder").toString());

        Path fp = dir.resolve("planner/fingerprint.json");
        Path dsJson = dir.resolve("planner/Dataset001_Good/dataset.json");
        List<String> plan = List.of("--fingerprint", fp.toString(), "--dataset-json", dsJson.toString(), "-o",
                "OUT/plans.json");
        option("plan", "--gpu-memory", plan, "0", "-8", "NaN", "Infinity", "abc", "1e-9", "");
        option("plan", "--fingerprint", List.of("--dataset-json", dsJson.toString(), "-o", "OUT/plans.json"),
                dir.resolve("none.json").toString(), dir.resolve("planner").toString());
        option("plan", "--dataset-json", List.of("--fingerprint", fp.toString(), "-o", "OUT/plans.json"),
                dir.resolve("none.json").toString());
        option("plan", "-o", List.of("--fingerprint", fp.toString(), "--dataset-json", dsJson.toString()),
                dir.resolve("planner").toString());
        option("fingerprint", "-o", List.of(dir.resolve("planner/Dataset001_Good").toString()),
                dir.resolve("planner").toString());
        option("fingerprint", "fingerprint", List.of("-o", "OUT/fp.json"), png.toString());

        List<String> bench = List.of("-m", n, "--device", "cpu", "--repeats", "1");
        option("bench", "--repeats", List.of("-m", n, "--device", "cpu"), "0", "-1", "abc");
        option("bench", "--size", bench, "0,0", "-5,5", "1", "1,2,3,4", "a,b", "100000,100000,100000");
        option("bench", "-i", bench, dir.resolve("none.png").toString(),
                dir.resolve("in/nifti/nan_voxels.nii").toString(), dir.resolve("in/tiff/loop_self.tif").toString());
        option("bench", "-m", List.of("--device", "cpu"), OTSU, "no-such-model");
        option("bench", "--tile", bench, "33,33", "0,0", "x");
        option("bench", "--batch", bench, "0", "-3");
        option("bench", "--step", bench, "0", "NaN");
        option("bench", "--mode", bench, "blend");

        option("phantom", "--size", List.of("-o", "OUT/p.tif"), "0,0", "-1,5", "1", "1,2,3,4", "a,b",
                "100000,100000,100000", "");
        option("phantom", "--nuclei", List.of("--size", "32,32", "-o", "OUT/p.tif"), "-1", "abc");
        option("phantom", "--seed", List.of("--size", "32,32", "-o", "OUT/p.tif"), "abc", "1.5");
        option("phantom", "-o", List.of("--size", "32,32"), dir.resolve("out/p.jpg").toString());
        option("phantom", "--cases", List.of("--dataset", "OUT/ds"), "0", "-1", "abc");
        option("phantom", "--held-out", List.of("--dataset", "OUT/ds"), "-1", "6", "10");
        option("phantom", "--dataset", List.of("--size", "32,32", "-o", "OUT/p.tif"), "OUT/ds");
        option("phantom", "--size", List.of(), "32,32");
    }
}
