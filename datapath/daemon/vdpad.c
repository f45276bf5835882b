// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad: the xvdpa daemon. Its devices (device/) are vhost-user sockets
 * joined to a netdev through AF_XDP (--dev) or to themselves
 * (--loopback), polled by datapath threads (device/dpthread.c). The main
 * thread runs the control path: this loop polls the devices' sockets and
 * frontends, the control socket (ctl_socket.c, ctl_server.c), and retries
 * what could not start (devices, the state file's PFs: mgmt.c).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "ctl_proto.h"
#include "cycles.h"
#include "device.h"
#include "guest_fault.h"
#include "log.h"
#include "vdpad.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_event(struct vdpad *v, struct ep_tag *t)
{
	switch (t->kind) {
	case TAG_LISTEN:
	case TAG_CONN:
		xv_dev_on_event(t);
		break;
	case TAG_CTL:
		vdpad_ctl_on_accept(v);
		break;
	case TAG_CTL_CONN:
		vdpad_ctl_on_conn(v, t);
		break;
	case TAG_KICK:
	case TAG_XSK:
	case TAG_WAKE:
		break; /* datapath threads' business */
	}
}

/* Devices and PFs that could not start are retried (PFs first: a device
 * may wait for a VF of one). */
static void on_tick(struct vdpad *v)
{
	uint64_t now = xv_now_ms();

	xv_devs_tick(&v->devs, now);
	if (now >= v->next_retry_ms) {
		v->next_retry_ms = now + RETRY_MS;
		vdpad_pfs_retry(v);
		xv_devs_retry_stopped(&v->devs);
	}
	vdpad_ctl_expire(v, now);
	xv_devs_accept_resume(&v->devs, now);
}

static void run(struct vdpad *v)
{
	struct epoll_event evs[32];
	int i, n;

	while (!stop_requested) {
		n = epoll_wait(v->devs.epfd, evs, 32, 50);
		for (i = 0; i < n; i++)
			on_event(v, evs[i].data.ptr);
		on_tick(v);
	}
}

/* SPEC's synopsis and options come from the device table (devcfg.h). */
static void usage(FILE *f)
{
	char spec[1024], opts[2048];

	if (xv_dev_cfg_usage(spec, sizeof(spec), XV_DEV_F_SPEC,
			     "                            ", 80) < 0 ||
	    xv_dev_cfg_help(opts, sizeof(opts), XV_DEV_F_SPEC, "    ") < 0)
		spec[0] = opts[0] = 0;
	fprintf(f,
		"Usage: vdpad (--dev SPEC | --loopback SPEC)... [--cpus LIST] [-l LEVEL]\n"
		"  --dev SPEC         a vhost-user device bound to a netdev through AF_XDP\n"
		"                     (netdev= required)\n"
		"  --loopback SPEC    a vhost-user device whose TX returns on its RX\n"
		"                     (no netdev=)\n"
		"  --control PATH     control socket (default " XV_CTL_SOCKET
		"),\n"
		"                     or none\n"
		"  --control-group G  members of group G may use the control socket\n"
		"                     (default: root only)\n"
		"  --state FILE       devices added at run time are saved here and\n"
		"                     re-created at start (default: none)\n"
		"  --socket-dir DIR   default sockets go here, and non-root control\n"
		"                     clients get sockets only under it (default\n"
		"                     " XV_RUN_DIR
		"; owned by root, not writable by others)\n"
		"  --cpus LIST        datapath threads, one per CPU: e.g. 1 or 0,1\n"
		"                     (default: one unpinned thread)\n"
		"  -l, --log-level L  error, warn, info (default) or debug\n"
		"SPEC = %s\n%s",
		spec, opts);
}

static int parse_group(const char *name, gid_t *gid)
{
	struct group *g = getgrnam(name);

	if (!g) {
		xv_err("no group \"%s\"", name);
		return -ENOENT;
	}
	*gid = g->gr_gid;
	return 0;
}

static int parse_cpus(struct vdpad *v, const char *list)
{
	char buf[128], *tok, *save;
	unsigned long cpu;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	v->devs.nthreads = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;

		cpu = strtoul(tok, &end, 10);
		if (*end || cpu >= CPU_SETSIZE ||
		    v->devs.nthreads == MAX_DP_THREADS)
			return -EINVAL;
		v->devs.threads[v->devs.nthreads++].cpu = (int)cpu;
	}
	return v->devs.nthreads ? 0 : -EINVAL;
}

