// SPDX-License-Identifier: GPL-2.0-only
/*
 * evil_frontend: a small vhost-user frontend for vdpad's tests, mostly
 * hostile. Usage: evil_frontend SOCKET MODE [HOLD_MS]
 *
 * It connects to SOCKET (vdpad in server mode) and sets a device up the
 * usual way: SET_OWNER, GET_FEATURES, SET_FEATURES (VERSION_1 only, so
 * no PROTOCOL_FEATURES and a kick enables a ring), SET_MEM_TABLE with one
 * 2 MiB memfd region, then for queue 0 (RX) and 1 (TX): SET_VRING_NUM 256,
 * SET_VRING_ADDR, SET_VRING_BASE 0, SET_VRING_CALL and SET_VRING_KICK
 * with eventfds. Then it does ONE thing, chosen by MODE:
 *
 *   good             16 TX frames must come back on RX (the loopback);
 *                    prints how long setup took ("control path: N ms")
 *   loop             a TX descriptor whose next is itself (expect: loop)
 *   idx_jump         TX avail->idx moved past the queue size (idx_jump)
 *   oob_addr         a TX buffer outside guest memory (addr)
 *   nested_indirect  INDIRECT_DESC acked; an indirect table holding an
 *                    INDIRECT descriptor (nested_indirect)
 *   ring_outside     the TX ring placed outside guest memory (ring_addr)
 *   bad_size         SET_VRING_NUM with header sizes 4 and 16: refused,
 *                    the connection stays, GET_FEATURES is answered and
 *                    the loopback still works
 *   huge_size        a header claiming 64 KiB of payload: dropped
 *   garbage          4 KiB of (seeded) random bytes: dropped
 *   region_past_eof  a region whose mmap_offset + size runs 1 MiB past
 *                    the memfd's end, rings inside that tail: refused
 *                    (had vdpad mapped it, touching a ring would SIGBUS)
 *   fd_flood         SET_VRING_CALL with 8 fds (refused, connection kept),
 *                    then with 200 fds (more than any message may carry)
 *   stall            SET_FEATURES whose last 4 payload bytes come HOLD_MS
 *                    after the header
 *   reply_flood      GET_FEATURES sent without reading the replies until
 *                    the backend stops reading; replies read HOLD_MS later
 *   truncate_memfd   memory is a memfd made with MFD_ALLOW_SEALING; after
 *                    the rings started, ftruncate(0): refused, since the
 *                    backend sealed it against shrinking (F_SEAL_SHRINK);
 *                    then the loopback must work (a backend that did not
 *                    seal: the mode fails)
 *   truncate_unsealed  a memfd that takes no seals, cut to 0 after the
 *                    rings started; the rings' kicks follow (expect: the
 *                    device broken by a guest memory fault, found by the
 *                    datapath)
 *   truncate_early   the same memfd cut to 0 after SET_MEM_TABLE, before
 *                    the rings start: the backend reads the used index at
 *                    ring start, on its control thread
 *   truncate_half    cut to half; RX buffers posted in the removed half,
 *                    TX frames from the kept one (the write path)
 *   truncate_tmpfs   a file in $EVIL_SHM_DIR (/dev/shm), cut to half; TX
 *                    frames from the removed half (the read path)
 *   truncate_hugetlbfs  a 4 MiB file in $EVIL_HUGE_DIR (/dev/hugepages),
 *                    cut to 2 MiB; TX frames and RX buffers in the removed
 *                    huge page
 *                    (files are unlinked as soon as they are open)
 *   mem_limit        a sparse 1 GiB memfd as the memory table, for a
 *                    device whose limit is lower: refused, the rings do
 *                    not start, TX posted anyway is not used, the
 *                    connection stays
 *   tx_flood         for HOLD_MS, the TX ring kept full of header-only
 *                    frames, each slot posted again as soon as it is used:
 *                    dropped and counted, the device not broken, nothing
 *                    on RX, and (the test's witness) other devices and the
 *                    control path not held up
 *
 * TCP modes (transmit offloads; they negotiate CSUM, HOST_TSO4/6 and
 * HOST_ECN, so the device must be one that offers them: AF_XDP). Frames
 * go from 02:00:00:00:00:01 10.250.0.1:40000 to $EVIL_DST_MAC (default
 * ff:ff:ff:ff:ff:ff) 10.250.0.2:9, one TCP byte stream whose byte at
 * offset o is (o * 7 + 3) & 255, sequence numbers from 1000:
 *   tso              $EVIL_TSO_FRAMES (8) GSO frames of $EVIL_TSO_PAYLOAD
 *                    (64000) bytes, MSS $EVIL_TSO_MSS (1448); the last
 *                    with PSH and FIN. All must be used.
 *   tcp_stream       for HOLD_MS, the ring kept busy with the same stream
 *                    over and over: GSO frames of 64000 bytes ($EVIL_TSO=1,
 *                    default) or MSS-sized ones with NEEDS_CSUM
 *                    ($EVIL_TSO=0), MSS $EVIL_TSO_MSS (1448), for the
 *                    benchmark; prints frames and payload bytes posted
 *   gso_hostile      one frame each of: gso_size 0, hdr_len past the
 *                    frame, TCPV4 on a UDP packet, UFO, TCPV6 on IPv4,
 *                    300 segments, a 70000-byte frame (bad_gso: 7); and
 *                    csum_start past the frame, csum_offset past it
 *                    (bad_csum: 2); then a good GSO frame (3 segments)
 *                    and a good NEEDS_CSUM one: the device stays up
 *
 * Migration modes (the dirty log, vdpad's side of a live migration): they
 * ack PROTOCOL_FEATURES (rings start at SET_VRING_ENABLE) with LOG_SHMFD
 * and RARP, on a loopback device unless said otherwise:
 *   dirty_log        16 frames looped back, then what QEMU does when a
 *                    migration starts: SET_LOG_BASE with a memfd (answered
 *                    0), LOG_ALL acked, both rings' used rings logged
 *                    (SET_VRING_ADDR with VHOST_VRING_F_LOG, same rings,
 *                    while they run); 16 more frames: every page of their
 *                    RX buffers and both used rings must be marked in the
 *                    log, no TX buffer page, no descriptor or avail page;
 *                    a second SET_LOG_BASE (a bigger log) replaces the
 *                    first; GET_VRING_BASE answers, for each ring, what
 *                    its used ring says (nothing in flight); SEND_RARP
 *   log_hostile      SET_LOG_BASE before LOG_SHMFD is acked (no answer
 *                    may come), then six bad ones (size 0, past the file,
 *                    offset past it, wrapping, over 1 GiB, an eventfd):
 *                    each answered 1; then the device must be broken (no
 *                    frame loops back) and still talk
 *   log_truncate     logging as in dirty_log, with an unsealable memfd as
 *                    the log, cut to 0 after a round of traffic; the next
 *                    round faults in the log (its frames may arrive: the
 *                    guest memory is whole) and breaks the device: a
 *                    third round must not loop back, the connection stay
 *   log_stream       for HOLD_MS, 256 TX frames of $EVIL_FRAME_LEN (64)
 *                    bytes kept posted and their RX buffers reposted as
 *                    they come back, with the dirty log on ($EVIL_LOG=1,
 *                    default) or off (0): for the benchmark; prints the
 *                    frames looped back
 *   rarp             (an AF_XDP device) SEND_RARP for $EVIL_RARP_MAC
 *                    (02:00:00:00:00:01), $EVIL_RARP_COUNT (3) times, then
 *                    held for HOLD_MS: the test looks for the RARPs on the
 *                    wire
 *
 * The rings are laid out by the tests' split-ring driver
 * (tests/common/split_driver.h), which writes whatever it is told to.
 *
 * Ring attacks kick every 100 ms while the connection is held (HOLD_MS,
 * default 1500, or until SIGTERM/SIGINT), so a backend that logged per
 * kick would show it. They expect the connection to stay up, nothing to
 * arrive on RX and GET_FEATURES to be answered at the end. Exit status 0
 * when everything the mode expects happened, else 1 (with the reason on
 * stderr).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_net.h>

#include "split_driver.h"
#include "vhost_user.h"

#define MEM_SIZE (2u << 20)
#define GPA_BASE 0x40000000ull /* differs from our uva on purpose */
#define QSIZE 256
#define RXQ 0
#define TXQ 1
/* Layout in the memfd: ring q at q * 64 KiB, buffers and tables above. */
#define RING_OFF(q) ((uint64_t)0x10000 * (q))
#define AVAIL_OFF 0x1000
#define USED_OFF 0x2000
#define TX_BUF_OFF 0x40000
#define RX_BUF_OFF 0xc0000
#define INDIR_OFF 0x180000
#define BUF_SIZE 2048
#define NET_HDR_LEN 12 /* virtio_net_hdr_mrg_rxbuf (VERSION_1) */
#define N_RX_BUFS 32
#define N_FRAMES 16
#define REPLY_TIMEOUT_MS 4000
/* TCP modes: big slots for GSO frames, small ones for MSS-sized frames,
 * above the 2 MiB the other modes use. */
