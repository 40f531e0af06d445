-- Loyalty points as an append-only ledger: the balance is a sum, and history
-- is never rewritten.
CREATE TABLE loyalty_ledger (
  entry_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id uuid        NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
  points      integer     NOT NULL CHECK (points <> 0),
  reason      text        NOT NULL,
  -- An order earns points once, however often its event is delivered.
  order_id    uuid        UNIQUE,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX loyalty_ledger_customer_idx ON loyalty_ledger (customer_id, recorded_at DESC);