static int parse_args(int argc, char **argv, struct vdpad *v)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'D' },
		{ "loopback", required_argument, NULL, 'L' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "control", required_argument, NULL, 'C' },
		{ "control-group", required_argument, NULL, 'G' },
		{ "state", required_argument, NULL, 'S' },
		{ "socket-dir", required_argument, NULL, 'R' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	enum xv_log_level lvl;
	int c;

	while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
		case 'L':
			if (xv_devs_add_cmdline(&v->devs, optarg, c == 'L'))
				return -EINVAL;
			break;
		case 'c':
			if (parse_cpus(v, optarg))
				return -EINVAL;
			break;
		case 'C':
			v->ctl_path = strcmp(optarg, "none") ? optarg : NULL;
			break;
		case 'G':
			if (parse_group(optarg, &v->ctl_gid))
				return -EINVAL;
			break;
		case 'S':
			v->state_path = strcmp(optarg, "none") ? optarg : NULL;
			break;
		case 'R':
			if (strlen(optarg) >= sizeof(v->devs.sock_dir))
				return -ENAMETOOLONG;
			strcpy(v->devs.sock_dir, optarg);
			break;
		case 'l':
			if (xv_log_parse_level(optarg, &lvl))
				return -EINVAL;
			xv_log_set_level(lvl);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	/* No device at all is fine when they can be added at run time. */
	return (v->devs.ndevs || v->ctl_path) && optind == argc ? 0 : -EINVAL;
}

/*
 * The socket directory: made if missing (0755), and it must be root's and
 * not writable by others, since non-root clients' sockets go there.
 */
static int sock_dir_setup(struct vdpad *v)
{
	char real[PATH_MAX];
	struct stat st;

	if (mkdir(v->devs.sock_dir, 0755) && errno != EEXIST) {
		xv_err("cannot make the socket directory %s: %s",
		       v->devs.sock_dir, strerror(errno));
		return -errno;
	}
	if (!realpath(v->devs.sock_dir, real) || stat(real, &st) ||
	    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    strlen(real) >= sizeof(v->devs.sock_dir)) {
		xv_err("socket directory %s must be a directory of vdpad's user, not writable by group or others",
		       v->devs.sock_dir);
		return -EPERM;
	}
	strcpy(v->devs.sock_dir, real);
	return 0;
}

/*
 * Tells the service manager (systemd Type=notify, $NOTIFY_SOCKET) that the
 * command-line devices and whatever the state file held are up, so units
 * ordered after vdpad (VMs, kubelet) find their sockets. Without a service
 * manager this does nothing.
 */
static void notify_ready(const struct vdpad *v)
{
	unsigned int i, ndevs = 0, npfs = 0;
	int rc;

	for (i = 0; i < v->devs.ndevs; i++)
		ndevs += v->devs.dev[i].used;
	for (i = 0; i < MAX_PFS; i++)
		npfs += v->pfs[i].used;
	rc = sd_notifyf(0, "READY=1\nSTATUS=%u device(s), %u mgmtdev(s)", ndevs,
			npfs);
	if (rc < 0)
		xv_warn("cannot notify the service manager: %s", strerror(-rc));
	else
		xv_info("ready: %u device(s), %u mgmtdev(s)", ndevs, npfs);
}

/* Control clients and frontends each hold fds: the soft limit (often
 * 1024) goes up to the hard one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			xv_warn("cannot raise the fd limit: %s",
				strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	xv_dbg("fd limit %llu (hard %llu)", (unsigned long long)rl.rlim_cur,
	       (unsigned long long)rl.rlim_max);
}

int main(int argc, char **argv)
{
	static struct vdpad v;
	int err;

	xv_devs_init(&v.devs);
	v.ctl_fd = -1;
	v.ctl_path = XV_CTL_SOCKET;
	v.ctl_gid = (gid_t)-1;
	xv_sock_path_init(&v.ctl_sock);
	strcpy(v.devs.sock_dir, XV_RUN_DIR);
	xv_log_set_level(XV_LOG_INFO);
	xv_cycles_calibrate();
	if (parse_args(argc, argv, &v)) {
		usage(stderr);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	/* A frontend that shrinks its memory's file breaks its device only. */
	if (xv_fault_install())
		return 1;
	v.devs.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v.devs.epfd < 0 || sock_dir_setup(&v) ||
	    xv_devs_setup_threads(&v.devs) || vdpad_ctl_start(&v))
		return 1;
	/* Command-line devices first, then the ones the state file saved. */
	err = xv_devs_start_cmdline(&v.devs);
	if (!err && v.state_path)
		err = vdpad_state_load(&v);
	if (!err)
		err = xv_dp_threads_start(&v.devs);
	if (!err) {
		notify_ready(&v);
		run(&v);
	}
	sd_notify(0, "STOPPING=1");
	xv_dp_threads_stop(&v.devs);
	vdpad_ctl_stop(&v);
	xv_devs_shutdown(&v.devs);
	vdpad_ctl_print_stats(&v);
	return err ? 1 : 0;
}