#define TCP_MEM_SIZE (8u << 20)
#define TSO_SLOT_OFF 0x200000
#define TSO_SLOT 0x11000 /* a 64 KiB frame and its headers */
#define TSO_SLOTS 32
#define MSS_SLOT_OFF 0x440000
#define MSS_SLOT 0x2400 /* an MSS-sized frame up to MTU 9000 */
#define MSS_SLOTS 128
#define TCP_HDRS 54 /* Ethernet, IPv4, TCP without options */
#define TCP_SEQ0 1000
#define MAX_SEND_FDS 253 /* the kernel's SCM_MAX_FD */

/* What the frontend's memory is made of. */
enum mem_kind {
	MEM_MEMFD, /* memfd_create without MFD_ALLOW_SEALING: takes no seals */
	MEM_SEALABLE, /* memfd_create with MFD_ALLOW_SEALING */
	MEM_TMPFS, /* a file in $EVIL_SHM_DIR (default /dev/shm) */
	MEM_HUGETLBFS, /* a file in $EVIL_HUGE_DIR (default /dev/hugepages) */
};

struct fe {
	const char *mode;
	int sock;
	int memfd;
	uint8_t *mem; /* our mapping of the memfd */
	uint64_t size; /* of the memory (MEM_SIZE unless a mode says) */
	enum mem_kind kind;
	bool cut_after_table; /* truncate_early: ftruncate(0) at setup */
	uint64_t offered;
	struct sd_mem gm; /* our memory, as the driver sees it */
	int kick[2];
	int call[2];
	/* unmapped when a mode puts the ring where we must not touch it */
	struct sd_ring ring[2];
	uint64_t t0; /* when we connected (ms) */
};

/* Where the frontend says its memory and rings are. */
struct layout {
	struct vu_mem_region region;
	uint64_t ring_uva[2];
};

