// SPDX-License-Identifier: GPL-2.0-only
/* netdev mode: the VF's device end moved into the pod's namespace, named,
 * addressed and routed there; and moved back on DEL. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni.h"
#include "log.h"

/* @fd is a network namespace, and not the plugin's own (the host's):
 * error 4 (CNI_NETNS is invalid) otherwise. */
static int netns_verify(int fd, const char *path, struct cni_err *e)
{
	struct stat ns, self;

	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return cni_fail(e, CNI_ERR_ENV,
				"CNI_NETNS %s is not a network namespace",
				path);
	if (fstat(fd, &ns) || stat("/proc/self/ns/net", &self))
		return cni_fail(e, CNI_ERR_IO, "CNI_NETNS %s: %s", path,
				strerror(errno));
	if (ns.st_dev == self.st_dev && ns.st_ino == self.st_ino)
		return cni_fail(
			e, CNI_ERR_ENV,
			"CNI_NETNS %s is the host's network namespace (the plugin's own), not a pod's",
			path);
	return 0;
}

static int open_netns(const char *path, int *fd, struct cni_err *e)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return cni_fail(e, CNI_ERR_UNKNOWN_CONTAINER,
				"cannot open the network namespace %s: %s",
				path, strerror(errno));
	if (netns_verify(*fd, path, e)) {
		close(*fd);
		*fd = -1;
		return -EINVAL;
	}
	return 0;
}

int cni_netns_check(const char *path, struct cni_err *e)
{
	int fd;

	if (!path)
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS is missing");
	if (open_netns(path, &fd, e))
		return -EINVAL;
	close(fd);
	return 0;
}

/* Addresses from IPAM, then routes (a route's gateway must be reachable,
 * so it goes after the address and the link being up). */
static int apply_ips(struct xv_nl *nl, int ifindex, json_t *ipam,
		     struct cni_err *e)
{
	struct xv_nl_prefix p;
	json_t *ip;
	size_t i;
	int err;

	json_array_foreach(json_object_get(ipam, "ips"), i, ip) {
		const char *a =
			json_string_value(json_object_get(ip, "address"));

		if (!a || cni_prefix_parse(a, &p))
			return cni_fail(e, CNI_ERR_DECODE,
					"IPAM gave a bad address \"%s\"",
					a ? a : "(none)");
		err = xv_nl_addr_add(nl, ifindex, &p);
		if (err && err != -EEXIST)
			return cni_fail(e, CNI_ERR_IO, "adding %s: %s", a,
					strerror(-err));
	}
	return 0;
}

/* A route without "gw" goes through the IPAM gateway of its family. */
static const char *route_gw(json_t *ipam, json_t *route, int family)
{
	const char *gw = json_string_value(json_object_get(route, "gw"));
	json_t *ip;
	size_t i;

	if (gw)
		return gw;
	json_array_foreach(json_object_get(ipam, "ips"), i, ip) {
		gw = json_string_value(json_object_get(ip, "gateway"));
		if (gw && (strchr(gw, ':') != NULL) == (family == AF_INET6))
			return gw;
	}
	return NULL;
}

static int apply_routes(struct xv_nl *nl, int ifindex, json_t *ipam,
			struct cni_err *e)
{
	struct xv_nl_prefix dst;
	uint8_t gwa[16];
	const char *d, *gw;
	json_t *r;
	size_t i;
	int err;

	json_array_foreach(json_object_get(ipam, "routes"), i, r) {
		d = json_string_value(json_object_get(r, "dst"));
		if (!d || cni_prefix_parse(d, &dst))
			return cni_fail(e, CNI_ERR_DECODE,
					"IPAM gave a bad route \"%s\"",
					d ? d : "(no dst)");
		gw = route_gw(ipam, r, dst.family);
		if (gw && cni_ip_parse(gw, dst.family, gwa))
			return cni_fail(e, CNI_ERR_DECODE,
					"IPAM gave a bad gateway \"%s\"", gw);
		err = xv_nl_route_add(nl, ifindex, &dst, gw ? gwa : NULL);
		if (err && err != -EEXIST)
			return cni_fail(e, CNI_ERR_IO, "adding route %s: %s", d,
					strerror(-err));
	}
	return 0;
}

/* In the pod: rename, MTU, up, addresses, routes. */
static int configure_in_pod(struct xv_nl *pod, const struct cni_netdev *nd,
			    json_t *ipam, struct cni_err *e)
{
	struct xv_link_info li;
	int err;

	err = xv_nl_link_get_by_name(pod, nd->host_name, &li);
	if (!err)
		err = xv_nl_link_set_name(pod, li.ifindex, nd->ifname);
	if (!err && nd->mtu)
		err = xv_nl_link_set_mtu(pod, li.ifindex, nd->mtu);
	if (!err)
		err = xv_nl_link_set_up(pod, li.ifindex, true);
	if (err)
		return cni_fail(e, CNI_ERR_IO, "configuring %s as %s: %s",
				nd->host_name, nd->ifname, strerror(-err));
	return apply_ips(pod, li.ifindex, ipam, e) ?:
		       apply_routes(pod, li.ifindex, ipam, e);
}

