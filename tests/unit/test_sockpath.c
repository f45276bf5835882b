// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/sockpath.c on a real file system (a temporary directory): sockets
 * made with their mode at once, nothing replaced but a stale socket of
 * ours, no symlink followed, and only our own node removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockpath.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/xv-sockpath.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void at(struct xv_sock_path *sp, const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	xv_sock_path_init(sp);
	assert_int_equal(xv_sock_path_set(sp, p), 0);
}

static void write_file(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int sock_listen(struct xv_sock_path *sp)
{
	return xv_sock_listen(sp, SOCK_STREAM | SOCK_CLOEXEC, 0640, (gid_t)-1,
			      4);
}

static void test_listen_mode_and_unlink(void **state)
{
	struct xv_sock_path sp;
	struct stat st;
	int fd;

	(void)state;
	at(&sp, "a.sock");
	fd = sock_listen(&sp);
	assert_true(fd >= 0);
	assert_int_equal(stat(sp.canon, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0640);
	close(fd);
	assert_int_equal(xv_sock_path_unlink(&sp), 0);
	assert_int_equal(access(sp.canon, F_OK), -1);
	xv_sock_path_close(&sp);
}

static void test_regular_file_untouched(void **state)
{
	struct xv_sock_path sp;
	char buf[16] = "";
	FILE *f;

	(void)state;
	write_file("victim", "secret");
	at(&sp, "victim");
	assert_int_equal(sock_listen(&sp), -EEXIST);
	f = fopen(sp.canon, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "secret");
	xv_sock_path_close(&sp);
}

static void test_stale_replaced_live_refused(void **state)
{
	struct xv_sock_path sp, again;
	int fd, fd2;

	(void)state;
	at(&sp, "s.sock");
	fd = sock_listen(&sp);
	assert_true(fd >= 0);
	at(&again, "s.sock");
	assert_int_equal(sock_listen(&again), -EADDRINUSE);
	close(fd); /* now stale: nobody listens */
	fd2 = sock_listen(&again);
	assert_true(fd2 >= 0);
	close(fd2);
	assert_int_equal(xv_sock_path_unlink(&again), 0);
	assert_int_equal(access(again.canon, F_OK), -1);
	/* The first owner's record is of a node that is gone. */
	assert_int_equal(xv_sock_path_unlink(&sp), -ESTALE);
	xv_sock_path_close(&sp);
	xv_sock_path_close(&again);
}

static void test_symlinks_refused(void **state)
{
	struct xv_sock_path sp;
	char target[128], link[128], sub[128];

	(void)state;
	write_file("target", "x");
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(target, link), 0);
	at(&sp, "link");
	assert_int_equal(sock_listen(&sp), -EEXIST);
	xv_sock_path_close(&sp);
	snprintf(sub, sizeof(sub), "%s/realdir", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(link, sizeof(link), "%s/ldir", dir);
	assert_int_equal(symlink(sub, link), 0);
	at(&sp, "ldir/s.sock");
	assert_int_equal(sock_listen(&sp), -ENOTDIR);
	assert_int_equal(rmdir(sub), 0); /* nothing was made in it */
	xv_sock_path_close(&sp);
}

static void test_replaced_node_kept(void **state)
{
	struct xv_sock_path sp;
	char moved[128];
	int fd;

	(void)state;
	at(&sp, "r.sock");
	fd = sock_listen(&sp);
	assert_true(fd >= 0);
	snprintf(moved, sizeof(moved), "%s/r.moved", dir);
	assert_int_equal(rename(sp.canon, moved), 0);
	write_file("r.sock", "mine");
	assert_int_equal(xv_sock_path_unlink(&sp), -ESTALE);
	assert_int_equal(access(sp.canon, F_OK), 0);
	close(fd);
	xv_sock_path_close(&sp);
}

static void test_connect_no_symlink(void **state)
{
	struct xv_sock_path srv, cli;
	char link[128];
	int fd, c;

	(void)state;
	at(&srv, "c.sock");
	fd = sock_listen(&srv);
	assert_true(fd >= 0);
	at(&cli, "c.sock");
	c = xv_sock_connect(&cli, SOCK_STREAM | SOCK_CLOEXEC);
	assert_true(c >= 0);
	close(c);
	xv_sock_path_close(&cli);
	snprintf(link, sizeof(link), "%s/c.link", dir);
	assert_int_equal(symlink(srv.canon, link), 0);
	at(&cli, "c.link");
	assert_int_equal(xv_sock_connect(&cli, SOCK_STREAM), -ENOTSOCK);
	xv_sock_path_close(&cli);
	close(fd);
	xv_sock_path_unlink(&srv);
	xv_sock_path_close(&srv);
}

static void test_path_set(void **state)
{
	struct xv_sock_path sp;
	char big[200];

	(void)state;
	xv_sock_path_init(&sp);
	assert_int_equal(xv_sock_path_set(&sp, "/run//x/../y/./a.sock"), 0);
	assert_string_equal(sp.canon, "/run/y/a.sock");
	assert_string_equal(sp.name, "a.sock");
	assert_int_equal(xv_sock_path_set(&sp, "/"), -EINVAL);
	assert_int_equal(xv_sock_path_set(&sp, ""), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	assert_int_equal(xv_sock_path_set(&sp, big), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_set),
		cmocka_unit_test(test_listen_mode_and_unlink),
		cmocka_unit_test(test_regular_file_untouched),
		cmocka_unit_test(test_stale_replaced_live_refused),
		cmocka_unit_test(test_symlinks_refused),
		cmocka_unit_test(test_replaced_node_kept),
		cmocka_unit_test(test_connect_no_symlink),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
