package org.tessera.volume.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.tessera.volume.InvalidInputException;

/**
 * NumPy's {@code .npy} files (format versions 1.0, 2.0 and 3.0): one array of booleans, integers (8 to 64 bits,
 * signed or unsigned) or floats (32, 64 bits), little- or big-endian, C or Fortran order, any number of axes.
 * {@link Array} holds the values in C order (the last axis fastest) whatever the file's order. The header is
 * checked against the file's size before anything is allocated; a bad file is an {@link InvalidInputException}
 * naming it.
 */
public final class Npy {

    private static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' };
    /** Bytes read at most before the header is known to be sane (numpy itself refuses headers over 10000). */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /** The element types, with the Java array each is held in (unsigned values as their bits). */
    public enum Type {
        BOOL("b1", 1, boolean[].class), UINT8("u1", 1, byte[].class), INT8("i1", 1, byte[].class),
        UINT16("u2", 2, short[].class), INT16("i2", 2, short[].class), UINT32("u4", 4, int[].class),
        INT32("i4", 4, int[].class), UINT64("u8", 8, long[].class), INT64("i8", 8, long[].class),
        FLOAT32("f4", 4, float[].class), FLOAT64("f8", 8, double[].class);

        final String code;
        final int bytes;
        final Class<?> arrayClass;

        Type(String code, int bytes, Class<?> arrayClass) {
            this.code = code;
            this.bytes = bytes;
            this.arrayClass = arrayClass;
        }

        /** NumPy's kind and size, e.g. {@code f4}. */
        public String code() {
            return code;
        }

        public int bytes() {
            return bytes;
        }

        static Type ofCode(String code) {
            for (Type t : values())
                if (t.code.equals(code))
                    return t;
            return null;
        }

        Object allocate(int n) {
            return java.lang.reflect.Array.newInstance(arrayClass.getComponentType(), n);
        }
    }

    /**
     * An array: its type, its shape (NumPy's axis order; empty for a scalar) and its values in C order, in the
     * Java array of its {@link Type} ({@code boolean[]}, {@code byte[]}, {@code short[]}, {@code int[]},
     * {@code long[]}, {@code float[]} or {@code double[]}).
     */
    public record Array(Type type, long[] shape, Object data) {

        public Array {
            shape = shape.clone();
            if (!type.arrayClass.isInstance(data))
                throw new IllegalArgumentException(type + " values go in a " + type.arrayClass.getSimpleName()
                        + ", not a " + (data == null ? "null" : data.getClass().getSimpleName()));
            long n = elements(shape, null);
            if (n != java.lang.reflect.Array.getLength(data))
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values but "
                        + java.lang.reflect.Array.getLength(data) + " were given");
        }

        public static Array of(float[] data, long... shape) { return new Array(Type.FLOAT32, shape, data); }
        public static Array of(double[] data, long... shape) { return new Array(Type.FLOAT64, shape, data); }
        public static Array of(int[] data, long... shape) { return new Array(Type.INT32, shape, data); }
        public static Array of(long[] data, long... shape) { return new Array(Type.INT64, shape, data); }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public int size() {
            return java.lang.reflect.Array.getLength(data);
        }

        /** Element {@code i} (C order) as a double; unsigned types read as their unsigned value. */
        public double getDouble(int i) {
            return switch (type) {
                case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
                case UINT8 -> Byte.toUnsignedInt(((byte[]) data)[i]);
                case INT8 -> ((byte[]) data)[i];
                case UINT16 -> Short.toUnsignedInt(((short[]) data)[i]);
                case INT16 -> ((short[]) data)[i];
                case UINT32 -> Integer.toUnsignedLong(((int[]) data)[i]);
                case INT32 -> ((int[]) data)[i];
                case UINT64 -> unsignedToDouble(((long[]) data)[i]);
                case INT64 -> ((long[]) data)[i];
                case FLOAT32 -> ((float[]) data)[i];
                case FLOAT64 -> ((double[]) data)[i];
            };
        }

        private static double unsignedToDouble(long v) {
            double d = (double) (v >>> 1) * 2;
            return d + (v & 1);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Array a && a.type == type && Arrays.equals(a.shape, shape)
                    && java.util.Objects.deepEquals(data, a.data);
        }

