#!/bin/bash
# Installs every Debian package the build, the tests and the demo need.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

PACKAGES=(
	# build
	make gcc pkg-config clang llvm bpftool libbpf-dev libxdp-dev
	libelf-dev zlib1g-dev libmnl-dev libjansson-dev libsystemd-dev
	# tests (cmocka, sanitizer runtimes) and the demo's tools
	libcmocka-dev libclang-rt-14-dev iproute2 ethtool iputils-ping
	netcat-openbsd jq clang-format python3 tcpdump
	# real vhost-user frontends: DPDK testpmd with virtio-user (and the
	# vhost + af_xdp PMDs of the reference datapath)
	dpdk-dev librte-net-virtio23 librte-net-vhost23 librte-net-af-xdp23
	librte-mempool-ring23
	# QEMU guests over vhost-user (tests/tools/mkguest.sh builds the guest)
	qemu-system-x86 busybox-static cpio
	# the CNI plugin's real runtime and IPAM: podman (CNI backend, runc)
	# and Debian's reference plugins (host-local)
	podman runc containernetworking-plugins
	# make bench's pod part (bench/pod.sh): TCP and UDP between pods
	iperf3
)

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# iperf3 asks whether to start its daemon at boot: no (a server on port
# 5201 of the host would only be in the way; the bench starts its own).
if [[ " ${missing[*]} " == *" iperf3 "* ]] && command -v debconf-set-selections >/dev/null; then
	echo "iperf3 iperf3/start_daemon boolean false" | $SUDO debconf-set-selections
fi
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
