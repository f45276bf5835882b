# xvdpa: a software vDPA datapath on XDP and AF_XDP.
#
#   make            build BPF objects, the library and the binaries
#   make deps       install the Debian packages the build, tests and demo need
#   make check      build with ASan/UBSan and run every test
#   make demo       set up a demo topology and pass traffic through it
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (600) each
#   make bench      measure vdpad against DPDK and the AF_XDP ceiling
#   make install    binaries, BPF objects, man pages, systemd unit
#                   (DESTDIR, PREFIX)
#   make format     clang-format the C sources

BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2
CFLAGS ?= -O2 -g
XCFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Ilib -Ibpf -I$(BUILD)/bpf \
	$(CFLAGS)
XLDFLAGS := $(LDFLAGS)
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
XCFLAGS += $(SANFLAGS)
XLDFLAGS += $(SANFLAGS)
endif
LIBS := $(shell $(PKG_CONFIG) --libs libbpf libmnl jansson 2>/dev/null || \
	echo -lbpf -lmnl -ljansson) -lelf -lz
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
# vdpad tells systemd (Type=notify) when its devices are up: sd_notify(3).
SYSTEMD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null || \
	echo -lsystemd)

# BPF programs: built on this machine from source, one skeleton each.
BPF_ARCH_INC := -I/usr/include/$(shell $(CC) -dumpmachine)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 $(BPF_ARCH_INC) -Ibpf \
	-Wall -Werror
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB := $(BUILD)/libxvdpa.a