static volatile sig_atomic_t stop_requested;
static unsigned int hold_ms = 1500;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int fail(const struct fe *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(const struct fe *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "evil_frontend: %s: ", f->mode);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void note(const struct fe *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct fe *f, const char *fmt, ...)
{
	va_list ap;

	printf("evil_frontend: %s: ", f->mode);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t gpa(uint64_t off)
{
	return GPA_BASE + off;
}

/* ---- messages ---- */

/* Sends a header as given (its size may lie) and @plen payload bytes. */
static int send_raw(struct fe *f, uint32_t req, uint32_t size, const void *p,
		    size_t plen, const int *fds, unsigned int nfds)
{
	static union {
		char buf[CMSG_SPACE(MAX_SEND_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct xv_vu_hdr h = { req, VU_VERSION, size };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)p, plen } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = plen ? 2 : 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (nfds > MAX_SEND_FDS)
		return -EINVAL;
	if (nfds) {
		memset(u.buf, 0, sizeof(u.buf));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	n = sendmsg(f->sock, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(h) + plen ? 0 : -EIO;
}

static int vu_send(struct fe *f, uint32_t req, const void *p, uint32_t size,
		   const int *fds, unsigned int nfds)
{
	int err = send_raw(f, req, size, p, size, fds, nfds);

	if (err)
		return fail(f, "sending request %u: %s", req, strerror(-err));
	return 0;
}

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Reads the reply to @req: its payload size, -ECONNRESET, -ETIMEDOUT. */
static int recv_reply(struct fe *f, uint32_t req, void *out, size_t outlen)
{
	struct xv_vu_hdr h;
	ssize_t n;

	if (wait_readable(f->sock, REPLY_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	n = recv(f->sock, &h, sizeof(h), MSG_WAITALL);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return -ECONNRESET;
	if (n != sizeof(h))
		return -EIO;
	if (!(h.flags & VU_FLAG_REPLY) || h.request != req || h.size > outlen)
		return -EPROTO;
	if (h.size && recv(f->sock, out, h.size, MSG_WAITALL) != h.size)
		return -EIO;
	return (int)h.size;
}

static int get_features(struct fe *f, uint64_t *v)
{
	int n;

	if (vu_send(f, VU_GET_FEATURES, NULL, 0, NULL, 0))
		return -1;
	n = recv_reply(f, VU_GET_FEATURES, v, sizeof(*v));
	if (n != sizeof(*v))
		return fail(f, "GET_FEATURES: no proper reply (%s)",
			    n < 0 ? strerror(-n) : "short");
	return 0;
}

/* The backend still talks to us, and the stream is in step. */
static int still_alive(struct fe *f)
{
	uint64_t v;

	if (get_features(f, &v))
		return -1;
	if (v != f->offered)
		return fail(f, "GET_FEATURES answered 0x%llx, earlier 0x%llx",
			    (unsigned long long)v,
			    (unsigned long long)f->offered);
	return 0;
}

/* Waits up to @ms for the backend to close the connection: 0 if it did. */
static int wait_dropped(struct fe *f, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	char buf[4096];
	ssize_t n;

	while (now_ms() < end) {
		if (wait_readable(f->sock, (int)(end - now_ms())) <= 0)
			break;
		n = recv(f->sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 0;
	}
	return -ETIMEDOUT;
}

/* True if the backend has closed the connection (without reading). */
static bool peer_closed(struct fe *f)
{
	char c;
	ssize_t n;

	if (wait_readable(f->sock, 0) <= 0)
		return false;
	n = recv(f->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void kick(struct fe *f, unsigned int q)
{
	uint64_t one = 1;

	if (write(f->kick[q], &one, sizeof(one)) < 0)
		perror("evil_frontend: kick");
}

/*
 * Keeps the connection for hold_ms (or until a signal), kicking @kick_q
 * (if >= 0) every 100 ms. -ECONNRESET if the backend hung up.
 */
static int hold(struct fe *f, int kick_q)
{
	uint64_t end = now_ms() + hold_ms;

	while (!stop_requested && now_ms() < end) {
		if (kick_q >= 0)
			kick(f, (unsigned int)kick_q);
		if (peer_closed(f))
			return -ECONNRESET;
		sleep_ms(100);
	}
	return 0;
}

/* ---- setup ---- */

static int connect_to(struct fe *f, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(f, "socket path too long");
	strcpy(sa.sun_path, path);
	f->t0 = now_ms();
	f->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->sock < 0 || connect(f->sock, (struct sockaddr *)&sa, sizeof(sa)))
		return fail(f, "connect %s: %s", path, strerror(errno));
	return 0;
}

/* A file in $@env (else @dir), unlinked at once: nothing is left behind. */
static int open_unlinked(struct fe *f, const char *env, const char *dir)
{
	const char *d = getenv(env) ? getenv(env) : dir;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/xi4-evil-%s.%d", d, f->mode,
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(f, "%s: %s", path, strerror(errno));
	unlink(path);
	return fd;
}

static int make_memory(struct fe *f)
{
	switch (f->kind) {
	case MEM_MEMFD:
		f->memfd = memfd_create("xi4-evil", MFD_CLOEXEC);
		break;
	case MEM_SEALABLE:
		f->memfd = memfd_create("xi4-evil",
					MFD_CLOEXEC | MFD_ALLOW_SEALING);
		break;
	case MEM_TMPFS:
		f->memfd = open_unlinked(f, "EVIL_SHM_DIR", "/dev/shm");
		break;
	case MEM_HUGETLBFS:
		f->memfd = open_unlinked(f, "EVIL_HUGE_DIR", "/dev/hugepages");
		break;
	}
	if (f->memfd < 0 || ftruncate(f->memfd, (off_t)f->size))
		return fail(f, "memory: %s", strerror(errno));
	f->mem = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	if (f->mem == MAP_FAILED)
		return fail(f, "mmap: %s", strerror(errno));
	sd_mem_init(&f->gm, f->mem, f->size);
	if (sd_mem_add(&f->gm, GPA_BASE, f->size, (uintptr_t)f->mem, 0))
		return fail(f, "driver: memory not added");
	return 0;
}

static void default_layout(const struct fe *f, struct layout *l)
{
	unsigned int q;

	l->region.gpa = GPA_BASE;
	l->region.size = f->size;
	l->region.uva = (uintptr_t)f->mem;
	l->region.mmap_offset = 0;
	for (q = 0; q < 2; q++)
		l->ring_uva[q] = (uintptr_t)f->mem + RING_OFF(q);
}

/* The driver's ring @q, if it lies in our mapping. */
static void map_ring(struct fe *f, unsigned int q, uint64_t uva)
{
	uint64_t base = (uintptr_t)f->mem, g;

	if (uva < base || uva + RING_OFF(1) > base + f->size ||
	    f->cut_after_table)
		return;
	g = gpa(uva - base);
	sd_ring_map(&f->ring[q], &f->gm, QSIZE, g, g + AVAIL_OFF, g + USED_OFF);
}

static int setup_vring(struct fe *f, unsigned int q, uint64_t uva)
{
	struct vu_vring_state st = { q, QSIZE };
	struct vu_vring_addr a = { .index = q,
				   .desc_uva = uva,
				   .used_uva = uva + USED_OFF,
				   .avail_uva = uva + AVAIL_OFF };
	uint64_t v = q;

	map_ring(f, q, uva);
	f->kick[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->call[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->kick[q] < 0 || f->call[q] < 0)
		return fail(f, "eventfd: %s", strerror(errno));
	if (vu_send(f, VU_SET_VRING_NUM, &st, sizeof(st), NULL, 0) ||
	    vu_send(f, VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0))
		return -1;
	st.num = 0;
	if (vu_send(f, VU_SET_VRING_BASE, &st, sizeof(st), NULL, 0) ||
	    vu_send(f, VU_SET_VRING_CALL, &v, sizeof(v), &f->call[q], 1) ||
	    vu_send(f, VU_SET_VRING_KICK, &v, sizeof(v), &f->kick[q], 1))
		return -1;
	return 0;
}

static int setup(struct fe *f, uint64_t features, const struct layout *l)
{
	struct vu_mem_table t = { .nregions = 1 };
	uint32_t tsize =
		offsetof(struct vu_mem_table, regions) + sizeof(t.regions[0]);
	unsigned int q;

	if (vu_send(f, VU_SET_OWNER, NULL, 0, NULL, 0) ||
	    get_features(f, &f->offered))
		return -1;
	if ((f->offered & features) != features)
		return fail(f, "backend offers 0x%llx, we need 0x%llx",
			    (unsigned long long)f->offered,
			    (unsigned long long)features);
	if (vu_send(f, VU_SET_FEATURES, &features, sizeof(features), NULL, 0))
		return -1;
	t.regions[0] = l->region;
	if (vu_send(f, VU_SET_MEM_TABLE, &t, tsize, &f->memfd, 1))
		return -1;
	/* The backend has the table once it answers the next request. */
	if (f->cut_after_table && (still_alive(f) || ftruncate(f->memfd, 0)))
		return fail(f, "cutting the memory: %s", strerror(errno));
	for (q = 0; q < 2; q++)
		if (setup_vring(f, q, l->ring_uva[q]))
			return -1;
	return 0;
}

static int std_setup(struct fe *f, uint64_t features)
{
	struct layout l;

	default_layout(f, &l);
	return setup(f, features, &l);
}

/* Like std_setup, with PROTOCOL_FEATURES acked: LOG_SHMFD if
 * @log_shmfd, RARP; the rings then start at SET_VRING_ENABLE. */
static int proto_setup(struct fe *f, uint64_t features, bool log_shmfd)
{
	uint64_t pf = VU_BIT(VU_PF_RARP) |
		      (log_shmfd ? VU_BIT(VU_PF_LOG_SHMFD) : 0),
		 offer;
	struct vu_vring_state on = { 0, 1 };
	unsigned int q;

	if (std_setup(f, features | VU_BIT(VU_F_PROTOCOL_FEATURES)) ||
	    vu_send(f, VU_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0))
		return -1;
	if (recv_reply(f, VU_GET_PROTOCOL_FEATURES, &offer, sizeof(offer)) !=
	    sizeof(offer))
		return fail(f, "GET_PROTOCOL_FEATURES: no proper reply");
	if ((offer & pf) != pf)
		return fail(f,
			    "protocol features 0x%llx offered, 0x%llx needed",
			    (unsigned long long)offer, (unsigned long long)pf);
	if (vu_send(f, VU_SET_PROTOCOL_FEATURES, &pf, sizeof(pf), NULL, 0))
		return -1;
	for (q = 0; q < 2; q++) {
		on.index = q;
		if (vu_send(f, VU_SET_VRING_ENABLE, &on, sizeof(on), NULL, 0))
			return -1;
	}
	return 0;
}

/* ---- rings (driver side) ---- */

static void post_rx_buffers(struct fe *f)
{
	uint16_t i;

	for (i = 0; i < N_RX_BUFS; i++) {
		sd_set_desc(&f->ring[RXQ], i,
			    gpa(RX_BUF_OFF + (uint64_t)i * BUF_SIZE), BUF_SIZE,
			    VRING_DESC_F_WRITE, 0);
		sd_post_head(&f->ring[RXQ], i);
	}
	kick(f, RXQ);
}

static uint32_t frame_len(unsigned int k)
{
	return 60 + 96 * k; /* 60 .. 1500 */
}

static uint8_t frame_byte(unsigned int k, uint32_t j)
{
	return (uint8_t)(k * 37 + j * 7 + 1);
}

static int wait_used(struct fe *f, unsigned int q, uint16_t n)
{
	uint64_t end = now_ms() + 500;

	while (sd_used_idx(&f->ring[q]) < n) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(2);
	}
	return 0;
}

/* Used entry @slot of RX holds frame @k. */
static int check_rx_slot(struct fe *f, unsigned int slot, unsigned int k)
{
	struct vring_used_elem e = sd_used_elem(&f->ring[RXQ], slot);
	uint32_t id = e.id, len = e.len, j;
	const uint8_t *b;
	uint16_t nbufs;

	if (id >= N_RX_BUFS)
		return fail(f, "RX used[%u]: id %u was never posted", k, id);
	if (len != NET_HDR_LEN + frame_len(k))
		return fail(f, "RX used[%u]: len %u, frame %u was %u", k, len,
			    k, NET_HDR_LEN + frame_len(k));
	b = f->mem + RX_BUF_OFF + (size_t)id * BUF_SIZE;
	memcpy(&nbufs, b + 10, sizeof(nbufs));
	if (le16toh(nbufs) != 1)
		return fail(f, "RX frame %u: num_buffers %u", k,
			    le16toh(nbufs));
	for (j = 0; j < frame_len(k); j++)
		if (b[NET_HDR_LEN + j] != frame_byte(k, j))
			return fail(f, "RX frame %u differs at byte %u", k, j);
	return 0;
}

static int check_rx_frame(struct fe *f, unsigned int k)
{
	return check_rx_slot(f, k, k);
}

/* Posts N_FRAMES TX frames (into TX slots 0..N_FRAMES-1) and kicks. */
static void post_tx_frames(struct fe *f)
{
	unsigned int k;
	uint32_t j;

	for (k = 0; k < N_FRAMES; k++) {
		uint8_t *b = f->mem + TX_BUF_OFF + (size_t)k * BUF_SIZE;

		memset(b, 0, NET_HDR_LEN);
		for (j = 0; j < frame_len(k); j++)
			b[NET_HDR_LEN + j] = frame_byte(k, j);
		sd_set_desc(&f->ring[TXQ], (uint16_t)k,
			    gpa(TX_BUF_OFF + (uint64_t)k * BUF_SIZE),
			    NET_HDR_LEN + frame_len(k), 0, 0);
		sd_post_head(&f->ring[TXQ], (uint16_t)k);
	}
	kick(f, TXQ);
}

/* Posts RX buffers and N_FRAMES TX frames; they must come back on RX. */
static int loopback_traffic(struct fe *f)
{
	unsigned int k;

	post_rx_buffers(f);
	post_tx_frames(f);
	if (wait_used(f, TXQ, N_FRAMES))
		return fail(f, "TX: %u of %u frames used after 0.5 s",
			    sd_used_idx(&f->ring[TXQ]), N_FRAMES);
	if (wait_used(f, RXQ, N_FRAMES))
		return fail(f, "RX: %u of %u frames returned after 0.5 s",
			    sd_used_idx(&f->ring[RXQ]), N_FRAMES);
	if (sd_used_idx(&f->ring[RXQ]) != N_FRAMES)
		return fail(f, "RX: %u frames returned, sent %u",
			    sd_used_idx(&f->ring[RXQ]), N_FRAMES);
	for (k = 0; k < N_FRAMES; k++)
		if (check_rx_frame(f, k))
			return -1;
	return 0;
}

/* After a hostile chain on TX: the device must go quiet, not away. */
static int ring_attack_finish(struct fe *f)
{
	if (hold(f, TXQ))
		return fail(f, "backend hung up over a broken ring");
	if (sd_ring_mapped(&f->ring[RXQ]) && sd_used_idx(&f->ring[RXQ]))
		return fail(f, "%u frames arrived on RX",
			    sd_used_idx(&f->ring[RXQ]));
	return still_alive(f);
}

/* ---- modes ---- */

/* Also times the control path: connect to the answer after setup. */
static int mode_good(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)) || still_alive(f))
		return -1;
	note(f, "control path: %llu ms",
	     (unsigned long long)(now_ms() - f->t0));
	if (loopback_traffic(f) || still_alive(f))
		return -1;
	note(f, "%u frames looped back", N_FRAMES);
	return 0;
}

static int mode_loop(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	post_rx_buffers(f);
	/* descriptor 0, NEXT to itself */
	sd_post_head(&f->ring[TXQ],
		     sd_add_loop(&f->ring[TXQ], gpa(TX_BUF_OFF), 64, 0, 1));
	kick(f, TXQ);
	return ring_attack_finish(f);
}

static int mode_idx_jump(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	post_rx_buffers(f);
	sd_set_desc(&f->ring[TXQ], 0, gpa(TX_BUF_OFF), 64, 0, 0);
	sd_set_avail_idx(&f->ring[TXQ], QSIZE + 44);
	kick(f, TXQ);
	return ring_attack_finish(f);
}

static int mode_oob_addr(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	post_rx_buffers(f);
	sd_set_desc(&f->ring[TXQ], 0, gpa(MEM_SIZE + 0x1000), 64, 0, 0);
	sd_post_head(&f->ring[TXQ], 0);
	kick(f, TXQ);
	return ring_attack_finish(f);
}

/* With INDIRECT_DESC acked (without it the reason is indirect_feature). */
static int mode_nested_indirect(struct fe *f)
{
	const struct sd_buf b = { gpa(TX_BUF_OFF), 64, false };
	const uint32_t d = sizeof(struct vring_desc);
	void *t = sd_gptr(&f->gm, gpa(INDIR_OFF), 2 * d);

	if (std_setup(f, VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_INDIRECT_DESC)))
		return -1;
	post_rx_buffers(f);
	/* table 0 (2 entries): an INDIRECT entry pointing at table 1, a
	 * valid one; the ring's descriptor 0 points at table 0 */
	if (!t || sd_write_table(&f->gm, gpa(INDIR_OFF + 0x100), &b, 1))
		return fail(f, "driver: tables outside our memory");
	sd_put_desc(t, gpa(INDIR_OFF + 0x100), d, VRING_DESC_F_INDIRECT, 0);
	sd_set_desc(&f->ring[TXQ], 0, gpa(INDIR_OFF), 2 * d,
		    VRING_DESC_F_INDIRECT, 0);
	sd_post_head(&f->ring[TXQ], 0);
	kick(f, TXQ);
	return ring_attack_finish(f);
}

static int mode_ring_outside(struct fe *f)
{
	struct layout l;

	default_layout(f, &l);
	l.ring_uva[TXQ] = (uintptr_t)f->mem + MEM_SIZE + 0x100000;
	if (setup(f, VU_BIT(VU_F_VERSION_1), &l))
		return -1;
	post_rx_buffers(f);
	kick(f, TXQ);
	return ring_attack_finish(f);
}

static int mode_bad_size(struct fe *f)
{
	struct {
		struct vu_vring_state st;
		uint64_t extra;
	} p = { { TXQ, 128 }, 0x5a5a5a5a5a5a5a5aull };
	int err;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	/* Sizes 4 and 16 instead of 8, with that many payload bytes. */
	err = send_raw(f, VU_SET_VRING_NUM, 4, &p, 4, NULL, 0);
	if (!err)
		err = send_raw(f, VU_SET_VRING_NUM, sizeof(p), &p, sizeof(p),
			       NULL, 0);
	if (err)
		return fail(f, "send: %s", strerror(-err));
	if (still_alive(f) || loopback_traffic(f) || still_alive(f))
		return -1;
	note(f, "refused sizes kept the connection; %u frames looped back",
	     N_FRAMES);
	return 0;
}

static int mode_huge_size(struct fe *f)
{
	uint64_t junk = 0;
	int err;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	err = send_raw(f, VU_SET_VRING_NUM, 0x10000, &junk, sizeof(junk), NULL,
		       0);
	if (err)
		return fail(f, "send: %s", strerror(-err));
	if (wait_dropped(f, hold_ms))
		return fail(f,
			    "a 64 KiB payload size did not end the connection");
	note(f, "connection dropped");
	return 0;
}

static int mode_garbage(struct fe *f)
{
	uint8_t buf[4096];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	for (i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	if (send(f->sock, buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf))
		return fail(f, "send: %s", strerror(errno));
	if (wait_dropped(f, hold_ms))
		return fail(f, "random bytes did not end the connection");
	note(f, "connection dropped");
	return 0;
}

static int mode_region_past_eof(struct fe *f)
{
	struct layout l;
	unsigned int q;

	/* File range [1 MiB, 3 MiB) of a 2 MiB memfd; rings at 2.5 MiB. */
	default_layout(f, &l);
	l.region.mmap_offset = MEM_SIZE / 2;
	l.region.uva = (uintptr_t)f->mem + MEM_SIZE / 2;
	for (q = 0; q < 2; q++)
		l.ring_uva[q] = (uintptr_t)f->mem + MEM_SIZE + MEM_SIZE / 4 +
				RING_OFF(q);
	if (setup(f, VU_BIT(VU_F_VERSION_1), &l))
		return -1;
	kick(f, RXQ);
	if (hold(f, TXQ))
		return fail(f, "backend hung up after the memory table");
	return still_alive(f);
}

static int mode_fd_flood(struct fe *f)
{
	int fds[200];
	uint64_t v = RXQ;
	unsigned int i;
	int err;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	for (i = 0; i < 200; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		if (fds[i] < 0)
			return fail(f, "eventfd: %s", strerror(errno));
	}
	/* As many fds as a message may carry, on one that takes one. */
	if (vu_send(f, VU_SET_VRING_CALL, &v, sizeof(v), fds, VU_MAX_FDS) ||
	    still_alive(f))
		return -1;
	note(f, "%d fds on SET_VRING_CALL: connection kept", VU_MAX_FDS);
	/* More than any message may carry: refused or dropped, no leak. */
	err = send_raw(f, VU_SET_VRING_CALL, sizeof(v), &v, sizeof(v), fds,
		       200);
	if (err)
		return fail(f, "sending 200 fds: %s", strerror(-err));
	for (i = 0; i < 200; i++)
		close(fds[i]);
	if (!wait_dropped(f, 1000)) {
		note(f, "200 fds on SET_VRING_CALL: connection dropped");
		return 0;
	}
	if (still_alive(f))
		return -1;
	note(f, "200 fds on SET_VRING_CALL: refused, connection kept");
	return 0;
}

/* A harmless SET_FEATURES (the same bits again), its payload held back. */
static int mode_stall(struct fe *f)
{
	uint64_t st = VU_BIT(VU_F_VERSION_1);
	int err;

	if (std_setup(f, st))
		return -1;
	err = send_raw(f, VU_SET_FEATURES, sizeof(st), &st, 4, NULL, 0);
	if (err)
		return fail(f, "send: %s", strerror(-err));
	if (hold(f, -1)) {
		note(f, "backend dropped the stalled connection");
		return 0;
	}
	if (send(f->sock, (uint8_t *)&st + 4, 4, MSG_NOSIGNAL) != 4)
		return fail(f, "send: %s", strerror(errno));
	if (still_alive(f))
		return -1;
	note(f, "payload completed after %u ms; connection kept", hold_ms);
	return 0;
}

/* ---- the memory shrinks under the backend ---- */

/* ftruncate(@len): 0, or -EPERM when a seal refused it (else we fail). */
static int cut_memory(struct fe *f, uint64_t len)
{
	if (!ftruncate(f->memfd, (off_t)len)) {
		note(f, "memory cut from %llu to %llu bytes",
		     (unsigned long long)f->size, (unsigned long long)len);
		return 0;
	}
	if (errno == EPERM)
		return -EPERM;
	return fail(f, "ftruncate: %s", strerror(errno));
}

/* TX frame @k at memory offset @off, its descriptor (not yet posted). */
static void write_tx_frame(struct fe *f, unsigned int k, uint64_t off)
{
	uint8_t *b = f->mem + off;
	uint32_t j;

	memset(b, 0, NET_HDR_LEN);
	for (j = 0; j < frame_len(k); j++)
		b[NET_HDR_LEN + j] = frame_byte(k, j);
	sd_set_desc(&f->ring[TXQ], (uint16_t)k, gpa(off),
		    NET_HDR_LEN + frame_len(k), 0, 0);
}

static void post_rx_at(struct fe *f, uint64_t off)
{
	uint16_t i;

	for (i = 0; i < N_RX_BUFS; i++) {
		sd_set_desc(&f->ring[RXQ], i, gpa(off + (uint64_t)i * BUF_SIZE),
			    BUF_SIZE, VRING_DESC_F_WRITE, 0);
		sd_post_head(&f->ring[RXQ], i);
	}
}

/* After the memory was cut: the device must go quiet, not away. */
static int cut_finish(struct fe *f)
{
	kick(f, RXQ);
	return ring_attack_finish(f);
}

/* A sealable memfd: the backend must have sealed it. */
static int mode_truncate_memfd(struct fe *f)
{
	int rc;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)) || still_alive(f))
		return -1;
	rc = cut_memory(f, 0);
	if (rc != -EPERM) {
		sd_ring_detach(&f->ring[RXQ]);
		sd_ring_detach(&f->ring[TXQ]);
		kick(f, TXQ);
		cut_finish(f);
		return fail(f,
			    "the memfd was cut: the backend did not seal it");
	}
	note(f,
	     "ftruncate refused: the backend sealed the memfd (F_SEAL_SHRINK)");
	if (loopback_traffic(f) || still_alive(f))
		return -1;
	note(f, "%u frames looped back", N_FRAMES);
	return 0;
}

/* Everything gone, rings included: the backend's next look faults. */
static int mode_truncate_unsealed(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)) || still_alive(f) ||
	    cut_memory(f, 0))
		return -1;
	sd_ring_detach(&f->ring[RXQ]);
	sd_ring_detach(&f->ring[TXQ]);
	kick(f, TXQ);
	return cut_finish(f);
}

