// Mocha root hooks (loaded through .mocharc.json "require").
//
// Starts ONE PostgreSQL server for the whole run (embedded in a temp folder, or TEST_DATABASE_URL)
// and builds the template database `sms_test_template` with initDatabase(), once. Suites get their
// own database with freshDatabase() from test/helpers/db.ts. Everything is removed at the end.
//
// Environment:
//   TEST_DATABASE_URL  use this PostgreSQL server instead of an embedded one
//                      (the user must be allowed to CREATE DATABASE; PostgreSQL 13+)
//   TEST_LOG_LEVEL     log level of the test infrastructure (default silent), e.g. debug

import { shutdownTestCluster, testCluster } from './helpers/db.ts';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    await testCluster();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await shutdownTestCluster();
  },
};
