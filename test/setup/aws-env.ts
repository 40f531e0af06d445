/**
 * Every test process talks to local backends only: dummy credentials, one
 * region, and quiet Powertools. Endpoints come from global-setup through the
 * standard AWS_ENDPOINT_URL_* variables, so handler code has no test branches.
 */
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_SERVICE_NAME = 'test';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'Test';
