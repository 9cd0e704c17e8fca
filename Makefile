# focal: Makefile (GNU make).  Respects CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS, PREFIX, DESTDIR.

CC      = cc
CFLAGS  = -O2 -g
WARN    = -std=c11 -Wall -Wextra -Wmissing-prototypes -Wshadow -Wpointer-arith
CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(CPPFLAGS)
LDLIBS_ALL = -lcsv -lz -lm -lpthread $(LDLIBS)
PREFIX  = /usr/local
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man

SRC_ALL = $(wildcard src/*.c)
LIB_SRC = $(filter-out src/focal.c,$(SRC_ALL))
LIB_OBJ = $(LIB_SRC:.c=.o)
HDR     = $(wildcard src/*.h)
UNIT_SRC = $(wildcard tests/unit_*.c)
UNIT_BIN = $(UNIT_SRC:.c=)
BENCH_BIN = bench/gen bench/csvbench

all: focal

src/%.o: src/%.c $(HDR)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ $<

libfocal.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

focal: src/focal.o libfocal.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ src/focal.o libfocal.a $(LDLIBS_ALL)

tests/unit_%: tests/unit_%.c tests/tap.h libfocal.a $(HDR)
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS_ALL) -Isrc -o $@ $< libfocal.a $(LDLIBS_ALL)

# A second build with AddressSanitizer and UndefinedBehaviorSanitizer, beside the first:
# focal-asan, tests/unit_*-asan.
ASAN    = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ = $(LIB_SRC:.c=.asan.o)
UNIT_ASAN = $(UNIT_SRC:.c=-asan)

src/%.asan.o: src/%.c $(HDR)
	$(CC) $(WARN) $(ASAN) $(CPPFLAGS_ALL) -c -o $@ $<

libfocal-asan.a: $(ASAN_OBJ)
	rm -f $@
	ar rcs $@ $(ASAN_OBJ)

focal-asan: src/focal.asan.o libfocal-asan.a
	$(CC) $(ASAN) $(LDFLAGS) -o $@ src/focal.asan.o libfocal-asan.a $(LDLIBS_ALL)

tests/unit_%-asan: tests/unit_%.c tests/tap.h libfocal-asan.a $(HDR)
	$(CC) $(WARN) -Wno-missing-prototypes $(ASAN) $(CPPFLAGS_ALL) -Isrc -o $@ $< libfocal-asan.a $(LDLIBS_ALL)

# Every test on the optimised build, then on the sanitized one; one summary line.
check: focal $(UNIT_BIN) focal-asan $(UNIT_ASAN)
	@sh tests/run "" -asan

# Only the optimised build.
check-fast: focal $(UNIT_BIN)
	@sh tests/run ""

# libFuzzer targets, built with clang beside the other builds (src/*.fuzz.o) and not part
# of check: make fuzz [FUZZ_SECONDS=60] runs each in turn on a corpus under tests/fuzz-out/,
# seeded from the bundled datasets, models trained on them and their predictions.
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_FLAGS =
FUZZ_SAN = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_OBJ = $(LIB_SRC:.c=.fuzz.o)
FUZZ_BIN = tests/fuzz_csv tests/fuzz_model tests/fuzz_cmd
FUZZ_OUT = tests/fuzz-out
# A 64 KB input has no business asking for more than 256 MB at once.
FUZZ_RUN = -max_len=65536 -max_total_time=$(FUZZ_SECONDS) -timeout=10 -malloc_limit_mb=256 \
	-print_final_stats=1

src/%.fuzz.o: src/%.c $(HDR)
	$(FUZZ_CC) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(CPPFLAGS_ALL) -c -o $@ $<

libfocal-fuzz.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $(FUZZ_OBJ)

tests/fuzz_%: tests/fuzz_%.c tests/fuzz/tempfile.h libfocal-fuzz.a $(HDR)
	$(FUZZ_CC) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer $(CPPFLAGS_ALL) -Isrc -o $@ $< \
		libfocal-fuzz.a $(LDLIBS_ALL)

# Seeds, made afresh: heads of the datasets (plain, cut mid-line and gzipped), the small
# files of tests/fuzz/, models trained on the datasets (softmax; logistic with
# categorical features; focal loss with over-sampling), and for fuzz_cmd every sixth row
# of the datasets and of those models' predictions, behind the four bytes that choose
# the command line (tests/fuzz_cmd.c; in printf octal).  Byte 0: 000 eval --truth,
# 001 eval --truth --pred, 002 predict, 003 eval -m; plus 004, 010 or 014 for the votes,
# wdbc or header-less glass model, 020 tsv or 040 json, 100 --no-header, 200 --threshold
# (byte 1 / 255).  Byte 2 picks the --truth, --pred or --keep columns (000: --truth 1);
# byte 3 adds -d TAB (001), --na (002), -o FILE (004), -q (010).
fuzz-seeds: focal
	rm -rf $(FUZZ_OUT)/seeds
	mkdir -p $(FUZZ_OUT)/seeds/csv $(FUZZ_OUT)/seeds/model $(FUZZ_OUT)/seeds/cmd
	for f in datasets/*.csv; do \
		b=$(FUZZ_OUT)/seeds/csv/$$(basename $$f .csv); \
		head -n 12 $$f > $$b-12.csv; \
		head -c 1500 $$f > $$b-cut.csv; \
		head -n 40 $$f | gzip -c > $$b-40.csv.gz; \
	done
	cp tests/fuzz/*.csv $(FUZZ_OUT)/seeds/csv/
	./focal train -q -y type -o $(FUZZ_OUT)/seeds/model/glass.focal datasets/glass.csv >/dev/null
	./focal train -q -y party -o $(FUZZ_OUT)/seeds/model/votes.focal \
		datasets/house-votes-84.csv >/dev/null
	./focal train -q -y diagnosis --loss focal --sample over -o $(FUZZ_OUT)/seeds/model/wdbc.focal \
		datasets/wdbc.csv >/dev/null
	c=$(FUZZ_OUT)/seeds/cmd; m=$(FUZZ_OUT)/seeds/model; \
	seed() { out=$$1; shift; printf "$$1" > $$out; shift; \
		"$$@" | awk 'NR == 1 || NR % 6 == 0' >> $$out; }; \
	seed $$c/glass-pred '\000\000\000\000' ./focal predict -m $$m/glass.focal --keep type \
		datasets/glass.csv && \
	seed $$c/votes-pred '\020\000\000\000' ./focal predict -m $$m/votes.focal --keep party \
		datasets/house-votes-84.csv && \
	seed $$c/wdbc-pred '\240\070\000\000' ./focal predict -m $$m/wdbc.focal --keep diagnosis \
		datasets/wdbc.csv && \
	seed $$c/wdbc-pred2 '\041\000\000\000' ./focal predict -m $$m/wdbc.focal \
		--keep diagnosis,mean_radius datasets/wdbc.csv && \
	seed $$c/glass-pred-nh '\101\000\020\000' ./focal predict -m $$m/glass.focal --keep type \
		datasets/glass.csv && \
	seed $$c/glass-predict '\002\000\002\000' cat datasets/glass.csv && \
	seed $$c/glass-eval '\043\000\000\000' cat datasets/glass.csv && \
	seed $$c/votes-predict '\006\000\003\004' cat datasets/house-votes-84.csv && \
	seed $$c/votes-eval '\027\000\000\000' cat datasets/house-votes-84.csv && \
	seed $$c/wdbc-predict '\212\200\004\004' cat datasets/wdbc.csv && \
	seed $$c/wdbc-eval '\253\070\000\000' cat datasets/wdbc.csv && \
	seed $$c/glass-nh-predict '\116\000\006\000' sed 1d datasets/glass.csv && \
	seed $$c/glass-nh-eval '\117\000\000\000' sed 1d datasets/glass.csv && \
	{ printf '\002\000\002\000'; head -n 40 datasets/glass.csv | gzip -c; } > $$c/glass-gz

fuzz: $(FUZZ_BIN) fuzz-seeds
	mkdir -p $(FUZZ_OUT)/csv $(FUZZ_OUT)/model $(FUZZ_OUT)/cmd
	tests/fuzz_csv $(FUZZ_RUN) -dict=tests/fuzz/csv.dict -artifact_prefix=$(FUZZ_OUT)/csv- \
		$(FUZZ_FLAGS) $(FUZZ_OUT)/csv $(FUZZ_OUT)/seeds/csv
	tests/fuzz_model $(FUZZ_RUN) -dict=tests/fuzz/model.dict -artifact_prefix=$(FUZZ_OUT)/model- \
		$(FUZZ_FLAGS) $(FUZZ_OUT)/model $(FUZZ_OUT)/seeds/model
	tests/fuzz_cmd $(FUZZ_RUN) -dict=tests/fuzz/cmd.dict -artifact_prefix=$(FUZZ_OUT)/cmd- \
		$(FUZZ_FLAGS) $(FUZZ_OUT)/cmd $(FUZZ_OUT)/seeds/cmd

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
		libfocal-fuzz.a $(FUZZ_BIN)

.PHONY: all check check-fast bench lint-man install uninstall clean fuzz fuzz-seeds