int cni_netdev_attach(struct cni_netdev *nd, json_t *ipam, struct cni_err *e)
{
	struct xv_nl host = {}, pod = {};
	struct xv_link_info li;
	int nsfd, err;

	if (open_netns(nd->netns, &nsfd, e))
		return -ENOENT;
	err = xv_nl_open(&host) ?: xv_nl_open_in_netns(&pod, nsfd);
	if (err) {
		cni_fail(e, CNI_ERR_IO, "netlink: %s", strerror(-err));
		goto out;
	}
	/* Nothing moves if the pod already has the name. */
	if (!xv_nl_link_get_by_name(&pod, nd->ifname, &li)) {
		err = cni_fail(e, CNI_ERR_IN_USE,
			       "the pod already has an interface %s",
			       nd->ifname);
		goto out;
	}
	err = xv_nl_link_get_by_name(&host, nd->host_name, &li);
	nd->host_mtu = li.mtu;
	if (!err)
		err = xv_nl_link_set_netns(&host, li.ifindex, nsfd);
	if (err) {
		cni_fail(e, CNI_ERR_IO, "moving %s into %s: %s", nd->host_name,
			 nd->netns, strerror(-err));
		goto out;
	}
	err = configure_in_pod(&pod, nd, ipam, e);
	if (err) {
		struct cni_err ignore;

		cni_netdev_detach(nd, &ignore);
	}
out:
	xv_nl_close(&pod);
	xv_nl_close(&host);
	close(nsfd);
	return err;
}

/* Back to the host under its own name, down; gone netns or interface
 * are fine (DEL is idempotent). */
int cni_netdev_detach(const struct cni_netdev *nd, struct cni_err *e)
{
	struct xv_nl pod = {};
	struct xv_link_info li;
	int nsfd, hostns, err;

	nsfd = open(nd->netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		xv_warn("netns %s is gone: %s cannot be moved back", nd->netns,
			nd->host_name);
		return 0;
	}
	if (netns_verify(nsfd, nd->netns, e)) {
		xv_warn("%s: %s is left where it is", e->msg, nd->ifname);
		close(nsfd);
		return 0;
	}
	hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	err = hostns < 0 ? -errno : xv_nl_open_in_netns(&pod, nsfd);
	if (err) {
		cni_fail(e, CNI_ERR_IO, "netlink in %s: %s", nd->netns,
			 strerror(-err));
		goto out;
	}
	if (xv_nl_link_get_by_name(&pod, nd->ifname, &li)) {
		xv_info("%s is not in %s any more", nd->ifname, nd->netns);
		goto out;
	}
	err = xv_nl_link_set_up(&pod, li.ifindex, false);
	if (!err && nd->host_mtu && nd->host_mtu != li.mtu)
		err = xv_nl_link_set_mtu(&pod, li.ifindex, nd->host_mtu);
	err = err							   ?:
		      xv_nl_link_set_name(&pod, li.ifindex, nd->host_name) ?:
		      xv_nl_link_set_netns(&pod, li.ifindex, hostns);
	if (err)
		cni_fail(e, CNI_ERR_IO, "moving %s back to the host as %s: %s",
			 nd->ifname, nd->host_name, strerror(-err));
out:
	xv_nl_close(&pod);
	if (hostns >= 0)
		close(hostns);
	close(nsfd);
	return err;
}

static int check_ips(struct xv_nl *pod, const struct cni_netdev *nd,
		     int ifindex, json_t *prev, struct cni_err *e)
{
	struct xv_nl_prefix p;
	json_t *ip;
	size_t i;

	json_array_foreach(json_object_get(prev, "ips"), i, ip) {
		const char *a =
			json_string_value(json_object_get(ip, "address"));

		if (!a || cni_prefix_parse(a, &p))
			return cni_fail(e, CNI_ERR_DECODE,
					"prevResult has a bad address");
		if (xv_nl_addr_find(pod, ifindex, &p))
			return cni_fail(e, CNI_ERR_CHECK,
					"%s in %s lacks address %s", nd->ifname,
					nd->netns, a);
	}
	return 0;
}

int cni_netdev_check(const struct cni_netdev *nd, const char *mac, json_t *prev,
		     struct cni_err *e)
{
	char have[XV_MAC_STR_LEN];
	struct xv_nl pod = {};
	struct xv_link_info li;
	int nsfd, err;

	if (open_netns(nd->netns, &nsfd, e))
		return -ENOENT;
	err = xv_nl_open_in_netns(&pod, nsfd);
	if (err) {
		cni_fail(e, CNI_ERR_IO, "netlink: %s", strerror(-err));
		goto out;
	}
	if (xv_nl_link_get_by_name(&pod, nd->ifname, &li)) {
		err = cni_fail(e, CNI_ERR_CHECK, "%s has no interface %s",
			       nd->netns, nd->ifname);
		goto out;
	}
	xv_format_mac(li.mac, have);
	if (strcmp(have, mac))
		err = cni_fail(e, CNI_ERR_CHECK,
			       "%s has MAC %s, the attachment gave it %s",
			       nd->ifname, have, mac);
	else if (!(li.flags & IFF_UP))
		err = cni_fail(e, CNI_ERR_CHECK, "%s is down", nd->ifname);
	else if (nd->mtu && li.mtu != nd->mtu)
		err = cni_fail(e, CNI_ERR_CHECK, "%s has MTU %u, not %u",
			       nd->ifname, li.mtu, nd->mtu);
	else
		err = check_ips(&pod, nd, li.ifindex, prev, e);
out:
	xv_nl_close(&pod);
	close(nsfd);
	return err;
}