/* Cut between SET_MEM_TABLE and the rings (setup does it). */
static int mode_truncate_early(struct fe *f)
{
	f->cut_after_table = true;
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	note(f, "memory cut to 0 after SET_MEM_TABLE, before the rings");
	kick(f, TXQ);
	return cut_finish(f);
}

/* The rings (first 64 KiB pages) stay; the upper half goes. */
static int mode_truncate_half(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)) || still_alive(f))
		return -1;
	write_tx_frame(f, 0, TX_BUF_OFF);
	if (cut_memory(f, f->size / 2))
		return -1;
	post_rx_at(f, f->size / 2 + 0x10000); /* written by the backend */
	sd_post_head(&f->ring[TXQ], 0);
	kick(f, TXQ);
	return cut_finish(f);
}

/* TX frames the backend must read from the removed half. */
static int cut_tx_frames(struct fe *f)
{
	unsigned int k;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)) || still_alive(f))
		return -1;
	for (k = 0; k < 4; k++)
		write_tx_frame(f, k, f->size / 2 + (uint64_t)k * BUF_SIZE);
	if (cut_memory(f, f->size / 2))
		return -1;
	if (f->kind == MEM_HUGETLBFS)
		post_rx_at(f, f->size / 2 + 0x100000);
	else
		post_rx_buffers(f);
	for (k = 0; k < 4; k++)
		sd_post_head(&f->ring[TXQ], (uint16_t)k);
	kick(f, TXQ);
	return cut_finish(f);
}

