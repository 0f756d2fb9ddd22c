package dev.streamae.it;

import dev.streamae.image.ImageDecoder;
import dev.streamae.image.PngTestFiles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Records that must each end in the dead-letter queue: a small fixed set ({@link #generate}) and a
 * seeded corpus of every kind of hostile input ({@link #corpus}): truncated and deeply nested JSON,
 * huge arrays, wrong types, NaN and Infinity tokens, bad dimensions, invalid base64, corrupt PNGs and
 * PNGs claiming enormous sizes, values of several megabytes up to the broker's limit, null and empty
 * values, binary garbage, unknown fields and ids that are too long.
 */
public final class MalformedRecords {

    /** {@code key} may be null (a record without a key); {@code value} may be null (a null value). */
    public record Bad(String id, byte[] value, String kind) {
        Bad(String id, byte[] value) {
            this(id, value, "fixed");
        }

        int size() {
            return value == null ? 0 : value.length;
        }
    }

    /** The largest value the test producer can send: {@code max.request.size} (10 MB) less the record's overhead. */
    static final int MAX_VALUE_BYTES = (10 << 20) - 1024;
    private static final int SIZE = ImageDecoder.DEFAULT_WIDTH * ImageDecoder.DEFAULT_HEIGHT;
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private MalformedRecords() {
    }

    public static List<Bad> generate(int count) {
        List<Bad> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = "bad-" + i;
            String json = switch (i % 10) {
                case 0 -> "{not json";
                case 1 -> "{\"id\":\"" + id + "\"}";
                case 2 -> "{\"id\":\"" + id + "\",\"pixels\":[0.5,0.5]}";
                case 3 -> "{\"id\":\"" + id + "\",\"u8\":\"" + B64.encodeToString(new byte[783]) + "\"}";
                case 4 -> "{\"id\":\"" + id + "\",\"u8\":\"!!!not-base64!!!\"}";
                case 5 -> "{\"id\":\"" + id + "\",\"png\":\"" + B64.encodeToString("garbage".getBytes()) + "\"}";
                case 6 -> "{\"id\":\"" + id + "\",\"pixels\":" + pixels(784, "2.5") + "}";
                case 7 -> "{\"id\":\"" + id + "\",\"u8\":\"" + B64.encodeToString(new byte[784])
                        + "\",\"pixels\":" + pixels(784, "0") + "}";
                case 8 -> "[1,2,3]";
                default -> "{\"id\":\"" + id + "\",\"u8\":\"" + B64.encodeToString(new byte[784])
                        + "\",\"width\":27,\"height\":29}";
            };
            out.add(new Bad(id, json.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * {@code count} hostile records from {@code seed}, cycling through every kind so that each
     * appears about equally often; the expensive kinds (megabyte values, a million numbers) are
     * capped at a few records each. Keys are {@code bad-<n>}, except {@link #NULL_KEYS} records
     * whose key is null.
     */
    static List<Bad> corpus(long seed, int count) {
        Random random = new Random(seed);
        List<Function<Random, byte[]>> kinds = List.of(
                MalformedRecords::truncatedJson, MalformedRecords::deeplyNested, MalformedRecords::longArray,
                MalformedRecords::wrongType, MalformedRecords::nonFinite, MalformedRecords::badDimensions,
                MalformedRecords::invalidBase64, MalformedRecords::corruptPng, MalformedRecords::pngClaimingHugeSize,
                r -> null, r -> new byte[0], MalformedRecords::binaryGarbage, MalformedRecords::unknownField,
                MalformedRecords::badId, MalformedRecords::badEncodings, MalformedRecords::notAnObject);
        List<String> names = List.of("truncated-json", "deeply-nested", "long-array", "wrong-type", "nan-infinity",
                "bad-dimensions", "invalid-base64", "corrupt-png", "png-huge-size", "null-value", "empty-value",
                "binary-garbage", "unknown-field", "bad-id", "bad-encodings", "not-an-object");
        List<Bad> out = new ArrayList<>(count);
        // The expensive ones first, so that a short corpus still has them: values of 1 MB up to the
        // broker's limit, and JSON arrays of a million numbers.
        int[] megabytes = {1, 3, 6, 9};
        for (int mb : megabytes) {
            out.add(new Bad("bad-" + out.size(), oversized(random, mb << 20), "oversized-" + mb + "mb"));
        }
        out.add(new Bad("bad-" + out.size(), oversized(random, MAX_VALUE_BYTES), "oversized-max"));
        for (int i = 0; i < 3; i++) {
            out.add(new Bad("bad-" + out.size(), millionNumbers(random, i), "million-numbers"));
        }
        while (out.size() < count) {
            int k = out.size() % kinds.size();
            String key = out.size() % 211 == 7 ? null : "bad-" + out.size();
            out.add(new Bad(key, kinds.get(k).apply(random), names.get(k)));
        }
        return out;
    }

    /** How many records of {@link #corpus}{@code (seed, count)} have a null key. */
    static long nullKeys(List<Bad> corpus) {
        return corpus.stream().filter(b -> b.id() == null).count();
    }

    // ------------------------------------------------------------------ kinds

    private static String validJson(Random r) {
        byte[] pixels = new byte[SIZE];
        r.nextBytes(pixels);
        return "{\"id\":\"img-" + r.nextInt(1_000_000) + "\",\"u8\":\"" + B64.encodeToString(pixels)
                + "\",\"label\":" + r.nextInt(10) + "}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] truncatedJson(Random r) {
        String json = validJson(r);
        return utf8(json.substring(0, 1 + r.nextInt(json.length() - 1)));
    }

    private static byte[] deeplyNested(Random r) {
        int depth = 17 + r.nextInt(r.nextBoolean() ? 100 : 200_000);
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String where = r.nextBoolean() ? "\"pixels\":" : "\"extra\":";
        return utf8("{\"id\":\"nested\"," + where + open.repeat(depth) + "1" + close.repeat(depth) + "}");
    }

    private static byte[] longArray(Random r) {
        int n = SIZE + 1 + r.nextInt(20_000);
        return utf8("{\"id\":\"long\",\"pixels\":" + pixels(n, "0.5") + "}");
    }

    private static byte[] millionNumbers(Random r, int variant) {
        String numbers = pixels(1_000_000, variant == 0 ? "0.5" : Integer.toString(r.nextInt(2)));
        return utf8(variant == 2 ? numbers : "{\"id\":\"million\",\"pixels\":" + numbers + "}");
    }

    private static byte[] wrongType(Random r) {
        String u8 = "\"u8\":\"" + B64.encodeToString(new byte[SIZE]) + "\"";
        String[] variants = {
            "{\"id\":\"t\",\"pixels\":\"0.5\"}",
            "{\"id\":\"t\",\"pixels\":{\"a\":1}}",
            "{\"id\":\"t\",\"pixels\":" + pixels(SIZE, "\"0.5\"") + "}",
            "{\"id\":\"t\",\"pixels\":" + pixels(SIZE, "true") + "}",
            "{\"id\":\"t\",\"pixels\":" + pixels(SIZE, "null") + "}",
            "{\"id\":\"t\"," + u8 + ",\"width\":\"28\"}",
            "{\"id\":\"t\"," + u8 + ",\"width\":28.5}",
            "{\"id\":\"t\"," + u8 + ",\"label\":7.5}",
            "{\"id\":\"t\"," + u8 + ",\"label\":[7]}",
            "{\"id\":\"t\"," + u8 + ",\"timestamp\":\"yesterday\"}",
            "{\"id\":12345," + u8 + "}",
            "{\"id\":true," + u8 + "}",
            "{\"id\":{\"nested\":1}," + u8 + "}",
            "{\"id\":\"t\",\"u8\":[1,2,3]}",
            "{\"id\":\"t\",\"u8\":" + r.nextInt() + "}",
            "{\"id\":\"t\",\"png\":{}}",
        };
        return utf8(variants[r.nextInt(variants.length)]);
    }

    private static byte[] nonFinite(Random r) {
        String[] tokens = {"NaN", "Infinity", "-Infinity", "+Infinity", "nan", "1e99999", "\"NaN\""};
        String token = tokens[r.nextInt(tokens.length)];
        StringBuilder sb = new StringBuilder("{\"id\":\"nan\",\"pixels\":[");
        int at = r.nextInt(SIZE);
        for (int i = 0; i < SIZE; i++) {
            sb.append(i == 0 ? "" : ",").append(i == at ? token : "0.25");
        }
        return utf8(sb.append("]}").toString());
    }

    private static byte[] badDimensions(Random r) {
        String[] values = {"-28", "0", "-1", "2147483647", "-2147483648", "99999999999", "1e9", "65536", "27", "29"};
        String field = r.nextBoolean() ? "width" : "height";
        return utf8("{\"id\":\"dim\",\"u8\":\"" + B64.encodeToString(new byte[SIZE]) + "\",\"" + field + "\":"
                + values[r.nextInt(values.length)] + "}");
    }

    private static byte[] invalidBase64(Random r) {
        String good = B64.encodeToString(new byte[SIZE]);
        String[] variants = {
            good.substring(0, good.length() - 1),        // a broken final quantum
            good.replace('A', '*'),                       // characters outside the alphabet
            good.replace('A', '-'),                       // URL-safe alphabet, not standard
            "A",
            "====",
            good.substring(0, 100) + " " + good.substring(100),
            Base64.getMimeEncoder().encodeToString(new byte[SIZE]),  // line breaks
        };
        String field = r.nextBoolean() ? "u8" : "png";
        return utf8("{\"id\":\"b64\",\"" + field + "\":\"" + variants[r.nextInt(variants.length)]
                .replace("\r", "\\r").replace("\n", "\\n") + "\"}");
    }

    private static byte[] png(Random r) {
        byte[] samples = new byte[SIZE];
        r.nextBytes(samples);
        return PngTestFiles.gray8(28, 28, samples);
    }

    private static byte[] corruptPng(Random r) {
        byte[] png = png(r);
        byte[] bad = switch (r.nextInt(5)) {
            case 0 -> {                       // one flipped byte anywhere after the signature
                byte[] copy = png.clone();
                copy[8 + r.nextInt(copy.length - 8)] ^= (byte) (1 + r.nextInt(255));
                yield copy;
            }
            case 1 -> Arrays.copyOf(png, 1 + r.nextInt(png.length - 1));   // truncated
            case 2 -> PngTestFiles.concat(Arrays.copyOf(png, 8), PngTestFiles.ihdr(28, 28, 8, 0),
                    PngTestFiles.chunk("IDAT", randomBytes(r, 200)), PngTestFiles.chunk("IEND", new byte[0]));
            case 3 -> PngTestFiles.concat(Arrays.copyOf(png, 8), PngTestFiles.ihdr(28, 28, 3, 0),
                    PngTestFiles.chunk("IEND", new byte[0]));   // bit depth 3 does not exist
            default -> randomBytes(r, 1 + r.nextInt(2000));      // not a PNG at all
        };
        return utf8("{\"id\":\"png\",\"png\":\"" + B64.encodeToString(bad) + "\"}");
    }

    private static byte[] pngClaimingHugeSize(Random r) {
        long[][] sizes = {{100_000, 100_000}, {0xFFFFFFFFL, 0xFFFFFFFFL}, {1L << 31, 1}, {0, 28}, {28, 2_000_000_000}};
        long[] size = sizes[r.nextInt(sizes.length)];
        return utf8("{\"id\":\"bomb\",\"png\":\"" + B64.encodeToString(PngTestFiles.claiming(size[0], size[1])) + "\"}");
    }

    private static byte[] binaryGarbage(Random r) {
        byte[] bytes = randomBytes(r, 1 + r.nextInt(10_000));
        if (r.nextBoolean()) {
            bytes[0] = '{';  // looks like JSON for one byte
        }
        return bytes;
    }

    private static byte[] unknownField(Random r) {
        String json = validJson(r);
        String[] extras = {"\"extra\":1", "\"ID\":\"x\"", "\"pixel\":[0.5]", "\"metadata\":{\"a\":[1,2,3]}", "\"\":null"};
        return utf8(json.substring(0, json.length() - 1) + "," + extras[r.nextInt(extras.length)] + "}");
    }

    private static byte[] badId(Random r) {
        String u8 = "\"u8\":\"" + B64.encodeToString(new byte[SIZE]) + "\"";
        String[] ids = {"\"" + "x".repeat(ImageDecoder.MAX_ID_LENGTH + 1 + r.nextInt(100_000)) + "\"", "\"\"", "\"   \"",
            "\"\\t\\n\""};
        return utf8("{\"id\":" + ids[r.nextInt(ids.length)] + "," + u8 + "}");
    }

    private static byte[] badEncodings(Random r) {
        String u8 = "\"u8\":\"" + B64.encodeToString(new byte[SIZE]) + "\"";
        String[] variants = {
            "{\"id\":\"enc\"}",
            "{\"id\":\"enc\",\"label\":3}",
            "{\"id\":\"enc\"," + u8 + ",\"pixels\":" + pixels(SIZE, "0") + "}",
            "{\"id\":\"enc\"," + u8 + ",\"png\":\"" + B64.encodeToString(png(r)) + "\"}",
            "{\"id\":\"enc\",\"u8\":\"" + B64.encodeToString(new byte[SIZE - 1 - r.nextInt(SIZE - 1)]) + "\"}",
            "{\"id\":\"enc\",\"pixels\":" + pixels(SIZE, r.nextBoolean() ? "1.0001" : "-0.01") + "}",
            "{\"id\":\"enc\",\"pixels\":[]}",
            "{\"id\":\"enc\",\"u8\":\"\"}",
            "{\"id\":\"enc\",\"u8\":null,\"png\":null,\"pixels\":null}",
        };
        return utf8(variants[r.nextInt(variants.length)]);
    }

    private static byte[] notAnObject(Random r) {
        String[] variants = {"[1,2,3]", "\"a string\"", "42", "null", "true", validJson(r) + " trailing",
            validJson(r) + validJson(r), "{}", "{\"id\":\"x\",}", "{'id':'single-quotes'}", "{\"id\":\"\\uD800\"}"};
        byte[] json = utf8(variants[r.nextInt(variants.length)]);
        if (r.nextInt(8) == 0) {
            // Not UTF-8: a lone continuation byte inside a string.
            json = utf8("{\"id\":\"\u0001\",\"u8\":\"x\"}");
            json[8] = (byte) 0x80;
        }
        return json;
    }

    /** A JSON record of exactly {@code bytes} bytes whose one field is a huge string. */
    private static byte[] oversized(Random r, int bytes) {
        String[] fields = {"png", "u8", "id"};
        String head = "{\"id\":\"big\",\"" + fields[r.nextInt(fields.length)] + "\":\"";
        if (head.endsWith("\"id\":\"")) {
            head = "{\"id\":\"";
        }
        String tail = "\"}";
        byte[] out = new byte[bytes];
        byte[] h = utf8(head);
        System.arraycopy(h, 0, out, 0, h.length);
        Arrays.fill(out, h.length, bytes - tail.length(), (byte) 'A');
        byte[] t = utf8(tail);
        System.arraycopy(t, 0, out, bytes - t.length, t.length);
        return out;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] bytes = new byte[n];
        r.nextBytes(bytes);
        return bytes;
    }

    private static String pixels(int n, String value) {
        StringBuilder sb = new StringBuilder(n * (value.length() + 1) + 2).append('[');
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(value);
        }
        return sb.append(']').toString();
    }
}
