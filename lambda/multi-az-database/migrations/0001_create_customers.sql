-- Customers of the coffee shop's loyalty programme.
CREATE TABLE customers (
  customer_id  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email        text        NOT NULL CHECK (email LIKE '%_@_%'),
  display_name text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One account per address, whatever its case.
CREATE UNIQUE INDEX customers_email_key ON customers (lower(email));