static int mode_truncate_tmpfs(struct fe *f)
{
	return cut_tx_frames(f);
}

static int mode_truncate_hugetlbfs(struct fe *f)
{
	return cut_tx_frames(f);
}

/* A table larger than the device's limit: not mapped, rings dead. */
static int mode_mem_limit(struct fe *f)
{
	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	post_rx_buffers(f);
	write_tx_frame(f, 0, TX_BUF_OFF);
	sd_post_head(&f->ring[TXQ], 0);
	kick(f, TXQ);
	if (hold(f, TXQ))
		return fail(f, "backend hung up over a refused memory table");
	if (sd_used_idx(&f->ring[TXQ]) || sd_used_idx(&f->ring[RXQ]))
		return fail(f, "rings used (TX %u, RX %u) without memory",
			    sd_used_idx(&f->ring[TXQ]),
			    sd_used_idx(&f->ring[RXQ]));
	return still_alive(f);
}

/* A TX ring that never runs dry of frames too short to send. */
static int mode_tx_flood(struct fe *f)
{
	uint64_t end, posted = 0;
	uint16_t i;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	post_rx_buffers(f);
	for (i = 0; i < QSIZE; i++)
		sd_set_desc(&f->ring[TXQ], i, gpa(TX_BUF_OFF), NET_HDR_LEN - 2,
			    0, 0);
	end = now_ms() + hold_ms;
	while (!stop_requested && now_ms() < end) {
		uint16_t used = sd_used_idx(&f->ring[TXQ]);

		while ((uint16_t)(f->ring[TXQ].avail_idx - used) < QSIZE) {
			sd_post_head(&f->ring[TXQ],
				     f->ring[TXQ].avail_idx % QSIZE);
			posted++;
		}
		kick(f, TXQ);
		if (peer_closed(f))
			return fail(f, "backend hung up over short frames");
	}
	if (sd_used_idx(&f->ring[RXQ]))
		return fail(f, "%u frames arrived on RX",
			    sd_used_idx(&f->ring[RXQ]));
	note(f, "%llu header-only frames posted in %u ms",
	     (unsigned long long)posted, hold_ms);
	return still_alive(f);
}

/*
 * GET_FEATURES until the backend stops reading (our socket stays full for
 * 200 ms: it is stuck sending replies we do not read), then hold_ms more;
 * or until the backend hangs up on us, which vdpad does when its replies
 * are not read.
 */
static int mode_reply_flood(struct fe *f)
{
	struct xv_vu_hdr h = { VU_GET_FEATURES, VU_VERSION, 0 };
	struct pollfd p = { .events = POLLOUT };
	unsigned int sent = 0, got = 0;
	uint8_t buf[20];
	uint64_t end;

	if (std_setup(f, VU_BIT(VU_F_VERSION_1)))
		return -1;
	p.fd = f->sock;
	while (sent < 1000000) {
		if (send(f->sock, &h, sizeof(h), MSG_NOSIGNAL | MSG_DONTWAIT) ==
		    sizeof(h)) {
			sent++;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET) {
			/* The backend hung up on a frontend that does not read
			 * its replies: the right outcome too. */
			note(f,
			     "%u GET_FEATURES sent, then the backend hung up",
			     sent);
			return 0;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return fail(f, "send: %s", strerror(errno));
		if (poll(&p, 1, 200) == 0)
			break;
	}
	note(f, "%u GET_FEATURES sent, then the backend stopped reading", sent);
	end = now_ms() + hold_ms;
	while (!stop_requested && now_ms() < end)
		sleep_ms(50);
	/* Read the replies now: the backend may go on (or have hung up). */
	end = now_ms() + 5000;
	while (got < sent && now_ms() < end) {
		ssize_t n = recv(f->sock, buf, sizeof(buf), MSG_WAITALL);

		if (n <= 0)
			break;
		got++;
	}
	note(f, "%u replies read", got);
	return 0;
}

/* ---- TCP frames (transmit offload modes) ---- */

#define TCP_FEATURES                                                           \
	(VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_CSUM) | VU_BIT(VU_F_HOST_TSO4) | \
	 VU_BIT(VU_F_HOST_TSO6) | VU_BIT(VU_F_HOST_ECN))

/* A one's complement sum of its own (the device's is under test). */
static uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t env_u32(const char *name, uint32_t def)
{
	const char *v = getenv(name);

	return v && *v ? (uint32_t)strtoul(v, NULL, 0) : def;
}

/* What a TCP frame of the stream is: where it starts and how the guest
 * asks for it to be finished. */
struct tcp_frame {
	uint32_t off; /* stream offset of its first payload byte */
	uint32_t payload;
	uint16_t mss; /* GSO: the segment size; 0: no GSO */
	uint8_t flags; /* TCP flags */
	bool needs_csum; /* leave the TCP checksum to the device */
};

static void put_mac(uint8_t *p, const char *env, const char *def)
{
	const char *s = getenv(env);
	unsigned int b[6], i;

	if (!s || sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
			 &b[4], &b[5]) != 6)
		sscanf(def, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
		       &b[4], &b[5]);
	for (i = 0; i < 6; i++)
		p[i] = (uint8_t)b[i];
}

