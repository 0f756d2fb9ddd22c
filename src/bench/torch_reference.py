#!/usr/bin/env python3
"""Reference run of the seed's autoencoder in PyTorch, for side-by-side comparison.

Same network, loss, optimiser and batch as the seed tutorial:
784-128-64-12-3 (tanh) / 3-12-64-128-784 (tanh, sigmoid out), MSE, Adam lr 0.005, batch 64.

Data: MNIST images/labels in IDX format (gzip or plain) and Fashion-MNIST images in IDX
format (the out-of-distribution set). Split: image i is held out when i % 5 == 4.
Prints, per epoch, training throughput and held-out MSE; then one summary line:
  train_img_per_s=... heldout_mse=... auroc_mse=... auroc_mae=... auroc_bce=... infer_img_per_s=... blas=...
and one line on the BLAS PyTorch ran on (see blas_setup).

Needs python3-torch, python3-numpy and python3-sklearn (Debian packages).
Usage: torch_reference.py MNIST_IMAGES_IDX FASHION_IMAGES_IDX [--epochs 10] [--threads 2] [--serve]

--serve (for `streamae bench`): a long-lived process, so that the reference is measured warm and
beside the runs it is compared with. It loads the data, makes --warmup-epochs epochs and one
inference pass not counted, then prints one JSON line {"ready": <blas_setup>, ...} and answers each
line it reads on stdin with one JSON line: "train" trains a fresh seeded model for --epochs epochs
({"train_img_per_s": ...}), "infer" makes --infer-passes passes over all MNIST digits with the last
model trained ({"infer_img_per_s": ...}); "train 2" and "infer 2" repeat that until at least 2 s of
timed work and give the rate over all of it. It ends at the end of its input. No sklearn needed.
"""
import argparse, ctypes, gzip, json, os, re, subprocess, sys, time
import numpy as np, torch, torch.nn as nn


def read_idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32) / 255.0


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, 128), nn.Tanh(), nn.Linear(128, 64), nn.Tanh(),
                                     nn.Linear(64, 12), nn.Tanh(), nn.Linear(12, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 12), nn.Tanh(), nn.Linear(12, 64), nn.Tanh(),
                                     nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 784), nn.Sigmoid())

    def forward(self, x):
        code = self.encoder(x)
        return code, self.decoder(code)


def errors(model, a):
    with torch.no_grad():
        t = torch.from_numpy(a)
        _, r = model(t)
        rc = r.clamp(1e-6, 1 - 1e-6)
        return {"mse": ((r - t) ** 2).mean(1).numpy(),
                "mae": (r - t).abs().mean(1).numpy(),
                "bce": (-(t * torch.log(rc) + (1 - t) * torch.log(1 - rc))).mean(1).numpy()}


def train_model(train, epochs, seed, after_epoch=lambda epoch, rate, model: None):
    """A fresh model seeded with `seed`, trained `epochs` epochs; returns it and the images/s of
    the training passes (after_epoch's work is not timed)."""
    torch.manual_seed(seed)
    model = AutoEncoder(); opt = torch.optim.Adam(model.parameters(), lr=0.005); mse = nn.MSELoss()
    spent = 0.0
    for epoch in range(epochs):
        order = torch.randperm(len(train)); t0 = time.perf_counter()
        for i in range(0, len(train), 64):
            b = train[order[i:i + 64]]
            _, d = model(b); loss = mse(d, b)
            opt.zero_grad(); loss.backward(); opt.step()
        dt = time.perf_counter() - t0; spent += dt
        after_epoch(epoch, len(train) / dt, model)
    return model, epochs * len(train) / spent


def inference_speed(model, x, passes=5):
    t0 = time.perf_counter()
    with torch.no_grad():
        for _ in range(passes):
            model(torch.from_numpy(x))
    return passes * len(x) / (time.perf_counter() - t0)


def loaded_blas_libraries():
    """The BLAS libraries this process loaded: Debian's torch calls whatever libblas.so.3 points to
    (the reference BLAS, or OpenBLAS once a package such as python3-sklearn's dependencies brings
    it), and batch inference is several times faster on OpenBLAS."""
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps
                           if ".so" in line and ("blas" in line.lower() or "mkl" in line.lower())})
    except OSError:
        return []


OPENBLAS_CORE = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); "
                 "lib.openblas_get_corename.restype = ctypes.c_char_p; print(lib.openblas_get_corename().decode())")


