package org.tessera.bioimageio;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.tessera.volume.InvalidInputException;

/**
 * The protobuf wire format, as far as reading and extending an ONNX model needs it: the top-level fields of a
 * message (each with its raw bytes, so that it can be copied unchanged) and a writer for new messages.
 */
final class Protobuf {

    static final int VARINT = 0, FIXED64 = 1, BYTES = 2, FIXED32 = 5;

    private Protobuf() {}

    /** One field: its number, wire type, value (varints and fixed values in {@code number}), and where it lies. */
    record Field(int number, int wireType, long value, byte[] source, int payloadStart, int payloadEnd, int start) {

        byte[] payload() {
            return java.util.Arrays.copyOfRange(source, payloadStart, payloadEnd);
        }

        String string() {
            return new String(source, payloadStart, payloadEnd - payloadStart, StandardCharsets.UTF_8);
        }

        /** The whole field (tag and payload), to copy it as it is. */
        void copyTo(ByteArrayOutputStream out) {
            out.write(source, start, payloadEnd - start);
        }
    }

    /** The fields of a message, in file order. @throws InvalidInputException when the bytes are not protobuf */
    static List<Field> fields(byte[] data, String what) {
        List<Field> fields = new ArrayList<>();
        int[] at = { 0 };
        while (at[0] < data.length) {
            int start = at[0];
            long tag = varint(data, at, what);
            int number = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (number <= 0)
                throw broken(what);
            switch (wire) {
                case VARINT -> {
                    long v = varint(data, at, what);
                    fields.add(new Field(number, wire, v, data, at[0], at[0], start));
                }
                case FIXED64, FIXED32 -> {
                    int n = wire == FIXED64 ? 8 : 4;
                    if (at[0] + n > data.length)
                        throw broken(what);
                    fields.add(new Field(number, wire, 0, data, at[0], at[0] + n, start));
                    at[0] += n;
                }
                case BYTES -> {
                    long length = varint(data, at, what);
                    if (length < 0 || length > data.length - at[0])
                        throw broken(what);
                    fields.add(new Field(number, wire, 0, data, at[0], at[0] + (int) length, start));
                    at[0] += (int) length;
                }
                default -> throw broken(what);
            }
        }
        return fields;
    }

    private static long varint(byte[] data, int[] at, String what) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= data.length)
                throw broken(what);
            byte b = data[at[0]++];
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
        throw broken(what);
    }

    private static InvalidInputException broken(String what) {
        return new InvalidInputException(what + " is not a valid ONNX file (its protobuf encoding is broken); "
                + "export the network again with torch.onnx.export or another ONNX exporter");
    }

    /** Writes one message. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer varint(int number, long value) {
            tag(number, VARINT);
            rawVarint(value);
            return this;
        }

        Writer bytes(int number, byte[] value) {
            tag(number, BYTES);
            rawVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer string(int number, String value) {
            return bytes(number, value.getBytes(StandardCharsets.UTF_8));
        }

        Writer message(int number, Writer message) {
            return bytes(number, message.toByteArray());
        }

        Writer fixed32(int number, float value) {
            tag(number, FIXED32);
            int bits = Float.floatToRawIntBits(value);
            for (int i = 0; i < 4; i++)
                out.write(bits >>> (8 * i));
            return this;
        }

        Writer copy(Field field) {
            field.copyTo(out);
            return this;
        }

        private void tag(int number, int wire) {
            rawVarint(((long) number << 3) | wire);
        }

        private void rawVarint(long value) {
            while ((value & ~0x7fL) != 0) {
                out.write((int) ((value & 0x7f) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
