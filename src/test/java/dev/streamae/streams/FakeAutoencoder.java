package dev.streamae.streams;

import dev.streamae.model.Architecture;
import dev.streamae.model.Autoencoder;
import dev.streamae.model.ErrorMetric;
import dev.streamae.model.ModelState;
import dev.streamae.model.Scores;
import dev.streamae.model.TrainStep;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic stand-in for the DL4J network in topology tests. It "reconstructs" every image
 * as a flat image of the mean brightness it has learnt so far (parameter 0, a running mean of the
 * training pixels); parameter 1 counts examples. So learning is observable, errors rank bright
 * outliers above typical images, and a snapshot round trip is checkable.
 */
final class FakeAutoencoder implements Autoencoder {

    private final Architecture architecture;
    private final ErrorMetric metric;
    private final float[] params;
    private long steps;
    /** The call of {@link #train} that throws (1-based), or 0 for none. */
    private int failingTrainCall;
    private CountDownLatch failWhen;
    private int trainCalls;

    FakeAutoencoder(Architecture architecture, ErrorMetric metric) {
        this.architecture = architecture;
        this.metric = metric;
        this.params = new float[(int) architecture.parameterCount()];
    }

    static ModelFactory factory() {
        return FakeAutoencoder::new;
    }

    @Override
    public Architecture architecture() {
        return architecture;
    }

    @Override
    public ErrorMetric metric() {
        return metric;
    }

    /** Makes the given call of {@link #train} (1-based) throw once {@code release} opens, before it changes anything. */
    FakeAutoencoder failingOnTrainCall(int call, CountDownLatch release) {
        this.failingTrainCall = call;
        this.failWhen = release;
        return this;
    }

    @Override
    public TrainStep train(float[][] batch) {
        if (++trainCalls == failingTrainCall) {
            try {
                failWhen.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("train call " + trainCalls + " fails on purpose");
        }
        Scores before = score(batch);
        double mse = 0;
        for (int i = 0; i < batch.length; i++) {
            mse += ErrorMetric.MSE.of(batch[i], before.reconstructions()[i]);
            double mean = mean(batch[i]);
            params[1] += 1;
            params[0] += (float) ((mean - params[0]) / params[1]);
        }
        steps++;
        return new TrainStep(mse / batch.length, before.errors());
    }

    @Override
    public Scores score(float[][] batch) {
        float[][] codes = new float[batch.length][];
        float[][] recon = new float[batch.length][];
        double[] errors = new double[batch.length];
        for (int i = 0; i < batch.length; i++) {
            if (batch[i].length != architecture.inputSize()) {
                throw new IllegalArgumentException("row " + i + " has " + batch[i].length + " values");
            }
            recon[i] = new float[batch[i].length];
            Arrays.fill(recon[i], params[0]);
            float[] code = new float[architecture.codeSize()];
            code[0] = (float) mean(batch[i]);
            codes[i] = code;
            errors[i] = metric.of(batch[i], recon[i]);
        }
        return new Scores(codes, recon, errors);
    }

    private static double mean(float[] row) {
        double s = 0;
        for (float v : row) {
            s += v;
        }
        return s / row.length;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public ModelState state(boolean withOptimiser) {
        return new ModelState(architecture, params.clone(), withOptimiser ? new float[] {steps} : null, steps);
    }

    @Override
    public void restore(ModelState state) {
        if (!state.architecture().equals(architecture)) {
            throw new IllegalArgumentException("wrong architecture " + state.architecture());
        }
        System.arraycopy(state.parameters(), 0, params, 0, params.length);
        steps = state.steps();
    }

    /** Examples the model has learnt, each counted as often as it was learnt. */
    long examplesLearnt() {
        return (long) params[1];
    }

    float learntMean() {
        return params[0];
    }
}
