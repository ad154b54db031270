#!/usr/bin/env bash
# The software Vulkan driver the webgpu tests run Dawn on: Mesa 25's lavapipe from Debian bookworm-backports (Dawn
# rejects bookworm's own Mesa 22). It is unpacked into a cache folder outside the repository, never installed: apt-get
# downloads the three packages with a private sources list, dpkg -x unpacks them, and an ICD file points the Vulkan
# loader at the unpacked library by absolute path. Idempotent and safe to run concurrently (flock).
#
# Prints the environment a process needs before it starts (the loader reads it when dawn.node loads):
#   VK_ICD_FILENAMES=<cache>/lvp_icd.json
#   LD_LIBRARY_PATH=<cache>/root/usr/lib/x86_64-linux-gnu
# Needs the Vulkan loader (libvulkan1) and lavapipe's runtime libraries: test/setup/apt/model.txt lists them, and
# test/setup/prepare.sh installs them.
set -euo pipefail

cache="${ID3_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/id3-operator}/vulkan"
packages=(mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports)
libdir="$cache/root/usr/lib/x86_64-linux-gnu"
icd="$cache/lvp_icd.json"

# Not `ldconfig -p | grep -q`: grep -q exits at the first match, ldconfig then dies of SIGPIPE, and pipefail turns
# that into a spurious "missing" now and then.
if ! grep -q 'libvulkan.so.1 ' <(ldconfig -p); then
  echo "vulkan.sh: the Vulkan loader (libvulkan1) is missing; run: bash test/setup/prepare.sh" >&2
  exit 1
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ ! -f "$icd" ] || [ ! -f "$libdir/libvulkan_lvp.so" ]; then
  rm -rf "$cache/apt" "$cache/debs" "$cache/root"
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs" "$cache/root"
  echo "deb http://deb.debian.org/debian bookworm-backports main" >"$cache/apt/sources.list"
  apt_opts=(
    -o "Dir::Etc::sourcelist=$cache/apt/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt/cache"
    -o "APT::Sandbox::User=root" -qq
  )
  apt-get "${apt_opts[@]}" update >&2
  (cd "$cache/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >&2)
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache/root"; done
  if [ ! -f "$libdir/libvulkan_lvp.so" ]; then
    echo "vulkan.sh: libvulkan_lvp.so not found after unpacking ${packages[*]}" >&2
    exit 1
  fi
  version="$(dpkg-deb -f "$cache"/debs/mesa-vulkan-drivers_*.deb Version)"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.4.305"}}\n' \
    "$libdir/libvulkan_lvp.so" >"$icd.tmp"
  mv "$icd.tmp" "$icd"
  echo "vulkan.sh: lavapipe (mesa-vulkan-drivers $version) unpacked into $cache" >&2
fi

echo "VK_ICD_FILENAMES=$icd"
echo "LD_LIBRARY_PATH=$libdir"