/* Writes frame @t at @b (virtio-net header first); returns its length. */
static uint32_t tcp_write(uint8_t *b, const struct tcp_frame *t)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)b;
	uint8_t *eth = b + NET_HDR_LEN, *ip = eth + 14, *th = ip + 20;
	uint32_t i, l4len = 20 + t->payload, sum;

	memset(b, 0, NET_HDR_LEN + TCP_HDRS);
	put_mac(eth, "EVIL_DST_MAC", "ff:ff:ff:ff:ff:ff");
	put_mac(eth + 6, "EVIL_SRC_MAC", "02:00:00:00:00:01");
	put_be16(eth + 12, 0x0800);
	ip[0] = 0x45;
	put_be16(ip + 2, 20 + l4len);
	put_be16(ip + 4, t->off / 1000 & 0xffff);
	put_be16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\xfa\x00\x01\x0a\xfa\x00\x02", 8);
	put_be16(ip + 10, (uint16_t)~fold16(sum16(ip, 20, 0)));
	put_be16(th, 40000);
	put_be16(th + 2, 9);
	put_be16(th + 4, (TCP_SEQ0 + t->off) >> 16);
	put_be16(th + 6, (TCP_SEQ0 + t->off) & 0xffff);
	th[12] = 5 << 4;
	th[13] = t->flags;
	put_be16(th + 14, 65535);
	for (i = 0; i < t->payload; i++)
		th[20 + i] = (uint8_t)((t->off + i) * 7 + 3);
	/* The pseudo header's sum: left as it is (NEEDS_CSUM), or with the
	 * rest summed and complemented (a finished checksum). */
	sum = sum16(ip + 12, 8, 6 + l4len);
	if (t->needs_csum || t->mss) {
		put_be16(th + 16, fold16(sum));
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = htole16(14 + 20);
		vh->csum_offset = htole16(16);
	} else {
		put_be16(th + 16, (uint16_t)~fold16(sum16(th, l4len, sum)));
	}
	if (t->mss) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh->gso_size = htole16(t->mss);
		vh->hdr_len = htole16(TCP_HDRS);
	}
	return NET_HDR_LEN + TCP_HDRS + t->payload;
}

static int tcp_setup(struct fe *f)
{
	return std_setup(f, TCP_FEATURES);
}

/* Posts TX descriptor @slot, @len bytes at @off, and kicks. */
static void tx_post(struct fe *f, uint16_t slot, uint64_t off, uint32_t len)
{
	sd_set_desc(&f->ring[TXQ], slot, gpa(off), len, 0, 0);
	sd_post_head(&f->ring[TXQ], slot);
	kick(f, TXQ);
}

/* Waits (up to 2 s) until every TX frame posted is used. */
static int tx_drain(struct fe *f)
{
	uint64_t end = now_ms() + 2000;

	while (sd_used_idx(&f->ring[TXQ]) != f->ring[TXQ].avail_idx) {
		if (now_ms() > end)
			return fail(f, "TX: %u of %u frames used",
				    sd_used_idx(&f->ring[TXQ]),
				    f->ring[TXQ].avail_idx);
		kick(f, TXQ);
		sleep_ms(1);
	}
	return 0;
}

static int mode_tso(struct fe *f)
{
	uint32_t n = env_u32("EVIL_TSO_FRAMES", 8), i, len;
	struct tcp_frame t = {
		.payload = env_u32("EVIL_TSO_PAYLOAD", 64000),
		.mss = (uint16_t)env_u32("EVIL_TSO_MSS", 1448),
	};

	if (n > TSO_SLOTS || t.payload > 65535 - 40 || !t.mss)
		return fail(f, "EVIL_TSO_*: at most %u frames of 65495 bytes",
			    TSO_SLOTS);
	if (tcp_setup(f))
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t off = TSO_SLOT_OFF + (uint64_t)i * TSO_SLOT;

		t.off = i * t.payload;
		t.flags = i + 1 == n ? 0x19 : 0x10; /* ACK (PSH FIN) */
		len = tcp_write(f->mem + off, &t);
		tx_post(f, (uint16_t)i, off, len);
	}
	if (tx_drain(f))
		return -1;
	note(f, "tso: %u frames of %u payload bytes, MSS %u", n, t.payload,
	     t.mss);
	return still_alive(f);
}

/* The stream for tcp_stream: @n slots of one kind, written once. */
static uint32_t stream_slots(struct fe *f, bool tso, uint16_t mss,
			     uint32_t *lens)
{
	uint32_t n = tso ? TSO_SLOTS : MSS_SLOTS, i;
	struct tcp_frame t = { .flags = 0x10 };

	t.payload = tso ? 64000 : mss;
	t.mss = tso ? mss : 0;
	t.needs_csum = true;
	for (i = 0; i < n; i++) {
		t.off = i * t.payload;
		lens[i] =
			tcp_write(f->mem + (tso ? TSO_SLOT_OFF + i * TSO_SLOT :
						  MSS_SLOT_OFF + i * MSS_SLOT),
				  &t);
	}
	return n;
}

static int mode_tcp_stream(struct fe *f)
{
	bool tso = env_u32("EVIL_TSO", 1) != 0;
	uint32_t mss = env_u32("EVIL_TSO_MSS", 1448);
	uint32_t lens[MSS_SLOTS], n, k = 0;
	uint64_t end, posted = 0, payload = 0;

	if (!mss || mss > MSS_SLOT - NET_HDR_LEN - TCP_HDRS)
		return fail(f, "EVIL_TSO_MSS: 1 to %u",
			    MSS_SLOT - NET_HDR_LEN - TCP_HDRS);
	if (tcp_setup(f))
		return -1;
	n = stream_slots(f, tso, (uint16_t)mss, lens);
	end = now_ms() + hold_ms;
	while (!stop_requested && now_ms() < end) {
		struct sd_ring *r = &f->ring[TXQ];

		/* A slot goes again once the device has used it. */
		while ((uint16_t)(r->avail_idx - sd_used_idx(r)) < n) {
			sd_set_desc(r, (uint16_t)k,
				    gpa(tso ? TSO_SLOT_OFF + k * TSO_SLOT :
					      MSS_SLOT_OFF + k * MSS_SLOT),
				    lens[k], 0, 0);
			sd_post_head(r, (uint16_t)k);
			payload += lens[k] - NET_HDR_LEN - TCP_HDRS;
			posted++;
			k = (k + 1) % n;
		}
		kick(f, TXQ);
		if (peer_closed(f))
			return fail(f, "backend hung up");
	}
	note(f, "tcp_stream: %s, %llu frames, %llu payload bytes in %u ms",
	     tso ? "tso" : "mss", (unsigned long long)posted,
	     (unsigned long long)payload, hold_ms);
	return tx_drain(f) ?: still_alive(f);
}

/* A hostile frame: a good one, spoilt by @spoil. */
static void hostile(struct fe *f, uint16_t slot, const struct tcp_frame *t,
		    void (*spoil)(uint8_t *b, uint32_t *len))
{
	uint64_t off = TSO_SLOT_OFF + (uint64_t)slot * TSO_SLOT;
	uint32_t len = tcp_write(f->mem + off, t);

	if (spoil)
		spoil(f->mem + off, &len);
	tx_post(f, slot, off, len);
}

static struct virtio_net_hdr *vh_of(uint8_t *b)
{
	return (struct virtio_net_hdr *)b;
}

static void spoil_mss0(uint8_t *b, uint32_t *len)
{
	(void)len;
	vh_of(b)->gso_size = 0;
}

static void spoil_hdr_len(uint8_t *b, uint32_t *len)
{
	vh_of(b)->hdr_len = htole16((uint16_t)(*len + 100));
}

static void spoil_udp(uint8_t *b, uint32_t *len)
{
	(void)len;
	b[NET_HDR_LEN + 14 + 9] = 17;
}

static void spoil_ufo(uint8_t *b, uint32_t *len)
{
	(void)len;
	vh_of(b)->gso_type = VIRTIO_NET_HDR_GSO_UDP;
}

static void spoil_v6(uint8_t *b, uint32_t *len)
{
	(void)len;
	vh_of(b)->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
}

static void spoil_segs(uint8_t *b, uint32_t *len)
{
	(void)len;
	vh_of(b)->gso_size = htole16(100); /* 640 segments */
}

static void spoil_huge(uint8_t *b, uint32_t *len)
{
	(void)b;
	*len = NET_HDR_LEN + 70000; /* runs into the next slot: still ours */
}

static void spoil_csum_start(uint8_t *b, uint32_t *len)
{
	vh_of(b)->csum_start = htole16((uint16_t)(*len));
}

static void spoil_csum_offset(uint8_t *b, uint32_t *len)
{
	vh_of(b)->csum_offset = htole16((uint16_t)(*len - 14 - 20 - 1));
}

static int mode_gso_hostile(struct fe *f)
{
	void (*const gso[])(uint8_t *, uint32_t *) = {
		spoil_mss0, spoil_hdr_len, spoil_udp,  spoil_ufo,
		spoil_v6,   spoil_segs,	   spoil_huge,
	};
	void (*const csum[])(uint8_t *, uint32_t *) = { spoil_csum_start,
							spoil_csum_offset };
	struct tcp_frame t = { .payload = 64000, .mss = 1448, .flags = 0x10 };
	uint16_t slot = 0;
	unsigned int i;

	if (tcp_setup(f))
		return -1;
	for (i = 0; i < sizeof(gso) / sizeof(gso[0]); i++)
		hostile(f, slot++, &t, gso[i]);
	slot++; /* the huge frame runs into this slot's memory */
	t.mss = 0;
	t.payload = 1000;
	t.needs_csum = true;
	for (i = 0; i < sizeof(csum) / sizeof(csum[0]); i++)
		hostile(f, slot++, &t, csum[i]);
	t.mss = 1448;
	t.payload = 3000;
	t.flags = 0x18;
	hostile(f, slot++, &t, NULL);
	t.mss = 0;
	t.payload = 500;
	t.off = 3000;
	hostile(f, slot++, &t, NULL);
	if (tx_drain(f))
		return -1;
	note(f, "gso_hostile: 9 bad frames, then a GSO and a NEEDS_CSUM one");
	return still_alive(f);
}

