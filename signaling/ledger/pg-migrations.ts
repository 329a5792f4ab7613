// The ledger's PostgreSQL schema, one script per version (`schema_version` counts them). Append only,
// as migrations.ts for SQLite: the same tables, columns and checks as SQLite's versions 1 and 2 together
// (see there for what each holds), in PostgreSQL's types; points and times are BIGINT.

const SCHEMA_1 = `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    balance BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    CHECK (balance >= 0 OR id LIKE '@%')
  );

  CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('grant', 'hold', 'post', 'void', 'reject', 'escrow', 'pay', 'release')),
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    at_ms BIGINT NOT NULL
  );

  CREATE TABLE transfers (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'post', 'void', 'reject', 'expire')),
    debit TEXT NOT NULL REFERENCES accounts (id),
    credit TEXT NOT NULL REFERENCES accounts (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    hold_id TEXT,
    at_ms BIGINT NOT NULL,
    CHECK (debit <> credit)
  );
  CREATE INDEX transfers_by_debit ON transfers (debit, seq);
  CREATE INDEX transfers_by_credit ON transfers (credit, seq);

  CREATE TABLE holds (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL REFERENCES accounts (id),
    worker TEXT NOT NULL REFERENCES accounts (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    expires_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'posted', 'voided', 'rejected', 'expired')),
    reason TEXT,
    created_at_ms BIGINT NOT NULL,
    closed_at_ms BIGINT
  );
  CREATE INDEX holds_open_by_expiry ON holds (expires_at_ms) WHERE state = 'open';
  CREATE INDEX holds_open_by_client ON holds (client) WHERE state = 'open';
  CREATE INDEX holds_open_by_worker ON holds (worker) WHERE state = 'open';

  CREATE TABLE grants (
    account TEXT PRIMARY KEY REFERENCES accounts (id),
    ip TEXT NOT NULL,
    day TEXT NOT NULL,
    request_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL
  );
  CREATE INDEX grants_by_ip_day ON grants (ip, day);

  CREATE TABLE records (
    worker TEXT PRIMARY KEY REFERENCES accounts (id),
    jobs BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    recent_valid DOUBLE PRECISION NOT NULL DEFAULT 0,
    recent_total DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at_ms BIGINT NOT NULL
  );

  CREATE TABLE escrows (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL REFERENCES accounts (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    remaining BIGINT NOT NULL CHECK (remaining BETWEEN 0 AND amount),
    expires_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'released', 'expired')),
    returned BIGINT CHECK (returned >= 0),
    created_at_ms BIGINT NOT NULL,
    closed_at_ms BIGINT,
    CHECK ((state = 'open') = (returned IS NULL)),
    CHECK (state = 'open' OR remaining = 0)
  );
  CREATE INDEX escrows_open_by_expiry ON escrows (expires_at_ms) WHERE state = 'open';
  CREATE INDEX escrows_open_by_client ON escrows (client) WHERE state = 'open';

  CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$;
  CREATE TRIGGER requests_append_only BEFORE UPDATE OR DELETE ON requests
    FOR EACH ROW EXECUTE FUNCTION append_only();
  CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION append_only();

  INSERT INTO accounts (id, balance, created_at_ms) VALUES ('@mint', 0, 0), ('@escrow', 0, 0);
`;

export const PG_MIGRATIONS: readonly string[] = [SCHEMA_1];
