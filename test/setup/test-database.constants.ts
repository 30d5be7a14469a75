/** Environment keys through which the global setup tells test files where PostgreSQL is. */
export const TEST_PG_ADMIN_URL = 'TEST_PG_ADMIN_URL';
export const TEST_PG_RUN_ID = 'TEST_PG_RUN_ID';
