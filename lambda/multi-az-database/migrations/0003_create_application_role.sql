-- The role applications connect as. It has no password: on RDS it signs in
-- with IAM database authentication (the rds_iam role), so no application
-- holds a database secret. Outside RDS (local tests) rds_iam does not exist.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coffee_app') THEN
    CREATE ROLE coffee_app LOGIN;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO coffee_app;
  END IF;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON customers, loyalty_ledger TO coffee_app;