def blas_setup():
    """What decides PyTorch's speed here besides its own code. OpenBLAS built with DYNAMIC_ARCH
    (Debian's) picks a kernel for the CPU when it loads, unless OPENBLAS_CORETYPE names one: on an
    AVX-512 machine OPENBLAS_CORETYPE=Haswell made this network's training 30k instead of 40k img/s.
    ownCore is the kernel OpenBLAS picks without the variable, asked of a fresh process that loads
    the same library with the variable removed."""
    libraries = loaded_blas_libraries()
    setup = {"torch": torch.__version__, "blas": ",".join(libraries) or "unknown", "openblas": None, "core": None,
             "coretypeEnv": os.environ.get("OPENBLAS_CORETYPE"), "ownCore": None, "cpuCapability": None}
    capability = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    if capability:
        setup["cpuCapability"] = capability.group(1)
    for path in libraries:
        try:
            lib = ctypes.CDLL(path)  # the library already loaded, not a second copy
            corename, config = lib.openblas_get_corename, lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        corename.restype = config.restype = ctypes.c_char_p
        setup.update(openblas=config().decode(), core=corename().decode())
        setup["ownCore"] = setup["core"]
        if setup["coretypeEnv"] is not None:
            env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
            own = subprocess.run([sys.executable, "-c", OPENBLAS_CORE, path], env=env, capture_output=True, text=True)
            setup["ownCore"] = own.stdout.strip() if own.returncode == 0 and own.stdout.strip() else None
        break
    return setup


def reply(**fields):
    print(json.dumps(fields), flush=True)


def repeated(measure, min_seconds):
    """Calls measure() -> (model, images, seconds) until its timed work adds up to min_seconds (at
    least once); returns the last model and the images/s over all the calls."""
    images = spent = 0.0
    while True:
        model, n, dt = measure()
        images += n; spent += dt
        if spent >= min_seconds:
            return model, images / spent


def serve(a, x, train):
    warm, warm_train = train_model(train, a.warmup_epochs, a.seed) if a.warmup_epochs > 0 else (AutoEncoder(), None)
    warm_infer = inference_speed(warm, x, 1) if a.warmup_epochs > 0 else None
    reply(ready=blas_setup(), warmup_train_img_per_s=warm_train, warmup_infer_img_per_s=warm_infer)
    model = warm

    def train_once():
        trained, rate = train_model(train, a.epochs, a.seed)
        return trained, a.epochs * len(train), a.epochs * len(train) / rate

    def infer_once():
        images = a.infer_passes * len(x)
        return model, images, images / inference_speed(model, x, a.infer_passes)

    for line in sys.stdin:
        command, *args = line.split() or [""]
        min_seconds = float(args[0]) if args else 0.0
        if command == "train":
            model, rate = repeated(train_once, min_seconds)
            reply(train_img_per_s=rate)
        elif command == "infer":
            _, rate = repeated(infer_once, min_seconds)
            reply(infer_img_per_s=rate)
        elif command:
            reply(error=f"unknown command {command!r}: train or infer [MIN_SECONDS]")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mnist"); p.add_argument("fashion")
    p.add_argument("--epochs", type=int, default=10); p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--serve", action="store_true")
    p.add_argument("--warmup-epochs", type=int, default=1, help="--serve: epochs not counted, before the ready line")
    p.add_argument("--infer-passes", type=int, default=5, help="--serve: passes over all digits per infer")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x = read_idx_images(a.mnist)
    held = np.arange(len(x)) % 5 == 4
    train, test = torch.from_numpy(x[~held]), x[held]
    if a.serve:
        serve(a, x, train)
        return
    fashion = read_idx_images(a.fashion)[:len(test)]
    model, train_rate = train_model(train, a.epochs, a.seed, lambda epoch, rate, m: print(
        f"epoch {epoch + 1}: {rate:.0f} img/s heldout_mse={errors(m, test)['mse'].mean():.5f}", flush=True))
    setup = blas_setup()  # before sklearn loads scipy's BLAS wrappers too
    from sklearn.metrics import roc_auc_score
    en, ea = errors(model, test), errors(model, fashion)
    y = np.r_[np.zeros(len(test)), np.ones(len(fashion))]
    auc = {k: roc_auc_score(y, np.r_[en[k], ea[k]]) for k in en}
    infer = inference_speed(model, x)
    print(f"train_img_per_s={train_rate:.0f} heldout_mse={en['mse'].mean():.5f} "
          f"auroc_mse={auc['mse']:.4f} auroc_mae={auc['mae']:.4f} auroc_bce={auc['bce']:.4f} infer_img_per_s={infer:.0f} "
          f"blas={setup['blas']}")
    print("setup: " + json.dumps(setup))


if __name__ == "__main__":
    main()
