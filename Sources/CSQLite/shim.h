#include <sqlite3.h>

/* sqlite3_db_config is variadic, so Swift cannot call it: custos's reader switches off what a
   hostile database could use against it (triggers, views, functions named in its schema,
   extensions) and turns on defensive mode, which refuses writes to the schema. */
static inline void custos_sqlite3_harden(sqlite3 *db) {
    int value = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &value);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &value);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &value);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, &value);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &value);
}
