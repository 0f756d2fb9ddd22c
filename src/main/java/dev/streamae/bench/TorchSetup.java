package dev.streamae.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Locale;

/**
 * What the PyTorch reference ran on, as its process reports it ({@code blas_setup} in
 * {@code src/bench/torch_reference.py}): besides PyTorch's own code, its speed here is the BLAS
 * library Debian's torch finds behind {@code libblas.so.3} and, on OpenBLAS, the kernel OpenBLAS
 * runs. OpenBLAS picks the kernel for the CPU when it loads unless {@code OPENBLAS_CORETYPE} names
 * one; on the 2-core AVX-512 machine {@code OPENBLAS_CORETYPE=Haswell} (set there for other tools)
 * held PyTorch's training to 30,000 img/s against 40,000 with OpenBLAS's own pick.
 *
 * @param torch PyTorch's version
 * @param blas the BLAS libraries the process loaded, comma-separated, or "unknown"
 * @param openblas OpenBLAS's build configuration ({@code openblas_get_config}), null if the BLAS is not OpenBLAS
 * @param core the OpenBLAS kernel the process ran on ({@code openblas_get_corename}), null if not OpenBLAS
 * @param coretypeEnv {@code OPENBLAS_CORETYPE} in the process's environment, null if unset
 * @param ownCore the kernel OpenBLAS picks on this CPU without {@code OPENBLAS_CORETYPE}, null if unknown
 * @param cpuCapability the vector instructions PyTorch's own kernels use (from {@code torch.__config__.show()})
 */
public record TorchSetup(String torch, String blas, String openblas, String core, String coretypeEnv, String ownCore,
                         String cpuCapability) {

    /**
     * True when {@code OPENBLAS_CORETYPE} made OpenBLAS run another kernel than it picks itself (or
     * its own pick is unknown): PyTorch then ran on a kernel chosen for another CPU, a handicap on
     * this machine, and the ratios against it are not the ones a user with OpenBLAS's own pick sees.
     */
    @JsonIgnore
    public boolean kernelForced() {
        return coretypeEnv != null && core != null && (ownCore == null || !ownCore.equals(core));
    }

    /** One line for the report, e.g. "torch 1.13.0 (AVX2) on OpenBLAS 0.3.21, kernel Cooperlake (OpenBLAS's own pick; ...)". */
    public String describe() {
        String head = String.format(Locale.ROOT, "torch %s (its own kernels: %s) on %s", torch,
                cpuCapability == null ? "?" : cpuCapability, blas.split(",")[0]);
        if (core == null) {
            return head + " (not OpenBLAS: no kernel to report)";
        }
        String version = openblas == null ? "OpenBLAS" : String.join(" ", java.util.Arrays.stream(openblas.split(" "))
                .limit(2).toList());
        String kernel;
        if (coretypeEnv == null) {
            kernel = "kernel " + core + " (OpenBLAS's own pick; OPENBLAS_CORETYPE not set)";
        } else if (kernelForced()) {
            kernel = "kernel " + core + " FORCED by OPENBLAS_CORETYPE=" + coretypeEnv + "; OpenBLAS's own pick on this CPU: "
                    + (ownCore == null ? "unknown" : ownCore);
        } else {
            kernel = "kernel " + core + " (OPENBLAS_CORETYPE=" + coretypeEnv + ", OpenBLAS's own pick too)";
        }
        return head + " (" + version + "), " + kernel;
    }
}
