#!/usr/bin/env python3
"""Reference run of the seed's autoencoder in PyTorch, for side-by-side comparison.

Same network, loss, optimiser and batch as the seed tutorial:
784-128-64-12-3 (tanh) / 3-12-64-128-784 (tanh, sigmoid out), MSE, Adam lr 0.005, batch 64.

Data: MNIST images/labels in IDX format (gzip or plain) and Fashion-MNIST images in IDX
format (the out-of-distribution set). Split: image i is held out when i % 5 == 4.
Prints, per epoch, training throughput and held-out MSE; then one summary line:
  train_img_per_s=... heldout_mse=... auroc_mse=... auroc_mae=... auroc_bce=... infer_img_per_s=...

Needs python3-torch, python3-numpy and python3-sklearn (Debian packages).
Usage: torch_reference.py MNIST_IMAGES_IDX FASHION_IMAGES_IDX [--epochs 10] [--threads 2] [--speed-only]

--speed-only (for `streamae bench`): the same training and inference timings, without the per-epoch
held-out MSE and the AUROC (and so without sklearn); the summary line then has only
train_img_per_s and infer_img_per_s.
"""
import argparse, gzip, time
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


def inference_speed(model, x):
    t0 = time.perf_counter()
    with torch.no_grad():
        for _ in range(5):
            model(torch.from_numpy(x))
    return 5 * len(x) / (time.perf_counter() - t0)


def blas_library():
    """The BLAS this process loaded: Debian's torch calls whatever libblas.so.3 points to (the
    reference BLAS, or OpenBLAS once a package such as python3-sklearn's dependencies brings it),
    and batch inference is several times faster on OpenBLAS."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps
                           if ".so" in line and ("blas" in line.lower() or "mkl" in line.lower())})
    except OSError:
        return "unknown"
    return ",".join(libs) or "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mnist"); p.add_argument("fashion")
    p.add_argument("--epochs", type=int, default=10); p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--speed-only", action="store_true")
    a = p.parse_args()
    torch.manual_seed(a.seed); torch.set_num_threads(a.threads)
    x = read_idx_images(a.mnist)
    held = np.arange(len(x)) % 5 == 4
    train, test = torch.from_numpy(x[~held]), x[held]
    fashion = read_idx_images(a.fashion)[:len(test)]
    model = AutoEncoder(); opt = torch.optim.Adam(model.parameters(), lr=0.005); mse = nn.MSELoss()
    spent = 0.0
    for epoch in range(a.epochs):
        order = torch.randperm(len(train)); t0 = time.perf_counter()
        for i in range(0, len(train), 64):
            b = train[order[i:i + 64]]
            _, d = model(b); loss = mse(d, b)
            opt.zero_grad(); loss.backward(); opt.step()
        dt = time.perf_counter() - t0; spent += dt
        if a.speed_only:
            print(f"epoch {epoch + 1}: {len(train) / dt:.0f} img/s", flush=True)
            continue
        print(f"epoch {epoch + 1}: {len(train) / dt:.0f} img/s heldout_mse={errors(model, test)['mse'].mean():.5f}", flush=True)
    if a.speed_only:
        print(f"train_img_per_s={a.epochs * len(train) / spent:.0f} infer_img_per_s={inference_speed(model, x):.0f} "
              f"blas={blas_library()}")
        return
    from sklearn.metrics import roc_auc_score
    en, ea = errors(model, test), errors(model, fashion)
    y = np.r_[np.zeros(len(test)), np.ones(len(fashion))]
    auc = {k: roc_auc_score(y, np.r_[en[k], ea[k]]) for k in en}
    infer = inference_speed(model, x)
    print(f"train_img_per_s={a.epochs * len(train) / spent:.0f} heldout_mse={en['mse'].mean():.5f} "
          f"auroc_mse={auc['mse']:.4f} auroc_mae={auc['mae']:.4f} auroc_bce={auc['bce']:.4f} infer_img_per_s={infer:.0f} "
          f"blas={blas_library()}")


if __name__ == "__main__":
    main()
