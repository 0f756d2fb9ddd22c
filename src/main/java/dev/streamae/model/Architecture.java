package dev.streamae.model;

import java.util.Arrays;

/**
 * Layer sizes of the autoencoder, input first, code last: the decoder mirrors the encoder.
 * The seed's network is {@code 784-128-64-12-3}; every size is configuration.
 */
public record Architecture(int[] encoderSizes) {

    /** The seed tutorial's MNIST network. */
    public static final Architecture SEED = new Architecture(new int[] {784, 128, 64, 12, 3});

    public Architecture {
        if (encoderSizes == null || encoderSizes.length < 2) {
            throw new IllegalArgumentException("an architecture needs at least an input and a code size");
        }
        for (int size : encoderSizes) {
            if (size < 1) {
                throw new IllegalArgumentException("layer sizes must be positive: " + Arrays.toString(encoderSizes));
            }
        }
        encoderSizes = encoderSizes.clone();
    }

    /** Parses {@code "784-128-64-12-3"}. */
    public static Architecture parse(String text) {
        String[] parts = text.trim().split("\\s*[-,x]\\s*");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("layer sizes must look like 784-128-64-12-3, got '" + text + "'");
            }
        }
        return new Architecture(sizes);
    }

    public int inputSize() {
        return encoderSizes[0];
    }

    public int codeSize() {
        return encoderSizes[encoderSizes.length - 1];
    }

    /** Sizes through the whole network, input to reconstruction: 784-128-64-12-3-12-64-128-784. */
    public int[] allSizes() {
        int n = encoderSizes.length;
        int[] all = new int[2 * n - 1];
        for (int i = 0; i < n; i++) {
            all[i] = encoderSizes[i];
            all[2 * n - 2 - i] = encoderSizes[i];
        }
        return all;
    }

    /** Number of weights and biases of the whole network. */
    public long parameterCount() {
        int[] all = allSizes();
        long count = 0;
        for (int i = 0; i + 1 < all.length; i++) {
            count += (long) all[i] * all[i + 1] + all[i + 1];
        }
        return count;
    }

    /** Image side for square inputs (28 for MNIST), or -1 when the input is not a square. */
    public int side() {
        int side = (int) Math.round(Math.sqrt(inputSize()));
        return side * side == inputSize() ? side : -1;
    }

    public int[] encoderSizes() {
        return encoderSizes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture other && Arrays.equals(encoderSizes, other.encoderSizes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoderSizes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int size : encoderSizes) {
            if (sb.length() > 0) {
                sb.append('-');
            }
            sb.append(size);
        }
        return sb.toString();
    }
}
