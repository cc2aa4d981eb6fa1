/*
 * The real-program benchmark: a fixed SQL workload on an in-memory SQLite database.
 *
 *   sqlite_workload [ROWS]        (default 200000) prints the query results and a checksum
 *
 * Create a table, insert ROWS rows in transactions of 10k with a prepared statement, build
 * two indexes, run aggregate queries, delete half the rows, query again, and exit with the
 * database open (what is live then is in the report).  An in-memory
 * database keeps every page in SQLite's page cache, so the heap is where the work is.  The
 * output is the same for every build (plain, tagger cc, LD_PRELOAD); the benchmark checks it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sqlite3.h"

/* sqlean.py's amalgamation ends with core_init(), which names its extensions' entry point;
 * they are not built here and SQLITE_EXTRA_INIT is not set, so it is never called. */
int sqlite3_sqlean_init(sqlite3 *db, char **error, const void *api)
{
	(void)db, (void)error, (void)api;
	return SQLITE_OK;
}

static void fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_workload: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *error = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
		fprintf(stderr, "sqlite_workload: %s: %s\n", sql, error);
		exit(1);
	}
}

/* Prints every row of a query as "label: v1 v2 ..." and folds it into *checksum. */
static void query(sqlite3 *db, const char *label, const char *sql, unsigned long long *checksum, int print_rows)
{
	sqlite3_stmt *st;
	int rows = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(db, sql);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (rows < print_rows)
			printf("%s:", label);
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *text = sqlite3_column_text(st, c);
			for (const unsigned char *p = text; p && *p; p++)
				*checksum = *checksum * 31 + *p;
			if (rows < print_rows)
				printf(" %s", text ? (const char *)text : "NULL");
		}
		if (rows < print_rows)
			printf("\n");
		rows++;
	}
	if (sqlite3_finalize(st) != SQLITE_OK)
		fail(db, sql);
	printf("%s: %d rows\n", label, rows);
}

int main(int argc, char **argv)
{
	int rows = argc > 1 ? atoi(argv[1]) : 200000;
	unsigned long long checksum = 0;
	unsigned char payload[256];
	char name[64];
	sqlite3 *db;
	sqlite3_stmt *insert;

	if (rows < 1) {
		fprintf(stderr, "usage: %s [ROWS > 0]\n", argv[0]);
		return 64;
	}
	for (int i = 0; i < (int)sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 7);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		fail(db, "open");
	exec(db, "create table t(id integer primary key, name text, grp integer, payload blob)");
	if (sqlite3_prepare_v2(db, "insert into t(name, grp, payload) values(?, ?, ?)", -1, &insert, NULL) != SQLITE_OK)
		fail(db, "prepare insert");
	for (int i = 0; i < rows; i++) {
		if (i % 10000 == 0)
			exec(db, i == 0 ? "begin" : "commit; begin");
		int n = snprintf(name, sizeof(name), "name-%d-%x", (i * 7919) % rows, i);
		sqlite3_bind_text(insert, 1, name, n, SQLITE_TRANSIENT);
		sqlite3_bind_int(insert, 2, i % 97);
		sqlite3_bind_blob(insert, 3, payload, 16 + (i * 31) % 200, SQLITE_TRANSIENT);
		if (sqlite3_step(insert) != SQLITE_DONE)
			fail(db, "insert");
		sqlite3_reset(insert);
	}
	exec(db, "commit");
	sqlite3_finalize(insert);
	exec(db, "create index t_name on t(name)");
	exec(db, "create index t_grp on t(grp)");
	query(db, "groups", "select grp, count(*), sum(length(payload)), min(name), max(id) from t group by grp order by grp",
	      &checksum, 3);
	query(db, "prefix", "select count(*), sum(grp) from t where name like 'name-1%'", &checksum, 1);
	query(db, "top", "select name, grp from t order by name desc limit 5", &checksum, 5);
	query(db, "join", "select a.grp, count(*) from t a join t b on a.id = b.id + 1 and a.grp = b.grp + 1 group by a.grp limit 4",
	      &checksum, 2);
	exec(db, "delete from t where id % 2 = 0");
	query(db, "after delete", "select count(*), sum(length(name)), avg(grp) from t", &checksum, 1);
	query(db, "distinct", "select count(distinct grp), count(distinct substr(name, 1, 7)) from t", &checksum, 1);
	/* The connection stays open: its pages are live in the report written at exit. */
	printf("checksum=%llu\n", checksum);
	fprintf(stderr, "sqlite memory: %lld bytes in use, %lld at most\n", (long long)sqlite3_memory_used(),
		(long long)sqlite3_memory_highwater(0));
	return 0;
}