# vdpad's parts in three layers, each seeing only the headers of those
# below it: daemon -> device -> engine.
ENGINE_INC := -Idatapath/engine
DEVICE_INC := $(ENGINE_INC) -Idatapath/device
DAEMON_INC := $(DEVICE_INC) -Idatapath/daemon
DP_HDRS := $(wildcard datapath/*/*.h)
# The engine (vhost-user, guest memory, virtqueues, virtio-net, backends).
ENGINE_SRCS := $(wildcard datapath/engine/*.c)
ENGINE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(ENGINE_SRCS))
ENGLIB := $(BUILD)/libxvengine.a
# Devices, datapath threads and the daemon's parts besides main(), as a
# library the daemon and unit tests share.
DP_SRCS := $(wildcard datapath/device/*.c) \
	$(filter-out datapath/daemon/vdpad.c,$(wildcard datapath/daemon/*.c))
DP_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(DP_SRCS))
DPLIB := $(BUILD)/libxvdp.a

# The CNI plugin's parts, as a library the plugin and its unit tests share.
CNI_SRCS := $(filter-out cni/vdpa.c,$(wildcard cni/*.c))
CNI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CNI_SRCS))
CNILIB := $(BUILD)/libxvcni.a

# vdpactl's parts besides main(), for the CLI and its unit tests.
CTL_SRCS := $(filter-out ctl/vdpactl.c,$(wildcard ctl/*.c))
CTL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CTL_SRCS))
CTLLIB := $(BUILD)/libxvctl.a

BINS := $(BUILD)/vdpactl $(BUILD)/vdpad
CNI_PLUGIN := $(BUILD)/cni/vdpa

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BPFTEST_SRCS := $(wildcard tests/bpf/test_*.c)
BPFTEST_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(BPFTEST_SRCS))
# libFuzzer targets: clang, ASan + UBSan, built from the sources they test.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_DEPS := $(filter-out datapath/engine/xsk.c datapath/engine/xsk_sock.c datapath/engine/afxdp.c \
	datapath/engine/backend.c,$(ENGINE_SRCS)) \
	lib/log.c lib/util.c
FUZZ_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Ilib -Ibpf $(ENGINE_INC) -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.PHONY: all tests check deps demo fuzz bench install format clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BPF_OBJS) $(LIB) $(ENGLIB) $(DPLIB) $(BINS) $(CNI_PLUGIN)

tests: all $(UNIT_BINS) $(BPFTEST_BINS) $(FUZZ_BINS)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h bpf/*.h) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/datapath/engine/%.o: datapath/engine/%.c \
		$(wildcard datapath/engine/*.h lib/*.h bpf/*.h) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(ENGINE_INC) -c $< -o $@

$(BUILD)/datapath/device/%.o: datapath/device/%.c \
		$(wildcard datapath/engine/*.h datapath/device/*.h lib/*.h \
		bpf/*.h) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(DEVICE_INC) -c $< -o $@

$(BUILD)/datapath/daemon/%.o: datapath/daemon/%.c $(DP_HDRS) \
		$(wildcard lib/*.h bpf/*.h) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(DAEMON_INC) -c $< -o $@

$(ENGLIB): $(ENGINE_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(DPLIB): $(DP_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/cni/%.o: cni/%.c $(wildcard cni/*.h lib/*.h bpf/*.h) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) -Icni -c $< -o $@

$(CNILIB): $(CNI_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

# The plugin is named after its config's "type": vdpa.
$(BUILD)/cni/vdpa: cni/vdpa.c $(CNILIB) $(LIB)
	$(CC) $(XCFLAGS) -Icni $< -o $@ $(XLDFLAGS) $(CNILIB) $(LIB) $(LIBS)

# The CNI configuration parser, with the library parts it validates with.
FUZZ_CNI_DEPS := cni/config.c cni/result.c lib/vfargs.c lib/util.c lib/log.c \
	lib/devcfg.c lib/eswitch.c lib/nl.c lib/ethtool.c
$(BUILD)/fuzz/fuzz_cni_conf: tests/fuzz/fuzz_cni_conf.c $(FUZZ_CNI_DEPS) \
		$(wildcard cni/*.h lib/*.h) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -Icni -I$(BUILD)/bpf $< $(FUZZ_CNI_DEPS) -o $@ \
		$(LIBS)

# The device configuration's parsers (lib/devcfg.c), alone.
FUZZ_DEVCFG_DEPS := lib/devcfg.c lib/util.c lib/log.c
$(BUILD)/fuzz/fuzz_devcfg: tests/fuzz/fuzz_devcfg.c $(FUZZ_DEVCFG_DEPS) \
		$(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $< $(FUZZ_DEVCFG_DEPS) -o $@ -ljansson

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_DEPS) \
		$(wildcard datapath/engine/*.h lib/*.h tests/common/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -Itests/common $< $(FUZZ_DEPS) -o $@

$(BUILD)/ctl/%.o: ctl/%.c $(wildcard ctl/*.h lib/*.h bpf/*.h)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) -c $< -o $@

$(CTLLIB): $(CTL_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/vdpactl: ctl/vdpactl.c $(wildcard ctl/*.h) $(CTLLIB) $(LIB)
	$(CC) $(XCFLAGS) -Ictl $< -o $@ $(XLDFLAGS) $(CTLLIB) $(LIB) $(LIBS)

$(BUILD)/vdpad: datapath/daemon/vdpad.c $(DP_HDRS) $(DPLIB) $(ENGLIB) $(LIB)
	$(CC) $(XCFLAGS) $(DAEMON_INC) $< -o $@ $(XLDFLAGS) $(DPLIB) $(ENGLIB) \
		$(LIB) -lxdp $(LIBS) $(SYSTEMD_LIBS) -lpthread

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h tests/common/*.h) \
		$(LIB) $(DPLIB) $(ENGLIB) $(CTLLIB) $(CNILIB)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(DAEMON_INC) -Ictl -Icni -Itests/common $< -o $@ \
		$(XLDFLAGS) $(CTLLIB) $(DPLIB) $(ENGLIB) $(CNILIB) $(LIB) \
		-lxdp $(LIBS) $(TEST_LIBS) -lpthread

$(BUILD)/tests/%: tests/bpf/%.c $(LIB) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $< -o $@ $(XLDFLAGS) $(LIB) $(LIBS) $(TEST_LIBS)

# Test-only tools the integration tests run (tests/tools/*.c: evil_frontend,
# a hostile vhost-user frontend), into $(BUILD)/tools/ with make tests.
TOOLS := $(BUILD)/tools/evil_frontend

tests: $(TOOLS)

$(BUILD)/tools/%: tests/tools/%.c $(wildcard tests/common/*.h \
		datapath/engine/*.h lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(ENGINE_INC) -Itests/common $< -o $@ $(XLDFLAGS)

# Tests run against a sanitizer build in its own tree.
check:
	$(MAKE) SAN=1 BUILD=build/san tests
	BUILD=build/san tests/run.sh

# Longer fuzzing than make check's seconds: FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
fuzz:
	$(MAKE) SAN=1 BUILD=build/san $(patsubst $(BUILD)/%,build/san/%,$(FUZZ_BINS))
	for f in build/san/fuzz/fuzz_*; do \
		n=$$(basename $$f); mkdir -p build/fuzz-corpus/$$n; \
		cp -n tests/fuzz/corpus/$$n/* build/fuzz-corpus/$$n/ 2>/dev/null; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 build/fuzz-corpus/$$n || exit 1; \
	done

deps:
	scripts/deps.sh

demo: all
	BUILD=$(BUILD) scripts/demo.sh

# Throughput and CPU figures against DPDK and the raw AF_XDP ceiling (not
# part of make check: it takes minutes and wants a quiet machine).
bench: all $(TOOLS)
	BUILD=$(BUILD) bench/run.sh

# Installs binaries, the CNI plugin (next to Debian's, in lib/cni), BPF
# objects, man pages and the systemd unit.
PREFIX ?= /usr
DESTDIR ?=
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/xvdpa/bpf \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/cni
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(CNI_PLUGIN) $(DESTDIR)$(PREFIX)/lib/cni/vdpa
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/xvdpa/bpf/
	install -m 0644 docs/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/sbin/vdpad|$(PREFIX)/sbin/vdpad|' dist/vdpad.service \
		>$(DESTDIR)/lib/systemd/system/vdpad.service

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build
