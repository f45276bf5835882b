#!/bin/bash
# Prepares the host for xvdpa: bpffs mounted at /sys/fs/bpf. Idempotent.
set -euo pipefail

if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi
