/* SPDX-License-Identifier: GPL-2.0-only */
/* One attachment of a pod interface to a VF, and the steps that make and
 * unmake it. */
#ifndef XVDPA_CNI_ATTACH_H
#define XVDPA_CNI_ATTACH_H

#include <net/if.h>
#include <sys/un.h>

#include "cni.h"

struct cni_attach {
	const struct cni_conf *conf;
	const char *cid; /* CNI_CONTAINERID */
	const char *ifname; /* CNI_IFNAME */
	const char *netns; /* CNI_NETNS (may be NULL on DEL) */
	int vf; /* -1: none taken yet */
	char host_name[IF_NAMESIZE]; /* the VF's device end in the host */
	char mac[XV_MAC_STR_LEN];
	unsigned int host_mtu; /* netdev mode: the device end's MTU before */
	char dev[16]; /* vdpad's device */
	char sock_dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct xv_vf_attrs orig; /* the VF before the attachment */
	bool orig_saved;
	bool dev_added;
};

int cni_vf_pick(struct cni_attach *a, struct cni_err *e);
int cni_vf_claim(struct cni_attach *a, struct cni_err *e);
void cni_vf_release(struct cni_attach *a);
int cni_vf_consumer(const struct cni_attach *a, enum xv_vf_consumer c);
/* vdpad's "dev add" arguments for @a (a->dev and a->socket set). */
int cni_dev_add_args(const struct cni_attach *a, json_t **out,
		     struct cni_err *e);
int cni_vhost_add(struct cni_attach *a, struct cni_err *e);
void cni_vhost_del(struct cni_attach *a);
void cni_vhost_del_later(const struct cni_conf *c, const char *dev,
			 const char *why);
void cni_vhost_del_pending(const struct cni_conf *c);
int cni_vdpad_unreachable(int rc, const char *path, const char *err,
			  struct cni_err *e);
int cni_devinfo_write(const struct cni_attach *a, struct cni_err *e);
void cni_devinfo_remove(const char *path);
json_t *cni_attach_to_json(const struct cni_attach *a);
void cni_attach_from_json(struct cni_attach *a, json_t *st);

#endif /* XVDPA_CNI_ATTACH_H */
