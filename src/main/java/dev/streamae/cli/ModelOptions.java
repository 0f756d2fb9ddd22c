package dev.streamae.cli;

import dev.streamae.model.Architecture;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.Autoencoders;
import dev.streamae.model.ErrorMetric;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The network and optimiser flags shared by the offline commands ({@code train}, {@code evaluate}). */
final class ModelOptions {

    /** The shipped datasets are 28x28 images. */
    static final int MNIST_INPUT = 28 * 28;

    @Option(names = "--layers", paramLabel = "SIZES", defaultValue = "784-128-64-12-3",
            converter = ArchitectureConverter.class,
            description = "Encoder layer sizes, input first (784 for 28x28 digits), code last; the decoder mirrors "
                    + "them. Default: ${DEFAULT-VALUE}.")
    Architecture layers;

    @Option(names = "--learning-rate", paramLabel = "RATE", defaultValue = "0.005",
            description = "Adam learning rate, in (0, 1). Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Training mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the initial weights and of the shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** @throws CommandLine.ParameterException naming the first flag out of range */
    void validate(CommandLine commandLine) {
        if (layers.inputSize() != MNIST_INPUT) {
            throw new CommandLine.ParameterException(commandLine, "--layers must start with " + MNIST_INPUT
                    + " (28x28 images), got " + layers);
        }
        requireFraction(commandLine, "--learning-rate", learningRate);
        requireAtLeast(commandLine, "--batch-size", batchSize, 1);
    }

    Autoencoder newModel(ErrorMetric metric) {
        return newModel(metric, seed);
    }

    /** A model with these layers and learning rate, its initial weights from {@code weightSeed}. */
    Autoencoder newModel(ErrorMetric metric, long weightSeed) {
        return Autoencoders.create(layers, metric, learningRate, weightSeed);
    }

    static void requireAtLeast(CommandLine commandLine, String flag, long value, long min) {
        if (value < min) {
            throw new CommandLine.ParameterException(commandLine, flag + " must be at least " + min + ", got " + value);
        }
    }

    /** @throws CommandLine.ParameterException unless {@code 0 < value < 1} */
    static void requireFraction(CommandLine commandLine, String flag, double value) {
        if (!(value > 0 && value < 1)) {
            throw new CommandLine.ParameterException(commandLine, flag + " must be in (0, 1), got " + value);
        }
    }

    /** @throws CommandLine.ParameterException unless {@code 0 < rate < 0.5} */
    static void requireFalseAlarmRate(CommandLine commandLine, double rate) {
        if (!(rate > 0 && rate < 0.5)) {
            throw new CommandLine.ParameterException(commandLine, "--false-alarm-rate must be in (0, 0.5), got " + rate);
        }
    }

    /** Parses {@code 784-128-64-12-3}; a bad value is reported as a usage error. */
    static final class ArchitectureConverter implements CommandLine.ITypeConverter<Architecture> {
        @Override
        public Architecture convert(String value) {
            try {
                return Architecture.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses mse, mae or bce, in any case; a bad value is reported as a usage error. */
    static final class MetricConverter implements CommandLine.ITypeConverter<ErrorMetric> {
        @Override
        public ErrorMetric convert(String value) {
            try {
                return ErrorMetric.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
