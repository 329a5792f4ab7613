// Ledger schema, one SQL script per version (PRAGMA user_version counts them). Append only.

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE accounts (
     id TEXT PRIMARY KEY,
     public_key TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE transfers (
     id TEXT PRIMARY KEY,
     debit TEXT NOT NULL,
     credit TEXT NOT NULL,
     amount INTEGER NOT NULL CHECK (amount > 0),
     kind TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
];
