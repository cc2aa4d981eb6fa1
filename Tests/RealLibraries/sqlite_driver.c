/* Drives SQLite through tagger cc's instrumented build; prints SQLite's own view of its heap. */
#include <stdio.h>
#include "sqlite3.h"

/* sqlean.py appends core_init(), which registers its extensions; they are not built here. */
int sqlite3_sqlean_init(sqlite3 *db, char **error, const void *api)
{
	(void)db, (void)error, (void)api;
	return SQLITE_OK;
}

int main(void)
{
	sqlite3 *db;
	char sql[256];
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "create table t(a integer primary key, b text, c blob)", 0, 0, 0);
	sqlite3_exec(db, "begin", 0, 0, 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(sql, sizeof sql, "insert into t(b, c) values('row %d', zeroblob(%d))", i, i % 97);
		if (sqlite3_exec(db, sql, 0, 0, 0) != SQLITE_OK)
			return 2;
	}
	sqlite3_exec(db, "commit", 0, 0, 0);
	sqlite3_exec(db, "create index tb on t(b)", 0, 0, 0);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "select count(*), sum(length(c)) from t where b like 'row 1%'", -1, &st, 0);
	sqlite3_step(st);
	printf("rows=%d\n", sqlite3_column_int(st, 0));
	/* The statement and the connection stay open: their memory is live in the report. */
	int count = 0, high = 0;
	sqlite3_status(SQLITE_STATUS_MALLOC_COUNT, &count, &high, 0);
	printf("sqlite_memory_used=%lld sqlite_malloc_count=%d\n", (long long)sqlite3_memory_used(), count);
	return 0;
}