        @Override
        public int hashCode() {
            return type.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return type.code + " " + Arrays.toString(shape);
        }
    }

    /** The header of a file: what it holds, how it is stored, and where its data starts. */
    public record Header(Type type, ByteOrder order, boolean fortranOrder, long[] shape, int major, long dataOffset) {

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elements() {
            return Npy.elements(shape, null);
        }
    }

    /** Reads and checks a file's header only. */
    public static Header header(Path file) {
        try (FileChannel ch = open(file)) {
            return header(file, ch, ch.size());
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + file + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    /** Reads a whole file. */
    public static Array read(Path file) {
        try (FileChannel ch = open(file)) {
            Header h = header(file, ch, ch.size());
            long n = h.elements();
            if (n > Integer.MAX_VALUE - 8)
                throw new InvalidInputException(file + " holds " + n + " values (shape " + Arrays.toString(h.shape)
                        + "); one Java array holds at most " + (Integer.MAX_VALUE - 8) + ". Split the array");
            Memory.require(file, n * h.type.bytes * (h.fortranOrder ? 2 : 1), n + " " + h.type.code + " values");
            Object values = h.type.allocate((int) n);
            readValues(file, ch, h, values);
            if (h.fortranOrder && h.shape.length > 1)
                values = fortranToC(values, h.type, h.shape);
            return new Array(h.type, h.shape, values);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + file + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (Files.isDirectory(file))
            throw new InvalidInputException(file + " is a folder, not a .npy file");
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + " not found; give an existing .npy file", e);
        }
    }

    private static Header header(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, start, 0);
        int got = start.position();
        start.flip();
        byte[] magic = new byte[Math.min(got, MAGIC.length)];
        start.get(magic);
        if (got < MAGIC.length || !Arrays.equals(magic, MAGIC))
            throw new InvalidInputException(file + " is not a NumPy .npy file (it does not start with \\x93NUMPY); "
                    + "save arrays with numpy.save");
        if (got < 10)
            throw new InvalidInputException(file + " is truncated: it ends inside the .npy preamble (" + size
                    + " bytes)");
        int major = Byte.toUnsignedInt(start.get()), minor = Byte.toUnsignedInt(start.get());
        if (major < 1 || major > 3 || minor != 0)
            throw new InvalidInputException(file + " is .npy format version " + major + "." + minor
                    + "; this reader knows 1.0, 2.0 and 3.0");
        long headerLength;
        int preamble;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(start.getShort());
            preamble = 10;
        } else {
            if (got < 12)
                throw new InvalidInputException(file + " is truncated: it ends inside the .npy preamble (" + size
                        + " bytes)");
            headerLength = Integer.toUnsignedLong(start.getInt());
            preamble = 12;
        }
        if (headerLength > MAX_HEADER)
            throw new InvalidInputException(file + ": the .npy header claims " + headerLength + " bytes; a header is a "
                    + "short text (numpy writes under 10000 bytes). The file is damaged or not a .npy file");
        if (preamble + headerLength > size)
            throw new InvalidInputException(file + " is truncated: its header says " + headerLength
                    + " bytes of text follow, but the file has only " + (size - preamble));
        ByteBuffer text = ByteBuffer.allocate((int) headerLength);
        readFully(ch, text, preamble);
        String dict = new String(text.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = parse(file, dict, major, preamble + headerLength);
        long n = elements(h.shape, file);
        long dataBytes = multiply(n, h.type.bytes, file, h.shape);
        long stored = size - h.dataOffset;
        if (stored < dataBytes)
            throw new InvalidInputException(file + " is truncated: shape " + Arrays.toString(h.shape) + " of "
                    + h.type.code + " needs " + dataBytes + " bytes of data, but the file holds " + stored
                    + " after its header");
        if (stored > dataBytes)
            throw new InvalidInputException(file + " holds " + stored + " bytes after its header, but shape "
                    + Arrays.toString(h.shape) + " of " + h.type.code + " needs " + dataBytes
                    + "; the header does not describe this data");
        return h;
    }

    /** Parses the header's Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }. */
    static Header parse(Path file, String dict, int major, long dataOffset) {
        String s = dict.strip();
        if (!s.startsWith("{") || !s.endsWith("}"))
            throw bad(file, "its header is not a Python dict ({'descr': ..., 'fortran_order': ..., 'shape': ...})", dict);
        Map<String, String> fields = new HashMap<>();
        String body = s.substring(1, s.length() - 1);
        int i = 0;
        while (true) {
            i = skipSpace(body, i);
            if (i >= body.length())
                break;
            char q = body.charAt(i);
            if (q != '\'' && q != '"')
                throw bad(file, "a key of its header is not a quoted string", dict);
            int end = body.indexOf(q, i + 1);
            if (end < 0)
                throw bad(file, "a key of its header is not closed", dict);
            String key = body.substring(i + 1, end);
            i = skipSpace(body, end + 1);
            if (i >= body.length() || body.charAt(i) != ':')
                throw bad(file, "key '" + key + "' has no ':'", dict);
            i = skipSpace(body, i + 1);
            int valueEnd = valueEnd(body, i);
            if (valueEnd < 0)
                throw bad(file, "the value of '" + key + "' is not closed", dict);
            if (fields.put(key, body.substring(i, valueEnd).strip()) != null)
                throw bad(file, "key '" + key + "' appears twice", dict);
            i = skipSpace(body, valueEnd);
            if (i < body.length()) {
                if (body.charAt(i) != ',')
                    throw bad(file, "expected ',' after the value of '" + key + "'", dict);
                i++;
            }
        }
        for (String key : new String[] { "descr", "fortran_order", "shape" })
            if (!fields.containsKey(key))
                throw bad(file, "its header has no '" + key + "'", dict);
        if (fields.size() != 3)
            throw bad(file, "its header has keys other than descr, fortran_order and shape", dict);

        String descr = fields.get("descr");
        if (descr.length() < 2 || (descr.charAt(0) != '\'' && descr.charAt(0) != '"')
                || descr.charAt(descr.length() - 1) != descr.charAt(0))
            throw new InvalidInputException(file + " holds a structured or unknown dtype " + descr + "; this reader knows "
                    + "plain arrays of " + supported());
        String code = descr.substring(1, descr.length() - 1);
        ByteOrder order;
        Type type = code.length() == 3 ? Type.ofCode(code.substring(1)) : null;
        char endian = code.isEmpty() ? '?' : code.charAt(0);
        if (type == null || (endian != '<' && endian != '>' && endian != '|' && endian != '='))
            throw new InvalidInputException(file + " holds dtype '" + code + "'; this reader knows " + supported());
        if (endian == '|' && type.bytes > 1)
            throw new InvalidInputException(file + ": dtype '" + code + "' has no byte order; " + type.bytes
                    + "-byte values need '<' or '>'");
        order = endian == '>' ? ByteOrder.BIG_ENDIAN : endian == '=' ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN;

        String fortran = fields.get("fortran_order");
        if (!fortran.equals("True") && !fortran.equals("False"))
            throw bad(file, "fortran_order is " + fortran + ", not True or False", dict);

        String shapeText = fields.get("shape");
        if (!shapeText.startsWith("(") || !shapeText.endsWith(")"))
            throw bad(file, "shape is " + shapeText + ", not a tuple such as (3, 4)", dict);
        String inner = shapeText.substring(1, shapeText.length() - 1).strip();
        long[] shape;
        if (inner.isEmpty()) {
            shape = new long[0];
        } else {
            String[] parts = inner.endsWith(",") ? inner.substring(0, inner.length() - 1).split(",") : inner.split(",");
            if (parts.length == 1 && !inner.endsWith(","))
                throw bad(file, "shape " + shapeText + " is not a tuple (one axis is written (n,))", dict);
            shape = new long[parts.length];
            for (int k = 0; k < parts.length; k++) {
                String p = parts[k].strip();
                if (p.endsWith("L"))
                    p = p.substring(0, p.length() - 1); // Python 2's long literals
                try {
                    shape[k] = Long.parseLong(p);
                } catch (NumberFormatException e) {
                    throw bad(file, "shape " + shapeText + " holds '" + p + "', not a whole number", dict);
                }
                if (shape[k] < 0)
                    throw bad(file, "shape " + shapeText + " has a negative size", dict);
            }
        }
        return new Header(type, order, fortran.equals("True"), shape, major, dataOffset);
    }

    private static String supported() {
        return Arrays.stream(Type.values()).map(t -> t.code).collect(Collectors.joining(", "))
                + " (little- or big-endian)";
    }

    private static InvalidInputException bad(Path file, String what, String dict) {
        String shown = dict.strip();
        if (shown.length() > 200)
            shown = shown.substring(0, 200) + "...";
        return new InvalidInputException(file + " is not a valid .npy file: " + what + " (header: " + shown
                + "); save arrays with numpy.save");
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i)))
            i++;
        return i;
    }

    /** The end of a value: a quoted string, a parenthesized tuple, or a bare word; -1 when unclosed. */
    private static int valueEnd(String s, int i) {
        if (i >= s.length())
            return i;
        char c = s.charAt(i);
        if (c == '\'' || c == '"') {
            int end = s.indexOf(c, i + 1);
            return end < 0 ? -1 : end + 1;
        }
        if (c == '(' || c == '[') {
            char close = c == '(' ? ')' : ']';
            int depth = 0;
            for (int k = i; k < s.length(); k++) {
                char d = s.charAt(k);
                if (d == c)
                    depth++;
                else if (d == close && --depth == 0)
                    return k + 1;
            }
            return -1;
        }
        int k = i;
        while (k < s.length() && s.charAt(k) != ',')
            k++;
        return k;
    }

    /** The number of elements of a shape; with a file, an overflow is that file's error, else an argument error. */
    static long elements(long[] shape, Path file) {
        long n = 1;
        for (long s : shape) {
            if (s < 0)
                throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            n = multiply(n, s, file, shape);
        }
        return n;
    }

    private static long multiply(long a, long b, Path file, long[] shape) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            String msg = "shape " + Arrays.toString(shape) + " holds more values than any file can";
            if (file == null)
                throw new IllegalArgumentException(msg);
            throw new InvalidInputException(file + ": " + msg + "; the header is damaged");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, position);
            if (r < 0)
                return;
            position += r;
        }
    }

    private static void readValues(Path file, FileChannel ch, Header h, Object values) throws IOException {
        int n = java.lang.reflect.Array.getLength(values);
        int perChunk = Math.max(1, (1 << 22) / h.type.bytes);
        ByteBuffer buf = ByteBuffer.allocate(perChunk * h.type.bytes).order(h.order);
        long position = h.dataOffset;
        for (int done = 0; done < n; ) {
            int count = Math.min(perChunk, n - done);
            buf.clear().limit(count * h.type.bytes);
            readFully(ch, buf, position);
            if (buf.hasRemaining())
                throw new InvalidInputException(file + " is truncated: it ended while its data was read");
            position += (long) count * h.type.bytes;
            buf.flip();
            switch (h.type) {
                case BOOL -> {
                    boolean[] v = (boolean[]) values;
                    for (int k = 0; k < count; k++)
                        v[done + k] = buf.get() != 0;
                }
                case UINT8, INT8 -> buf.get((byte[]) values, done, count);
                case UINT16, INT16 -> buf.asShortBuffer().get((short[]) values, done, count);
                case UINT32, INT32 -> buf.asIntBuffer().get((int[]) values, done, count);
                case UINT64, INT64 -> buf.asLongBuffer().get((long[]) values, done, count);
                case FLOAT32 -> buf.asFloatBuffer().get((float[]) values, done, count);
                case FLOAT64 -> buf.asDoubleBuffer().get((double[]) values, done, count);
            }
            done += count;
        }
    }

    /** Writes little-endian, C order, format 1.0 (2.0 when the header needs it). */
    public static void write(Path file, Array array) {
        write(file, array, ByteOrder.LITTLE_ENDIAN, false, 0);
    }

    /**
     * Writes atomically (a temporary file renamed onto {@code file}).
     *
     * @param major the format version (1, 2 or 3), or 0 for the smallest that holds the header
     */
    public static void write(Path file, Array array, ByteOrder order, boolean fortranOrder, int major) {
        if (major < 0 || major > 3)
            throw new IllegalArgumentException("format version " + major + ": use 1, 2, 3 or 0 (automatic)");
        long[] shape = array.shape;
        StringBuilder dict = new StringBuilder("{'descr': '");
        dict.append(array.type.bytes == 1 ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<').append(array.type.code)
                .append("', 'fortran_order': ").append(fortranOrder ? "True" : "False").append(", 'shape': (");
        for (int k = 0; k < shape.length; k++)
            dict.append(k > 0 ? ", " : "").append(shape[k]);
        dict.append(shape.length == 1 ? ",), }" : "), }");
        byte[] text = dict.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int version = major != 0 ? major : text.length + 11 + 64 <= 65535 ? 1 : 2;
        int preamble = version == 1 ? 10 : 12;
        int total = preamble + text.length + 1;
        int padded = (total + 63) / 64 * 64;
        if (version == 1 && padded - preamble > 65535)
            throw new IllegalArgumentException("the header of " + Arrays.toString(shape) + " needs format 2.0 or later");
        ByteBuffer head = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1)
            head.putShort((short) (padded - preamble));
        else
            head.putInt(padded - preamble);
        head.put(text);
        while (head.position() < padded - 1)
            head.put((byte) ' ');
        head.put((byte) '\n');
        Object values = fortranOrder && shape.length > 1 ? cToFortran(array.data, array.type, shape) : array.data;
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(head.array());
                writeValues(out, array.type, values, order);
            }
        });
    }

    private static void writeValues(OutputStream out, Type type, Object values, ByteOrder order) throws IOException {
        int n = java.lang.reflect.Array.getLength(values);
        int perChunk = Math.max(1, (1 << 20) / type.bytes);
        ByteBuffer buf = ByteBuffer.allocate(perChunk * type.bytes).order(order);
        for (int done = 0; done < n; done += perChunk) {
            int count = Math.min(perChunk, n - done);
            buf.clear();
            switch (type) {
                case BOOL -> {
                    boolean[] v = (boolean[]) values;
                    for (int k = 0; k < count; k++)
                        buf.put((byte) (v[done + k] ? 1 : 0));
                }
                case UINT8, INT8 -> buf.put((byte[]) values, done, count);
                case UINT16, INT16 -> buf.asShortBuffer().put((short[]) values, done, count);
                case UINT32, INT32 -> buf.asIntBuffer().put((int[]) values, done, count);
                case UINT64, INT64 -> buf.asLongBuffer().put((long[]) values, done, count);
                case FLOAT32 -> buf.asFloatBuffer().put((float[]) values, done, count);
                case FLOAT64 -> buf.asDoubleBuffer().put((double[]) values, done, count);
            }
            out.write(buf.array(), 0, count * type.bytes);
        }
    }

    private static Object fortranToC(Object f, Type type, long[] shape) {
        return permute(f, type, shape, true);
    }

    private static Object cToFortran(Object c, Type type, long[] shape) {
        return permute(c, type, shape, false);
    }

    /**
     * Walks the C-order indices with an odometer, keeping the Fortran index of the same element; copies from
     * Fortran to C order ({@code toC}) or back.
     */
    private static Object permute(Object src, Type type, long[] shape, boolean toC) {
        int n = java.lang.reflect.Array.getLength(src);
        Object dst = type.allocate(n);
        int d = shape.length;
        long[] fStride = new long[d];
        long s = 1;
        for (int k = 0; k < d; k++) {
            fStride[k] = s;
            s *= shape[k];
        }
        long[] index = new long[d];
        long f = 0;
        for (int c = 0; c < n; c++) {
            if (toC)
                System.arraycopy(src, (int) f, dst, c, 1);
            else
                System.arraycopy(src, c, dst, (int) f, 1);
            for (int k = d - 1; k >= 0; k--) {
                if (++index[k] < shape[k]) {
                    f += fStride[k];
                    break;
                }
                f -= (index[k] - 1) * fStride[k];
                index[k] = 0;
            }
        }
        return dst;
    }

    /** A one-line description, e.g. {@code f4 (3, 4), C order, little-endian, format 1.0}. */
    public static String describe(Header h) {
        return String.format(Locale.ROOT, "%s %s, %s order, %s, format %d.0", h.type.code, Arrays.toString(h.shape),
                h.fortranOrder ? "Fortran" : "C", h.order == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian",
                h.major);
    }
}
