#!/usr/bin/env bash
# Builds a Java 17 base image for Jib from Debian packages, as a `docker save` tarball, and prints
# its path. For machines that cannot reach Docker Hub (where the pom's eclipse-temurin base lives):
#
#   base=$(src/ops/base-image.sh)
#   ./mvnw -B -Pimage package -Djib.from.image="tar://$base"     # -> target/jib-image.tar
#
# The image is Debian bookworm (debootstrap minbase) plus openjdk-17-jre-headless and
# ca-certificates, with JAVA_HOME and PATH set; bash is included (the compose healthcheck uses it).
# Needs root and debootstrap (installed with apt-get when missing). The tarball is cached in
# $STREAMAE_BASE_CACHE (default /var/cache/streamae) and reused while this script is unchanged.
set -euo pipefail

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=openjdk-17-jre-headless,ca-certificates
cache=${STREAMAE_BASE_CACHE:-/var/cache/streamae}
key=$(sha256sum "$0" | cut -c1-12)
out="$cache/debian-$suite-jre17-$key.tar"

if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "base-image.sh: debootstrap needs root" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "base-image.sh: debootstrap $suite with $packages (a few minutes)" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >&2
umount "$rootfs/proc" 2>/dev/null || true

# What a runtime image does not need: package caches and lists, docs, man pages, translations.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*
java_home=$(cd "$rootfs" && ls -d usr/lib/jvm/java-17-openjdk-*)
test -x "$rootfs/$java_home/bin/java"

# One layer, reproducible: sorted, numeric owners, epoch mtimes; no /proc, /sys or /dev contents.
image="$work/image"
mkdir -p "$image"
tar --numeric-owner --sort=name --mtime=@0 --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* \
  -C "$rootfs" -cf "$image/layer.tar" .
diff_id=$(sha256sum "$image/layer.tar" | cut -d' ' -f1)
cat > "$image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/$java_home","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"src/ops/base-image.sh: debootstrap $suite + $packages"}]}
JSON
config_id=$(sha256sum "$image/config.json" | cut -d' ' -f1)
mv "$image/config.json" "$image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["streamae-base:%s-jre17"],"Layers":["layer.tar"]}]\n' \
  "$config_id" "$suite" > "$image/manifest.json"
tar --numeric-owner --mtime=@0 -C "$image" -cf "$out.tmp" manifest.json "$config_id.json" layer.tar
mv "$out.tmp" "$out"
echo "base-image.sh: built $out ($(du -h "$out" | cut -f1))" >&2
echo "$out"