/* ---- migration: the dirty log ---- */

/* A log for all of our guest addresses (bit per 4 KiB page). */
#define LOG_BYTES(f) (((GPA_BASE + (f)->size) >> 15) + 1)

struct dlog {
	int fd;
	uint8_t *bits;
	uint64_t size;
};

static int log_make(struct fe *f, struct dlog *l, uint64_t size)
{
	l->size = size;
	l->fd = memfd_create("xl1-log", MFD_CLOEXEC);
	if (l->fd < 0 || ftruncate(l->fd, (off_t)size))
		return fail(f, "log memfd: %s", strerror(errno));
	l->bits =
		mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, l->fd, 0);
	if (l->bits == MAP_FAILED)
		return fail(f, "log mmap: %s", strerror(errno));
	return 0;
}

/* DPDK's vhost answers SET_LOG_BASE without a payload (QEMU takes both);
 * vdpad's answer, a u64, is required unless this is set (log_stream). */
static bool log_answer_empty_ok;

/* SET_LOG_BASE of @size bytes at @off of @fd; *@ans: the answer. */
static int set_log_base(struct fe *f, int fd, uint64_t size, uint64_t off,
			uint64_t *ans)
{
	struct vu_log lg = { size, off };
	int n;

	if (vu_send(f, VU_SET_LOG_BASE, &lg, sizeof(lg), &fd, 1))
		return -1;
	n = recv_reply(f, VU_SET_LOG_BASE, ans, sizeof(*ans));
	if (n == 0 && log_answer_empty_ok)
		*ans = 0;
	else if (n != sizeof(*ans))
		return fail(f, "SET_LOG_BASE (%llu bytes at %llu): %s",
			    (unsigned long long)size, (unsigned long long)off,
			    n < 0 ? strerror(-n) : "short answer");
	return 0;
}

/* Whether the frontend logs: LOG_ALL in the features, the used rings'
 * log flag and guest address (our own rings stay where they are). */
static int set_logging(struct fe *f, bool on)
{
	uint64_t feat = VU_BIT(VU_F_VERSION_1) |
			VU_BIT(VU_F_PROTOCOL_FEATURES) |
			(on ? VU_BIT(VU_F_LOG_ALL) : 0);
	unsigned int q;

	if (vu_send(f, VU_SET_FEATURES, &feat, sizeof(feat), NULL, 0))
		return -1;
	for (q = 0; q < 2; q++) {
		uint64_t uva = (uintptr_t)f->mem + RING_OFF(q);
		struct vu_vring_addr a = {
			.index = q,
			.flags = on ? VU_BIT(VU_VRING_F_LOG) : 0,
			.desc_uva = uva,
			.used_uva = uva + USED_OFF,
			.avail_uva = uva + AVAIL_OFF,
			.log_gpa = gpa(RING_OFF(q) + USED_OFF),
		};

		if (vu_send(f, VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0))
			return -1;
	}
	return still_alive(f); /* all of it taken */
}

static bool log_dirty(const struct dlog *l, uint64_t gpa_)
{
	uint64_t page = gpa_ >> 12;

	return (page >> 3) < l->size && (l->bits[page >> 3] >> (page & 7)) & 1;
}

static uint64_t log_count(const struct dlog *l)
{
	uint64_t i, n = 0;

	for (i = 0; i < l->size; i++)
		n += (uint64_t)__builtin_popcount(l->bits[i]);
	return n;
}

/* What the second round of traffic must have marked, and not. */
static int check_marks(struct fe *f, const struct dlog *l)
{
	unsigned int k, q;

	for (k = N_FRAMES; k < 2 * N_FRAMES; k++) {
		uint32_t id = sd_used_elem(&f->ring[RXQ], k).id;

		if (!log_dirty(l, gpa(RX_BUF_OFF + (uint64_t)id * BUF_SIZE)))
			return fail(f, "RX buffer %u written, not logged", id);
	}
	for (q = 0; q < 2; q++) {
		if (!log_dirty(l, gpa(RING_OFF(q) + USED_OFF)))
			return fail(f, "used ring %u written, not logged", q);
		if (log_dirty(l, gpa(RING_OFF(q))) ||
		    log_dirty(l, gpa(RING_OFF(q) + AVAIL_OFF)))
			return fail(f, "ring %u: a page only read was logged",
				    q);
	}
	for (k = 0; k < N_FRAMES; k++)
		if (log_dirty(l, gpa(TX_BUF_OFF + (uint64_t)k * BUF_SIZE)))
			return fail(f, "TX buffer %u (only read) logged", k);
	return 0;
}

/* GET_VRING_BASE: each ring stops where its used ring says. */
static int check_bases(struct fe *f)
{
	struct vu_vring_state st;
	unsigned int q;

	for (q = 0; q < 2; q++) {
		st = (struct vu_vring_state){ q, 0 };
		if (vu_send(f, VU_GET_VRING_BASE, &st, sizeof(st), NULL, 0) ||
		    recv_reply(f, VU_GET_VRING_BASE, &st, sizeof(st)) !=
			    sizeof(st))
			return fail(f, "GET_VRING_BASE %u: no answer", q);
		if (st.num != sd_used_idx(&f->ring[q]))
			return fail(f, "ring %u stopped at %u, used says %u", q,
				    st.num, sd_used_idx(&f->ring[q]));
	}
	return 0;
}

static int send_rarp(struct fe *f, const uint8_t mac[6])
{
	uint64_t v = 0;

	memcpy(&v, mac, 6);
	return vu_send(f, VU_SEND_RARP, &v, sizeof(v), NULL, 0);
}

/* A second round of N_FRAMES through the loopback (RX buffers left). */
static int second_round(struct fe *f)
{
	unsigned int k;

	post_tx_frames(f);
	if (wait_used(f, TXQ, 2 * N_FRAMES) || wait_used(f, RXQ, 2 * N_FRAMES))
		return fail(f, "second round: %u TX used, %u RX returned",
			    sd_used_idx(&f->ring[TXQ]),
			    sd_used_idx(&f->ring[RXQ]));
	for (k = 0; k < N_FRAMES; k++)
		if (check_rx_slot(f, N_FRAMES + k, k))
			return -1;
	return 0;
}

static int mode_dirty_log(struct fe *f)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct dlog l, l2;
	uint64_t ans;

	if (proto_setup(f, VU_BIT(VU_F_VERSION_1), true) ||
	    loopback_traffic(f) || log_make(f, &l, LOG_BYTES(f)))
		return -1;
	if (set_log_base(f, l.fd, l.size, 0, &ans))
		return -1;
	if (ans)
		return fail(f, "SET_LOG_BASE answered %llu",
			    (unsigned long long)ans);
	if (set_logging(f, true) || second_round(f) || check_marks(f, &l))
		return -1;
	note(f, "%llu pages logged for %u frames",
	     (unsigned long long)log_count(&l), N_FRAMES);
	/* The log grows (QEMU resizes it): the new one is used. */
	if (log_make(f, &l2, 2 * LOG_BYTES(f)) ||
	    set_log_base(f, l2.fd, l2.size, 0, &ans))
		return -1;
	if (ans)
		return fail(f, "second SET_LOG_BASE answered %llu",
			    (unsigned long long)ans);
	if (check_bases(f))
		return -1;
	if (!log_dirty(&l2, gpa(RING_OFF(RXQ) + USED_OFF)))
		return fail(f, "the used ring not in the new log at stop");
	if (send_rarp(f, mac))
		return -1;
	return still_alive(f);
}

static int mode_log_hostile(struct fe *f)
{
	static const struct {
		uint64_t size, off;
	} bad[] = {
		{ 0, 0 },
		{ 4096 * 2 + 1, 0 },
		{ 4096, 4096 * 2 },
		{ 4096, UINT64_MAX - 100 },
		{ (1ULL << 30) + 1, 0 },
	};
	struct vu_log lg = { 4096, 0 };
	struct dlog l;
	uint64_t ans;
	unsigned int i;
	int efd;

	if (proto_setup(f, VU_BIT(VU_F_VERSION_1), false) ||
	    log_make(f, &l, 8192))
		return -1;
	/* Not negotiated: refused without an answer. */
	if (vu_send(f, VU_SET_LOG_BASE, &lg, sizeof(lg), &l.fd, 1) ||
	    still_alive(f))
		return -1;
	ans = VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_RARP);
	if (vu_send(f, VU_SET_PROTOCOL_FEATURES, &ans, sizeof(ans), NULL, 0))
		return -1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (set_log_base(f, l.fd, bad[i].size, bad[i].off, &ans))
			return -1;
		if (ans != 1)
			return fail(f, "bad log %u answered %llu", i,
				    (unsigned long long)ans);
	}
	efd = eventfd(0, EFD_CLOEXEC);
	if (set_log_base(f, efd, 4096, 0, &ans))
		return -1;
	if (ans != 1)
		return fail(f, "an eventfd as the log answered %llu",
			    (unsigned long long)ans);
	post_rx_buffers(f);
	post_tx_frames(f);
	sleep_ms(300);
	if (sd_used_idx(&f->ring[RXQ]))
		return fail(f, "%u frames looped back on a broken device",
			    sd_used_idx(&f->ring[RXQ]));
	note(f, "6 bad logs answered 1, the device broken");
	return still_alive(f);
}

