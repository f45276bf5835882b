#!/bin/bash
# Prepares the host for xvdpa: bpffs at /sys/fs/bpf, hugepages. Idempotent.
set -euo pipefail

if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi

# Hugepages for DPDK virtio-user frontends in the tests and the demo.
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 512 ]; then
	echo 1024 >/proc/sys/vm/nr_hugepages
fi
mkdir -p /dev/hugepages
if ! mountpoint -q /dev/hugepages; then
	mount -t hugetlbfs nodev /dev/hugepages
fi
