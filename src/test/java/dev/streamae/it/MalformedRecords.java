package dev.streamae.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A varied set of records that must each end in the dead-letter queue. */
public final class MalformedRecords {

    public record Bad(String id, byte[] value) {
    }

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
                case 3 -> "{\"id\":\"" + id + "\",\"u8\":\"" + Base64.getEncoder().encodeToString(new byte[783]) + "\"}";
                case 4 -> "{\"id\":\"" + id + "\",\"u8\":\"!!!not-base64!!!\"}";
                case 5 -> "{\"id\":\"" + id + "\",\"png\":\"" + Base64.getEncoder().encodeToString("garbage".getBytes()) + "\"}";
                case 6 -> "{\"id\":\"" + id + "\",\"pixels\":" + pixels(784, "2.5") + "}";
                case 7 -> "{\"id\":\"" + id + "\",\"u8\":\"" + Base64.getEncoder().encodeToString(new byte[784])
                        + "\",\"pixels\":" + pixels(784, "0") + "}";
                case 8 -> "[1,2,3]";
                default -> "{\"id\":\"" + id + "\",\"u8\":\"" + Base64.getEncoder().encodeToString(new byte[784])
                        + "\",\"width\":27,\"height\":29}";
            };
            out.add(new Bad(id, json.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static String pixels(int n, String value) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(value);
        }
        return sb.append(']').toString();
    }
}