static int mode_log_truncate(struct fe *f)
{
	struct dlog l;
	uint64_t ans;
	uint16_t rx;

	if (proto_setup(f, VU_BIT(VU_F_VERSION_1), true) ||
	    log_make(f, &l, LOG_BYTES(f)) ||
	    set_log_base(f, l.fd, l.size, 0, &ans) || set_logging(f, true) ||
	    loopback_traffic(f))
		return -1;
	if (ftruncate(l.fd, 0))
		return fail(f, "cutting the log: %s", strerror(errno));
	/* The round that faults may go through (its guest memory is
	 * whole); the device is broken after it: no third round. */
	post_tx_frames(f);
	sleep_ms(300);
	rx = sd_used_idx(&f->ring[RXQ]);
	post_rx_buffers(f);
	post_tx_frames(f);
	if (hold(f, TXQ))
		return fail(f, "backend hung up over a cut log");
	if (sd_used_idx(&f->ring[RXQ]) != rx)
		return fail(f, "%u frames looped back on a broken device",
			    (uint16_t)(sd_used_idx(&f->ring[RXQ]) - rx));
	note(f, "%u of %u frames looped back as the log faulted, then none",
	     (uint16_t)(rx - N_FRAMES), N_FRAMES);
	return still_alive(f);
}

static unsigned long env_ul(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : dflt;
}

/* Keeps all of TX posted and RX reposted; returns frames looped back. */
static uint64_t stream_loop(struct fe *f, uint32_t len)
{
	struct sd_ring *rx = &f->ring[RXQ], *tx = &f->ring[TXQ];
	uint64_t end = now_ms() + hold_ms, got = 0;
	uint16_t rx_seen = 0, i;

	for (i = 0; i < QSIZE; i++) {
		uint8_t *b = f->mem + TX_BUF_OFF + (size_t)i * BUF_SIZE;

		memset(b, 0, NET_HDR_LEN);
		memset(b + NET_HDR_LEN, 0x5a, len);
		sd_set_desc(tx, i, gpa(TX_BUF_OFF + (uint64_t)i * BUF_SIZE),
			    NET_HDR_LEN + len, 0, 0);
		sd_set_desc(rx, i, gpa(RX_BUF_OFF + (uint64_t)i * BUF_SIZE),
			    BUF_SIZE, VRING_DESC_F_WRITE, 0);
		sd_post_head(rx, i);
	}
	kick(f, RXQ);
	while (!stop_requested && now_ms() < end) {
		uint16_t used = sd_used_idx(tx), rused = sd_used_idx(rx);

		while ((uint16_t)(tx->avail_idx - used) < QSIZE)
			sd_post_head(tx, tx->avail_idx % QSIZE);
		for (; rx_seen != rused; rx_seen++, got++)
			sd_post_head(rx,
				     (uint16_t)sd_used_elem(rx, rx_seen).id);
		kick(f, TXQ);
		kick(f, RXQ);
	}
	return got;
}

static int mode_log_stream(struct fe *f)
{
	uint32_t len = (uint32_t)env_ul("EVIL_FRAME_LEN", 64);
	bool on = env_ul("EVIL_LOG", 1);
	struct dlog l;
	uint64_t ans, got;

	if (len < 60 || len > BUF_SIZE - NET_HDR_LEN)
		return fail(f, "EVIL_FRAME_LEN %u: 60 to %u", len,
			    BUF_SIZE - NET_HDR_LEN);
	log_answer_empty_ok = true; /* also a benchmark against DPDK */
	if (proto_setup(f, VU_BIT(VU_F_VERSION_1), true))
		return -1;
	if (on && (log_make(f, &l, LOG_BYTES(f)) ||
		   set_log_base(f, l.fd, l.size, 0, &ans) || ans ||
		   set_logging(f, true)))
		return fail(f, "logging not set up");
	got = stream_loop(f, len);
	note(f, "%llu frames of %u bytes looped back in %u ms, log %s",
	     (unsigned long long)got, len, hold_ms, on ? "on" : "off");
	return still_alive(f);
}

static int mode_rarp(struct fe *f)
{
	unsigned long n = env_ul("EVIL_RARP_COUNT", 3), i;
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	const char *m = getenv("EVIL_RARP_MAC");

	if (m && sscanf(m, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
			&mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		return fail(f, "EVIL_RARP_MAC %s: not a MAC", m);
	if (proto_setup(f, VU_BIT(VU_F_VERSION_1), true))
		return -1;
	post_rx_buffers(f);
	for (i = 0; i < n; i++) {
		if (send_rarp(f, mac) || still_alive(f))
			return -1;
		sleep_ms(50);
	}
	if (hold(f, -1))
		return fail(f, "backend hung up after SEND_RARP");
	return still_alive(f);
}

static const struct {
	const char *name;
	int (*run)(struct fe *f);
} modes[] = {
	{ "good", mode_good },
	{ "loop", mode_loop },
	{ "idx_jump", mode_idx_jump },
	{ "oob_addr", mode_oob_addr },
	{ "nested_indirect", mode_nested_indirect },
	{ "ring_outside", mode_ring_outside },
	{ "bad_size", mode_bad_size },
	{ "huge_size", mode_huge_size },
	{ "garbage", mode_garbage },
	{ "region_past_eof", mode_region_past_eof },
	{ "fd_flood", mode_fd_flood },
	{ "stall", mode_stall },
	{ "reply_flood", mode_reply_flood },
	{ "tx_flood", mode_tx_flood },
	{ "truncate_memfd", mode_truncate_memfd },
	{ "truncate_unsealed", mode_truncate_unsealed },
	{ "truncate_early", mode_truncate_early },
	{ "truncate_half", mode_truncate_half },
	{ "truncate_tmpfs", mode_truncate_tmpfs },
	{ "truncate_hugetlbfs", mode_truncate_hugetlbfs },
	{ "mem_limit", mode_mem_limit },
	{ "tso", mode_tso },
	{ "tcp_stream", mode_tcp_stream },
	{ "gso_hostile", mode_gso_hostile },
	{ "dirty_log", mode_dirty_log },
	{ "log_hostile", mode_log_hostile },
	{ "log_truncate", mode_log_truncate },
	{ "log_stream", mode_log_stream },
	{ "rarp", mode_rarp },
};

/* The memory a mode needs (MEM_SIZE in an unsealable memfd by default). */
static void pick_memory(struct fe *f)
{
	f->size = MEM_SIZE;
	f->kind = MEM_MEMFD;
	if (!strcmp(f->mode, "truncate_memfd"))
		f->kind = MEM_SEALABLE;
	else if (!strcmp(f->mode, "truncate_tmpfs"))
		f->kind = MEM_TMPFS;
	else if (!strcmp(f->mode, "truncate_hugetlbfs"))
		f->kind = MEM_HUGETLBFS;
	if (f->kind == MEM_HUGETLBFS)
		f->size = 2 * MEM_SIZE; /* two 2 MiB pages: rings, then data */
	else if (!strcmp(f->mode, "mem_limit"))
		f->size = 1ull << 30; /* sparse */
	else if (!strncmp(f->mode, "tso", 3) || !strncmp(f->mode, "tcp", 3) ||
		 !strncmp(f->mode, "gso", 3))
		f->size = TCP_MEM_SIZE;
}

static void usage(void)
{
	size_t i;

	fprintf(stderr, "Usage: evil_frontend SOCKET MODE [HOLD_MS]\nModes:");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct fe f = { .sock = -1, .memfd = -1 };
	size_t i;

	if (argc < 3 || argc > 4) {
		usage();
		return 2;
	}
	if (argc == 4)
		hold_ms = (unsigned int)strtoul(argv[3], NULL, 10);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[2], modes[i].name))
			break;
	if (i == sizeof(modes) / sizeof(modes[0])) {
		usage();
		return 2;
	}
	f.mode = modes[i].name;
	pick_memory(&f);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (make_memory(&f) || connect_to(&f, argv[1]) || modes[i].run(&f))
		return 1;
	note(&f, "ok");
	return 0;
}
