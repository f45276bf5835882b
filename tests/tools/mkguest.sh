#!/bin/bash
# Builds a tiny QEMU guest for the vhost-user tests: a Debian cloud kernel
# and a busybox initramfs holding the virtio-net driver modules.
#
#   tests/tools/mkguest.sh [DIR]      (default: $BUILD/guest, i.e. build/guest)
#
# DIR receives:
#   vmlinuz      the kernel of the newest linux-image-6.1.0-*-cloud-amd64
#                that apt-cache knows (fetched with `apt-get download`, or
#                taken from GUEST_KERNEL_DEB=/path/to/linux-image-....deb)
#   initrd.gz    busybox-static + the virtio-net modules + /init
#   kver         the kernel release
#
# The guest's /init mounts proc, sys and dev, loads the modules (in
# dependency order), runs /guest.sh if there is one, then powers the
# machine off (`poweroff -f`; run QEMU with -no-reboot). A test gives the
# guest its script in a second, uncompressed newc cpio archive holding
# /guest.sh, put *in front of* initrd.gz (cat guest.cpio initrd.gz): the
# kernel unpacks both (an archive after the gzip stream it would reject).
# Console lines from /init start with "XV-", for tests to parse.
#
# Idempotent: when DIR holds a guest built by this version of the script
# it does nothing (and needs no network). Needs busybox-static, cpio and
# apt (Debian packages); gzip, sha256sum and flock are always there.
set -euo pipefail
SELF=$(readlink -f "$0")
if [ $# -gt 0 ]; then
	mkdir -p "$1"
	OUT=$(cd "$1" && pwd)
fi
cd "$(dirname "$SELF")/../.."
OUT=${OUT:-${BUILD:-build}/guest}
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
virtio_pci failover net_failover virtio_net"
BUSYBOX=${BUSYBOX:-/bin/busybox}

die() {
	echo "mkguest: $*" >&2
	exit 1
}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
STAMP=$(sha256sum "$SELF" | cut -d' ' -f1)
exec 9>"$OUT/.lock"
flock 9 # one builder at a time; the others then find it built
if [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ] &&
	[ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	echo "mkguest: $OUT is up to date ($(cat "$OUT/kver"))"
	exit 0
fi

command -v cpio >/dev/null || die "cpio not installed (apt-get install cpio)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked (apt-get install busybox-static)"
fi

TMP=$(mktemp -d /tmp/xv-mkguest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# --- kernel package ---------------------------------------------------------
newest_kernel() {
	local names p
	names=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' | sort -rV) ||
		return 0
	for p in $names; do
		# only a package apt can really fetch (not a leftover name)
		case $(apt-cache policy "$p" 2>/dev/null) in
		*"Candidate: (none)"* | "") ;;
		*)
			echo "$p"
			return 0
			;;
		esac
	done
}

deb=${GUEST_KERNEL_DEB:-}
if [ -z "$deb" ]; then
	pkg=$(newest_kernel)
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		echo "mkguest: no cloud kernel known to apt; apt-get update"
		apt-get update -q >/dev/null
		pkg=$(newest_kernel)
	fi
	[ -n "$pkg" ] || die "apt knows no linux-image-6.1.0-*-cloud-amd64"
	echo "mkguest: downloading $pkg"
	(cd "$TMP" && apt-get download -q -o APT::Sandbox::User=root "$pkg") >&2 ||
		die "apt-get download $pkg failed"
	deb=$(find "$TMP" -maxdepth 1 -name 'linux-image-*.deb' | head -1)
fi
[ -f "$deb" ] || die "no kernel package at $deb"
dpkg-deb -x "$deb" "$TMP/k"
vmlinuz=$(find "$TMP/k/boot" -name 'vmlinuz-*' 2>/dev/null | head -1)
[ -n "$vmlinuz" ] || die "$deb holds no /boot/vmlinuz-*"
kver=${vmlinuz##*/vmlinuz-}

# --- initramfs --------------------------------------------------------------
R=$TMP/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
for m in $MODULES; do
	ko=$(find "$TMP/k/lib/modules/$kver" -name "$m.ko*" | head -1)
	[ -n "$ko" ] || die "module $m not in $deb"
	case $ko in
	*.ko) cp "$ko" "$R/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$ko" >"$R/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$ko" >"$R/lib/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$ko" >"$R/lib/modules/$m.ko" ;;
	*) die "cannot unpack $ko" ;;
	esac
done
echo "$MODULES" >"$R/etc/xv-modules"
# The kernel opens /dev/console for init before anything is mounted; /init
# reopens it on devtmpfs anyway, for builds that cannot mknod.
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true

cat >"$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
echo "XV-BOOTED kernel=$(uname -r)"
for m in $(cat /etc/xv-modules); do
	insmod /lib/modules/$m.ko || echo "XV-INSMOD-FAILED=$m"
done
if [ -f /guest.sh ]; then
	sh /guest.sh
	echo "XV-GUEST-EXIT=$?"
else
	echo "XV-NO-GUEST-SCRIPT"
fi
echo "XV-POWEROFF"
sync
poweroff -f
EOF
chmod 755 "$R/init"

(cd "$R" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$TMP/initrd.gz"

cp "$vmlinuz" "$OUT/vmlinuz.new"
mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv "$TMP/initrd.gz" "$OUT/initrd.gz"
echo "$kver" >"$OUT/kver"
echo "$STAMP" >"$OUT/stamp"
echo "mkguest: built $OUT ($kver, initrd $(du -k "$OUT/initrd.gz" | cut -f1) KiB)"
