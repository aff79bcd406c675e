// Database bootstrap: builds the model registry and brings the schema of `connectionString`'s
// database up to date (tables, columns, constraints, base data). Idempotent.
// (Implemented by the ORM work; signature is stable.)

export async function initDatabase(connectionString: string): Promise<void> {
  void connectionString;
}
