/*
 * cache.h: --cache, the data of a training table kept in a binary file (SPEC "Beyond
 * one machine").
 *
 * The file holds the schema, the encoded rows (features, labels, weights, the missing
 * values' places, each row's file and line) and the warnings the reading gave, after a
 * key that names the inputs (each file's path, size and modification time) and the
 * reading options.  A later run whose key is the same reads this file instead of the
 * CSV; one whose key differs (stale) reads the CSV and writes the file anew.  The
 * header and the whole file each carry a CRC-32, so a file that is damaged, truncated
 * or not a cache at all is refused with a message, never used or overwritten.  The
 * format (version CACHE_VERSION) is in man/focal.5; numbers are in the machine's byte
 * order, which the header records.
 */
#ifndef FOCAL_CACHE_H
#define FOCAL_CACHE_H

#include <stddef.h>

#include "data.h"

#define CACHE_VERSION 1

/* The key of reading PATHS with O: a text the caller frees; NULL with E filled when an
 * input cannot be looked at (or is standard input, which cannot be cached). */
char *cache_key(const char *const *paths, size_t npaths, const struct readopts *o,
                struct ferr *e);

/*
 * Reads PATH: 0 with S and D filled (and the reading's warnings passed to WARN) when
 * it is a cache of KEY; 1 when PATH does not exist or is the cache of another key or
 * version; -1 with E filled when it is damaged or not a cache.
 */
int cache_load(const char *path, const char *key, struct schema *s, struct dataset *d,
               void (*warn)(const char *msg), struct ferr *e);

/*
 * cache_load for one process's share of a table (focal-mpi, data.c): the file is of
 * KEY when its key begins with KEY; what follows goes to *REST (malloc'd, on 0 only).
 * D may hold no rows, or none of some class: D->count counts D's own rows.
 */
int cache_load_share(const char *path, const char *key, char **rest, struct schema *s,
                     struct dataset *d, void (*warn)(const char *msg), struct ferr *e);

/* Writes S, D and the warnings WARNS[0..nwarn) as the cache of KEY to PATH (whole or
 * not at all); 0, or -1 with E filled. */
int cache_save(const char *path, const char *key, const struct schema *s,
               const struct dataset *d, char *const *warns, size_t nwarn, struct ferr *e);

#endif
