// Ledger schema, one SQL script per version (PRAGMA user_version counts them). Append only: a
// released script is never edited; a change is a new script at the end.
//
// Version 1 was first a placeholder (`accounts`, `transfers`) that nothing wrote to; it was replaced
// by the ledger below before any ledger existed. database.ts refuses a file still holding it.
//
// Double entry: every transfer debits one account and credits another by the same positive amount,
// so all balances sum to zero. `@mint` goes negative by the points granted; `@escrow` holds the
// points of open holds. `requests` keeps the first outcome of every transfer id (idempotent
// retries); `transfers` is the append-only journal of points moved; `holds`, `grants` and `records`
// are state derived from it, kept for fast checks.

const SCHEMA_1 = `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    balance INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    CHECK (balance >= 0 OR id LIKE '@%')
  ) STRICT;

  CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('grant', 'hold', 'post', 'void', 'reject')),
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE transfers (
    seq INTEGER PRIMARY KEY,
    request_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'post', 'void', 'reject', 'expire')),
    debit TEXT NOT NULL REFERENCES accounts (id),
    credit TEXT NOT NULL REFERENCES accounts (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    hold_id TEXT,
    at_ms INTEGER NOT NULL,
    CHECK (debit <> credit)
  ) STRICT;
  CREATE INDEX transfers_by_debit ON transfers (debit, seq);
  CREATE INDEX transfers_by_credit ON transfers (credit, seq);

  CREATE TABLE holds (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL REFERENCES accounts (id),
    worker TEXT NOT NULL REFERENCES accounts (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    expires_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'posted', 'voided', 'rejected', 'expired')),
    reason TEXT,
    created_at_ms INTEGER NOT NULL,
    closed_at_ms INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX holds_open_by_expiry ON holds (expires_at_ms) WHERE state = 'open';
  CREATE INDEX holds_open_by_client ON holds (client) WHERE state = 'open';
  CREATE INDEX holds_open_by_worker ON holds (worker) WHERE state = 'open';

  CREATE TABLE grants (
    account TEXT PRIMARY KEY REFERENCES accounts (id),
    ip TEXT NOT NULL,
    day TEXT NOT NULL,
    request_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX grants_by_ip_day ON grants (ip, day);

  CREATE TABLE records (
    worker TEXT PRIMARY KEY REFERENCES accounts (id),
    jobs INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    recent_valid REAL NOT NULL DEFAULT 0,
    recent_total REAL NOT NULL DEFAULT 0,
    updated_at_ms INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TRIGGER requests_append_only_update BEFORE UPDATE ON requests
    BEGIN SELECT RAISE(ABORT, 'requests are append-only'); END;
  CREATE TRIGGER requests_append_only_delete BEFORE DELETE ON requests
    BEGIN SELECT RAISE(ABORT, 'requests are append-only'); END;
  CREATE TRIGGER transfers_append_only_update BEFORE UPDATE ON transfers
    BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
  CREATE TRIGGER transfers_append_only_delete BEFORE DELETE ON transfers
    BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;

  INSERT INTO accounts (id, balance, created_at_ms) VALUES ('@mint', 0, 0), ('@escrow', 0, 0);
`;

// Version 2: series holds. A client escrows a whole series' budget in one hold that names no
// worker (`escrows`); accepted results are paid from it to any worker until `remaining` is used,
// and what is left goes back at release or expiry (`returned`). The journal keeps its movement
// kinds (hold into @escrow, post to a worker, void or expire back to the client; `hold_id` names
// the escrow); `requests` is rebuilt, as SQLite cannot change a CHECK, to accept the new requests.
const SCHEMA_2 = `
  DROP TRIGGER requests_append_only_update;
  DROP TRIGGER requests_append_only_delete;
  CREATE TABLE requests_2 (
    id TEXT PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('grant', 'hold', 'post', 'void', 'reject', 'escrow', 'pay', 'release')),
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  INSERT INTO requests_2 (id, op, fingerprint, result, at_ms) SELECT id, op, fingerprint, result, at_ms FROM requests;
  DROP TABLE requests;
  ALTER TABLE requests_2 RENAME TO requests;
  CREATE TRIGGER requests_append_only_update BEFORE UPDATE ON requests
    BEGIN SELECT RAISE(ABORT, 'requests are append-only'); END;
  CREATE TRIGGER requests_append_only_delete BEFORE DELETE ON requests
    BEGIN SELECT RAISE(ABORT, 'requests are append-only'); END;

  CREATE TABLE escrows (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL REFERENCES accounts (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    remaining INTEGER NOT NULL CHECK (remaining BETWEEN 0 AND amount),
    expires_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'released', 'expired')),
    returned INTEGER CHECK (returned >= 0),
    created_at_ms INTEGER NOT NULL,
    closed_at_ms INTEGER,
    CHECK ((state = 'open') = (returned IS NULL)),
    CHECK (state = 'open' OR remaining = 0)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX escrows_open_by_expiry ON escrows (expires_at_ms) WHERE state = 'open';
  CREATE INDEX escrows_open_by_client ON escrows (client) WHERE state = 'open';
`;

export const MIGRATIONS: readonly string[] = [SCHEMA_1, SCHEMA_2];
