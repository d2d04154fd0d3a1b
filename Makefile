# zcryptfs — see README.md. `make check` is the whole test suite.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
B := build

DEB_PKGS := libfuse3-dev fuse3 libzbd-dev nettle-dev zlib1g-dev libcriterion-dev pkg-config
# What the test suite drives besides our programs.
TEST_PKGS := fio cppcheck procps clang libclang-rt-14-dev valgrind
PKGS := fuse3 libzbd nettle zlib

# The test vectors live in the shared folder beside the repository when it is
# there (CI, developers); tests/vectors is the copy a plain clone falls back on.
VECTORS ?= $(abspath $(firstword $(wildcard ../shared/vectors) tests/vectors))

WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=gnu11 $(WARN) -g -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread
CFLAGS ?= -O2
SAN_FLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

LIB_SRCS := $(filter-out src/%_main.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(B)/obj/%.o)
SAN_OBJS := $(LIB_SRCS:src/%.c=$(B)/san/obj/%.o)
PROGS := $(B)/zcryptfs $(B)/mkzcryptfs $(B)/zcryptfs-zones
SAN_PROGS := $(PROGS:$(B)/%=$(B)/san/%)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/san/tests/%)
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(B)/tests/%,$(wildcard tests/helpers/*.c))

.PHONY: all check unit e2e e2e-san valgrind fuzz vm-check deps check-deps deps-ok bench-deps clean install demo bench bench-crypto bench-fs lint
.DEFAULT_GOAL := all

all: deps-ok $(PROGS) $(TEST_HELPERS)

# ---- dependencies ---------------------------------------------------------
# `deps` installs what is missing (as root), or says the exact command.
deps: PKGS_WANTED = $(DEB_PKGS)
check-deps: PKGS_WANTED = $(TEST_PKGS)
deps check-deps bench-deps:
	@missing=""; for p in $(PKGS_WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	else \
	  echo "deps: missing Debian packages:$$missing"; \
	  echo "deps: run: sudo apt-get install -y$$missing"; exit 1; \
	fi

# A stamp so that `make` does not ask dpkg on every build.
deps-ok: $(B)/.deps-ok
$(B)/.deps-ok:
	@$(MAKE) --no-print-directory deps
	@mkdir -p $(B) && touch $@

# ---- programs ---------------------------------------------------------------
$(B)/obj/%.o: src/%.c $(wildcard include/*.h) | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/san/obj/%.o: src/%.c $(wildcard include/*.h) | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/libzcryptfs.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/san/libzcryptfs.a: $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/zcryptfs: src/zcryptfs_main.c $(B)/libzcryptfs.a
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libzcryptfs.a $(PKG_LIBS)
$(B)/mkzcryptfs: src/mkzcryptfs_main.c $(B)/libzcryptfs.a
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libzcryptfs.a $(PKG_LIBS)
$(B)/zcryptfs-zones: src/zones_main.c $(B)/libzcryptfs.a
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libzcryptfs.a $(PKG_LIBS)

$(B)/san/zcryptfs: src/zcryptfs_main.c $(B)/san/libzcryptfs.a
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/san/libzcryptfs.a $(PKG_LIBS)
$(B)/san/mkzcryptfs: src/mkzcryptfs_main.c $(B)/san/libzcryptfs.a
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/san/libzcryptfs.a $(PKG_LIBS)
$(B)/san/zcryptfs-zones: src/zones_main.c $(B)/san/libzcryptfs.a
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/san/libzcryptfs.a $(PKG_LIBS)

# Small programs the end-to-end tests drive (O_DIRECT appenders and the like).
$(B)/tests/%: tests/helpers/%.c $(B)/libzcryptfs.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libzcryptfs.a $(PKG_LIBS)

# ---- tests ------------------------------------------------------------------
$(B)/san/tests/%: tests/unit/%.c tests/unit/testutil.h $(B)/san/libzcryptfs.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(B)/san/libzcryptfs.a $(PKG_LIBS) -lcriterion

# Unit tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
unit: deps-ok $(UNIT_BINS) $(SAN_PROGS)
	@fail=0; for t in $(UNIT_BINS); do \
	  echo "== $$t"; \
	  ZC_VECTORS=$(VECTORS) ZC_BUILD=$(abspath $(B)) ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 timeout 600 $$t --jobs 2 || fail=1; \
	done; exit $$fail

e2e: all check-deps
	@ZC_BUILD=$(abspath $(B)) ZC_VECTORS=$(VECTORS) bash tests/e2e/run.sh

# The same end-to-end tests with the programs built with ASan and UBSan. The
# daemon detaches from the terminal, so reports go to files, and any file
# there afterwards fails the run.
SAN_LOGS := $(abspath $(B))/san/logs
e2e-san: all check-deps $(SAN_PROGS)
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	@ZC_BUILD=$(abspath $(B)) ZC_PROGS=$(abspath $(B))/san ZC_VECTORS=$(VECTORS) \
	  ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan:detect_leaks=1 \
	  UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1:halt_on_error=1 \
	  bash tests/e2e/run.sh; rc=$$?; \
	if [ -n "$$(ls -A $(SAN_LOGS))" ]; then \
	  echo "e2e-san: sanitizer reports:"; cat $(SAN_LOGS)/*; exit 1; fi; exit $$rc

# The Criterion unit tests are left out: cppcheck cannot expand Criterion's
# Test() macros without parsing its headers, and reports them as unknown.
lint: check-deps
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --std=c11 --inline-suppr -Iinclude -D__GNUC__ --suppress=missingIncludeSystem \
	  src $(wildcard tests/helpers contrib/bench)

# Real zoned block devices and the kernel's dm-crypt + zonefs, in a QEMU guest.
vm-check: all
	@ZC_BUILD=$(abspath $(B)) bash contrib/vm/run.sh

check: all unit e2e e2e-san valgrind fuzz lint vm-check

# ---- benchmarks (figures, never pass/fail) ------------------------------------
# Benchmark-only: OpenSSL is the XTS reference, gocryptfs the filesystem one (SPEC §7).
BENCH_PKGS := libssl-dev gocryptfs
bench-deps: PKGS_WANTED = $(BENCH_PKGS)

$(B)/bench/xts_bench: contrib/bench/xts_bench.c $(B)/libzcryptfs.a | bench-deps
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O2 $(PKG_CFLAGS) -o $@ $< $(B)/libzcryptfs.a $(PKG_LIBS) -lcrypto

bench-crypto: deps-ok $(B)/bench/xts_bench
	$(B)/bench/xts_bench

bench-fs: all bench-deps
	@ZC_BUILD=$(abspath $(B)) bash contrib/bench/fs_bench.sh

bench: bench-crypto bench-fs

demo: all
	@ZC_BUILD=$(abspath $(B)) bash contrib/demo.sh

# The three programs under valgrind's memcheck for a short session (SPEC §8).
valgrind: all check-deps
	@ZC_BUILD=$(abspath $(B)) bash tests/valgrind/run.sh

# ---- fuzzing (libFuzzer, clang) ------------------------------------------------
# Hostile input (SPEC §8): superblocks, option lists, geometry files. make check
# runs each target briefly from the seeds in tests/fuzz/corpus; `make fuzz
# FUZZ_SECONDS=600` runs longer. Found crashes are left in build/fuzz/.
FUZZ_SECONDS ?= 8
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS := $(LIB_SRCS:src/%.c=$(B)/fuzz/obj/%.o)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
.SECONDARY: $(FUZZ_OBJS)

$(B)/fuzz/obj/%.o: src/%.c $(wildcard include/*.h) | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	clang -std=gnu11 $(WARN) -Wno-unknown-warning-option -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	  -Iinclude $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	clang -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer \
	  -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)

fuzz: check-deps $(FUZZ_TARGETS)
	@fail=0; for t in $(FUZZ_TARGETS); do \
	  n=$$(basename $$t); c=$(B)/fuzz/corpus/$$n; tmp=$(B)/fuzz/tmp-$$n; \
	  rm -rf $$tmp && mkdir -p $$c $$tmp && cp tests/fuzz/corpus/$${n#fuzz_}/* $$c/; \
	  echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  ZC_FUZZ_TMP=$(abspath $(B))/fuzz/tmp-$$n $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -artifact_prefix=$(B)/fuzz/$$n- -print_final_stats=1 $$c 2>$(B)/fuzz/$$n.log \
	    && tail -n 12 $(B)/fuzz/$$n.log | grep -E 'stat::number_of_executed_units|Done' \
	    || { tail -n 40 $(B)/fuzz/$$n.log; fail=1; }; \
	  rm -rf $$tmp; \
	done; exit $$fail

# ---- install ---------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	for m in docs/*.8; do if [ -f "$$m" ]; then install -m 0644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man8/ || exit 1; fi; done

clean:
	rm -rf $(B)
