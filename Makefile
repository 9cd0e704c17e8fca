# focal: Makefile (GNU make).  Respects CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS, PREFIX, DESTDIR.

CC      = cc
CFLAGS  = -O2 -g
WARN    = -std=c11 -Wall -Wextra -Wmissing-prototypes -Wshadow -Wpointer-arith
CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(CPPFLAGS)
LDLIBS_ALL = -lcsv -lz -lm -lpthread $(LDLIBS)
PREFIX  = /usr/local
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man

# src/mpi.c is focal-mpi's main, built with mpicc by make mpi; nothing else needs MPI.
MPI_SRC = src/mpi.c
SRC_ALL = $(filter-out $(MPI_SRC),$(wildcard src/*.c))
# The commands (option parsing and printing) go into the focal binary; libfocal.a holds
# the core only, which the unit tests and benchmarks link.
CMD_SRC = src/focal.c src/cli.c src/fitcli.c src/options.c src/cvrefit.c $(wildcard src/cmd_*.c)
LIB_SRC = $(filter-out $(CMD_SRC),$(SRC_ALL))
LIB_OBJ = $(LIB_SRC:.c=.o)
CMD_OBJ = $(CMD_SRC:.c=.o)
HDR     = $(wildcard src/*.h)
UNIT_SRC = $(wildcard tests/unit_*.c)
UNIT_BIN = $(UNIT_SRC:.c=)
BENCH_BIN = bench/gen bench/csvbench bench/passbench

all: focal

src/%.o: src/%.c $(HDR)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ $<

libfocal.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

focal: $(CMD_OBJ) libfocal.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) libfocal.a $(LDLIBS_ALL)

# focal-mpi (make mpi): focal train, data-parallel over Open MPI, from the same objects
# but focal.o (src/mpi.c has its own main) and the core library.
MPICC   = mpicc
MPI_CMD_OBJ = $(filter-out src/focal.o,$(CMD_OBJ))
# check builds focal-mpi too where mpicc is installed (tests/t_mpi.sh skips without it).
MPI_CHECK = $(if $(shell command -v $(MPICC) 2>/dev/null),focal-mpi)

src/mpi.o: src/mpi.c $(HDR)
	$(MPICC) $(WARN) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ src/mpi.c

focal-mpi: src/mpi.o $(MPI_CMD_OBJ) libfocal.a
	$(MPICC) $(CFLAGS) $(LDFLAGS) -o $@ src/mpi.o $(MPI_CMD_OBJ) libfocal.a $(LDLIBS_ALL)

mpi: focal-mpi

# The time of one allreduce of N doubles (the cost model in README): make bench/mpibench.
bench/mpibench: bench/mpibench.c
	$(MPICC) $(WARN) -Wno-missing-prototypes $(CFLAGS) -o $@ bench/mpibench.c

tests/unit_%: tests/unit_%.c tests/tap.h libfocal.a $(HDR)
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS_ALL) -Isrc -o $@ $< libfocal.a $(LDLIBS_ALL)

# A second build with AddressSanitizer and UndefinedBehaviorSanitizer, beside the first:
# focal-asan, tests/unit_*-asan.
ASAN    = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ = $(LIB_SRC:.c=.asan.o)
CMD_ASAN_OBJ = $(CMD_SRC:.c=.asan.o)
UNIT_ASAN = $(UNIT_SRC:.c=-asan)

src/%.asan.o: src/%.c $(HDR)
	$(CC) $(WARN) $(ASAN) $(CPPFLAGS_ALL) -c -o $@ $<

libfocal-asan.a: $(ASAN_OBJ)
	rm -f $@
	ar rcs $@ $(ASAN_OBJ)

focal-asan: $(CMD_ASAN_OBJ) libfocal-asan.a
	$(CC) $(ASAN) $(LDFLAGS) -o $@ $(CMD_ASAN_OBJ) libfocal-asan.a $(LDLIBS_ALL)

tests/unit_%-asan: tests/unit_%.c tests/tap.h libfocal-asan.a $(HDR)
	$(CC) $(WARN) -Wno-missing-prototypes $(ASAN) $(CPPFLAGS_ALL) -Isrc -o $@ $< libfocal-asan.a $(LDLIBS_ALL)

# A third build with ThreadSanitizer (focal-tsan, tests/unit_*-tsan; the AVX2 clones off,
# as TSan cannot follow ifuncs), and check-tsan: the tests whose code runs on threads (the
# reader, the gradient pass, SMOTE, cv's tasks), where a race report fails the test.
TSAN    = -O1 -g -fsanitize=thread -fno-omit-frame-pointer -DFOCAL_NO_TARGET_CLONES
TSAN_OBJ = $(LIB_SRC:.c=.tsan.o)
CMD_TSAN_OBJ = $(CMD_SRC:.c=.tsan.o)
TSAN_TESTS = unit_pool unit_train unit_sample unit_cv t_read t_bigread t_sample t_cv t_decision t_scale t_stdout

src/%.tsan.o: src/%.c $(HDR)
	$(CC) $(WARN) $(TSAN) $(CPPFLAGS_ALL) -c -o $@ $<

libfocal-tsan.a: $(TSAN_OBJ)
	rm -f $@
	ar rcs $@ $(TSAN_OBJ)

focal-tsan: $(CMD_TSAN_OBJ) libfocal-tsan.a
	$(CC) $(TSAN) $(LDFLAGS) -o $@ $(CMD_TSAN_OBJ) libfocal-tsan.a $(LDLIBS_ALL)

tests/unit_%-tsan: tests/unit_%.c tests/tap.h libfocal-tsan.a $(HDR)
	$(CC) $(WARN) -Wno-missing-prototypes $(TSAN) $(CPPFLAGS_ALL) -Isrc -o $@ $< libfocal-tsan.a $(LDLIBS_ALL)

check-tsan: focal-tsan $(patsubst %,tests/%-tsan,$(filter unit_%,$(TSAN_TESTS)))
	@TESTS="$(TSAN_TESTS)" TSAN_OPTIONS="halt_on_error=1 exitcode=66" sh tests/run -tsan

# t_faults.sh's allocation-failure library (LD_PRELOAD).
tests/failalloc.so: tests/failalloc.c
	$(CC) -shared -fPIC -O2 -o $@ $<

# Every test on the optimised build, then on the sanitized one; one summary line.
check: focal $(UNIT_BIN) focal-asan $(UNIT_ASAN) tests/failalloc.so $(MPI_CHECK)
	@sh tests/run "" -asan

# Only the optimised build.
check-fast: focal $(UNIT_BIN) tests/failalloc.so $(MPI_CHECK)
	@sh tests/run ""

# libFuzzer targets, built with clang beside the other builds (src/*.fuzz.o) and not part
# of check: make fuzz [FUZZ_SECONDS=60] runs each in turn from the committed corpus and
# seeds made from the bundled datasets, models trained on them and their predictions.
# (clang links a target_clones function of the instrumented objects to its resolver
# under another name: the fuzz build takes the plain copies.)
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_FLAGS =
FUZZ_SAN = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DFOCAL_NO_TARGET_CLONES \
	-fno-omit-frame-pointer
FUZZ_OBJ = $(LIB_SRC:.c=.fuzz.o)
# fuzz_cmd runs the commands in-process: their objects without focal.c's main.
FUZZ_CMD_OBJ = $(filter-out src/focal.fuzz.o,$(CMD_SRC:.c=.fuzz.o))
FUZZ_BIN = tests/fuzz_csv tests/fuzz_model tests/fuzz_cmd tests/fuzz_cache
FUZZ_OUT = tests/fuzz-out
# A 64 KB input has no business asking for more than 256 MB at once.
FUZZ_RUN = -max_len=65536 -max_total_time=$(FUZZ_SECONDS) -timeout=10 -malloc_limit_mb=256 \
	-print_final_stats=1

src/%.fuzz.o: src/%.c $(HDR)
	$(FUZZ_CC) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(CPPFLAGS_ALL) -c -o $@ $<

libfocal-fuzz.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $(FUZZ_OBJ)

tests/fuzz_cmd: tests/fuzz_cmd.c tests/fuzz/tempfile.h $(FUZZ_CMD_OBJ) libfocal-fuzz.a $(HDR)
	$(FUZZ_CC) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer $(CPPFLAGS_ALL) -Isrc -o $@ $< \
		$(FUZZ_CMD_OBJ) libfocal-fuzz.a $(LDLIBS_ALL)

tests/fuzz_%: tests/fuzz_%.c tests/fuzz/tempfile.h libfocal-fuzz.a $(HDR)
	$(FUZZ_CC) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer $(CPPFLAGS_ALL) -Isrc -o $@ $< \
		libfocal-fuzz.a $(LDLIBS_ALL)

# Seeds, made afresh by tests/fuzz/seed.sh (which says what they are) from the datasets
# and models ./focal trains on them.
fuzz-seeds: focal
	sh tests/fuzz/seed.sh ./focal $(FUZZ_OUT)/seeds

# The minimised corpus of every earlier campaign, committed: make fuzz-replay runs each
# target once over its inputs (a crash or a leak fails it); make fuzz replays, fuzzes
# from the corpus and the seeds, then merges what found new coverage back into it.
FUZZ_CORPUS = tests/fuzz-corpus
FUZZ_TARGETS = csv model cmd cache
fuzz-replay: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz_$$t: $$(ls $(FUZZ_CORPUS)/$$t | wc -l) inputs"; \
		tests/fuzz_$$t -runs=0 -timeout=10 -malloc_limit_mb=256 $(FUZZ_CORPUS)/$$t \
			2>$(FUZZ_OUT).replay.log || { tail -n 30 $(FUZZ_OUT).replay.log; exit 1; }; \
	done; rm -f $(FUZZ_OUT).replay.log

fuzz: $(FUZZ_BIN) fuzz-seeds fuzz-replay
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/$$t $(FUZZ_CORPUS)/$$t; \
		d=; [ ! -f tests/fuzz/$$t.dict ] || d=-dict=tests/fuzz/$$t.dict; \
		tests/fuzz_$$t $(FUZZ_RUN) $$d -artifact_prefix=$(FUZZ_OUT)/$$t- \
			$(FUZZ_FLAGS) $(FUZZ_OUT)/$$t $(FUZZ_CORPUS)/$$t $(FUZZ_OUT)/seeds/$$t; \
		tests/fuzz_$$t -merge=1 -max_len=65536 -timeout=10 -malloc_limit_mb=256 \
			$(FUZZ_CORPUS)/$$t $(FUZZ_OUT)/$$t $(FUZZ_OUT)/seeds/$$t; \
	done

bench/%: bench/%.c libfocal.a $(HDR)
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS_ALL) -Isrc -o $@ $< libfocal.a $(LDLIBS_ALL)

bench: focal $(BENCH_BIN)
	@sh bench/run

lint-man:
	mandoc -Tlint -Wwarning man/*.1 man/*.5

install: focal
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	cp focal $(DESTDIR)$(BINDIR)/focal
	chmod 755 $(DESTDIR)$(BINDIR)/focal
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/*.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/focal
	for f in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$${f#man/}; done
	for f in man/*.5; do rm -f $(DESTDIR)$(MANDIR)/man5/$${f#man/}; done

clean:
	rm -f focal focal-asan src/*.o libfocal.a libfocal-asan.a $(UNIT_BIN) $(UNIT_ASAN) $(BENCH_BIN) \
		libfocal-fuzz.a $(FUZZ_BIN) tests/failalloc.so focal-tsan libfocal-tsan.a \
		src/*.tsan.o tests/unit_*-tsan focal-mpi bench/mpibench

.PHONY: mpi all check check-fast check-tsan bench lint-man install uninstall clean fuzz fuzz-seeds \
	fuzz-replay
