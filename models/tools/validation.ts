// JSON-schema validation (ajv) shared by the process: each schema is compiled once, when the
// module declaring it loads, and reused for every value checked against it.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** Validates values as they are (request bodies, options already typed). */
export const ajv = new Ajv({ allErrors: false, strict: true });

/** Validates and converts text values (stored parameters, CLI options) to the schema's types. */
export const ajvCoercing = new Ajv({ allErrors: false, strict: true, coerceTypes: true });

export type { ValidateFunction };

/** The first error of the last validation, in words: "must be >= 1", "must be integer"... */
export function firstError(validate: ValidateFunction): ErrorObject | undefined {
  return validate.errors?.[0] ?? undefined;
}

/** Property name an error is about ('' for the value itself). */
export function errorProperty(error: ErrorObject): string {
  if (error.keyword === 'required') return String((error.params as { missingProperty: string }).missingProperty);
  return error.instancePath.split('/')[1] ?? '';
}

/** ajv's message, with the allowed values spelled out for enums. */
export function errorMessage(error: ErrorObject): string {
  if (error.keyword === 'enum') return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? 'is invalid';
}
