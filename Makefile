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

check: focal $(UNIT_BIN)
	@sh tests/run

# The same tests on a build with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) clean
	$(MAKE) CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' check
	$(MAKE) clean

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
	rm -f focal src/*.o libfocal.a $(UNIT_BIN) $(BENCH_BIN)

.PHONY: all check check-asan bench lint-man install uninstall clean
