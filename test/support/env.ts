// Defaults so modules that read config at load time can be imported by unit tests.
process.env.TABLE_NAME ??= 'test-table';
process.env.CURSOR_SECRET ??= 'test-cursor-secret';
process.env.LINK_SECRET ??= 'test-link-secret-0123456789abcdef0123456';
process.env.AWS_REGION ??= 'us-east-1';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'true';
