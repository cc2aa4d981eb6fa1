/* Drives LMDB (mdb.c, midl.c) through tagger cc's instrumented build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lmdb.h"

int main(int argc, char **argv)
{
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	MDB_val key, val;
	char k[32], v[64];
	if (argc < 2 || mdb_env_create(&env) || mdb_env_set_mapsize(env, 64 << 20) || mdb_env_open(env, argv[1], 0, 0664))
		return 1;
	for (int round = 0; round < 4; round++) {
		if (mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi))
			return 2;
		for (int i = 0; i < 3000; i++) {
			snprintf(k, sizeof k, "key-%d-%d", round, i);
			snprintf(v, sizeof v, "value %d of round %d", i, round);
			key.mv_size = strlen(k); key.mv_data = k;
			val.mv_size = strlen(v); val.mv_data = v;
			if (mdb_put(txn, dbi, &key, &val, 0))
				return 3;
		}
		if (mdb_txn_commit(txn))
			return 4;
	}
	/* A read transaction left open keeps its memory live in the report. */
	mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	key.mv_size = strlen("key-2-7"); key.mv_data = "key-2-7";
	if (mdb_get(txn, dbi, &key, &val))
		return 5;
	printf("found=%.*s\n", (int)val.mv_size, (char *)val.mv_data);
	return 0;
}
