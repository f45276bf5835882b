/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `vdpa` CNI plugin: hands a pod an emulated VF, either as a netdev
 * moved into its namespace or as a vhost-user socket served by vdpad.
 *
 * Every step that can fail fills a struct cni_err with the spec's error
 * code and a message naming what is wrong; main() prints it as the spec's
 * error JSON.
 */
#ifndef XVDPA_CNI_H
#define XVDPA_CNI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devcfg.h"
#include "eswitch.h"
#include "nl.h"

/* Error codes of the CNI spec (SPEC.md, "Error") and our own (>= 100). */
enum cni_code {
	CNI_ERR_VERSION = 1, /* incompatible CNI version */
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_ENV = 4, /* invalid necessary environment variables */
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6, /* failed to decode content */
	CNI_ERR_CONFIG = 7, /* invalid network config */
	CNI_ERR_TRY_LATER = 11,
	CNI_ERR_NOT_AVAILABLE = 50, /* STATUS: plugin not available */
	CNI_ERR_IN_USE = 100, /* no free VF / attachment exists already */
	CNI_ERR_CHECK = 101, /* CHECK found a difference */
	CNI_ERR_INTERNAL = 102,
};

struct cni_err {
	int code;
	char msg[256];
	char details[512];
};

int cni_fail(struct cni_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum cni_mode {
	CNI_MODE_VHOSTUSER,
	CNI_MODE_NETDEV,
};

#define CNI_DEFAULT_SOCKET_DIR "/run/xvdpa/cni"
#define CNI_DEFAULT_STATE_DIR "/var/lib/cni/xvdpa"
#define CNI_VERSIONS_SUPPORTED "1.0.0", "1.1.0"

/*
 * Runtime input that ends up in paths, checked against the spec:
 * container IDs and network names match ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$
 * (so never "." or ".."), interface names are what the kernel takes.
 * A container ID is at most what leaves room for its state file's name
 * "<containerID>:<ifname>.json.tmp" in NAME_MAX.
 */
#define CNI_IFNAME_MAX 15
#define CNI_CONTAINER_ID_MAX (255 - 1 - CNI_IFNAME_MAX - 9)
#define CNI_NET_NAME_MAX 255
bool cni_id_valid(const char *s, size_t max);
bool cni_ifname_valid(const char *s);
bool cni_path_valid(const char *path);

/*
 * The pod's socket directory under socketDir: the whole container ID
 * when "<socketDir>/<containerID>/<ifname>.sock" fits in sun_path for
 * every interface name, else "_" and the 16 hex digits of the ID's
 * 64-bit FNV-1a hash (no container ID starts with "_"). Either way the
 * directory holds an owner file naming the container; an ADD that finds
 * one naming another container is refused.
 */
#define CNI_SUN_PATH_MAX 107 /* sun_path without its NUL */
#define CNI_SOCK_NAME_MAX (CNI_IFNAME_MAX + 5) /* "<ifname>.sock" */
#define CNI_SOCK_HASH_LEAF_LEN 17 /* "_" + 16 hex digits */
#define CNI_SOCKET_DIR_MAX \
	(CNI_SUN_PATH_MAX - 1 - CNI_SOCK_HASH_LEAF_LEN - 1 - CNI_SOCK_NAME_MAX)
#define CNI_SOCK_LEAF_MAX (CNI_CONTAINER_ID_MAX + 1)
uint64_t cni_fnv1a64(const char *s);
void cni_sock_leaf(const char *socket_dir, const char *cid, char *buf,
		   size_t len);

/* The network configuration as given on stdin, parsed and validated. */
struct cni_conf {
	json_t *root; /* the whole document (owned) */
	char version[16]; /* cniVersion */
	const char *name; /* network name */
	const char *mgmtdev;
	enum cni_mode mode;
	struct xv_vf_attrs vf; /* attributes to apply to the VF */
	int vf_index; /* from deviceID, -1: any free VF */
	unsigned int mtu; /* 0: leave as is */
	const char *socket_dir;
	bool vdpad_client; /* socketMode "client": the pod creates it */
	const char *socket_group;
	const char *vdpad_socket; /* vdpad's control socket */
	const char *state_dir;
	const char *log_file;
	const char *log_level;
	const char *device_info_file; /* runtimeConfig.CNIDeviceInfoFile */
	/* deviceOptions: "dev add" options for vdpad (the table's CNI keys,
	 * lib/devcfg.h), checked at parse time; .set says which were given. */
	struct xv_dev_cfg dev_opts;
	json_t *ipam; /* borrowed from root, NULL: no IPAM */
	json_t *prev_result; /* borrowed */
	json_t *valid_attachments; /* GC: cni.dev/valid-attachments */
};

/* The runtime's environment variables (CNI_*). */
struct cni_env {
	const char *command;
	const char *container_id;
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path;
};

/* config.c */
int cni_conf_parse(const char *text, size_t len, struct cni_conf *c,
		   struct cni_err *e);
void cni_conf_free(struct cni_conf *c);
int cni_conf_apply_args(struct cni_conf *c, const char *args,
			struct cni_err *e);
bool cni_version_supported(const char *v);
int cni_env_read(struct cni_env *env, struct cni_err *e);
int cni_env_check(const struct cni_env *env, struct cni_err *e);

/* result.c: what a command prints. */
struct cni_iface {
	const char *name;
	char mac[XV_MAC_STR_LEN];
	const char *sandbox; /* netdev mode: the netns path */
	const char *socket_path; /* vhostuser mode (1.1.0 only) */
	unsigned int mtu; /* 0: not reported (1.1.0 only) */
};

json_t *cni_result_render(const char *version, const struct cni_iface *ifc,
			  json_t *ipam_result);
json_t *cni_error_render(const char *version, const struct cni_err *e);
int cni_prefix_parse(const char *s, struct xv_nl_prefix *p);
int cni_ip_parse(const char *s, int family, uint8_t out[16]);

/* ipam.c: the delegated IPAM plugin (e.g. host-local). */
int cni_ipam_exec(const struct cni_env *env, const struct cni_conf *c,
		  const char *command, json_t **result, struct cni_err *e);

/* netdev.c: the VF's device end in the pod's namespace. */
struct cni_netdev {
	const char *host_name; /* the VF's device end, e.g. pf0v3 */
	const char *netns; /* CNI_NETNS */
	const char *ifname; /* CNI_IFNAME */
	unsigned int mtu; /* to set in the pod, 0: keep */
	unsigned int host_mtu; /* to restore on the way back, 0: keep */
};

int cni_netdev_attach(struct cni_netdev *nd, json_t *ipam_result,
		      struct cni_err *e);
int cni_netdev_detach(const struct cni_netdev *nd, struct cni_err *e);
int cni_netdev_check(const struct cni_netdev *nd, const char *mac,
		     json_t *prev_result, struct cni_err *e);
int cni_netns_check(const char *path, struct cni_err *e);

#endif /* XVDPA_CNI_H */
