// CustosSweep: periodic, incremental sweeps of file shares, with their state in SQLite.
//
// It owns the sweep's state file (every file seen, every finding and where it is, every sweep
// and its counts), the decision whether a file must be read again, the lifecycle of findings
// (new → open → resolved → reopened), progress, and the report for people built from the state.
// Walking is CustosSources' job (FileQueue), scanning CustosScan's (SingleFileScanner),
// attribution CustosOwners' (OwnershipResolver).
//
// The trade-off that shaped it: a sweep of an unchanged share must cost a stat per file, not a
// read, and an interrupted sweep must lose nothing. So each file's metadata is compared with an
// indexed lookup in the state, results stream through a bounded channel to one writer that
// commits them in batches (WAL), and everything that depends on the whole sweep (removed files,
// statuses, counts) happens in one final transaction. The only memory spent per file is one
// bit (the rows found unchanged, so that they cost no write).
//
// The state never holds a secret: findings are stored by fingerprint with a redacted display, the
// secret's SHA-256 (what an owners registry stores) and the ownership attributed when the file
// was read.
