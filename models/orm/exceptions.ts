// Odoo's exception hierarchy (odoo.exceptions + the Python builtins Odoo lets through).
// `odooName` is what travels as JSON-RPC `data.name`; the protocol adapters map the class
// to XML-RPC fault codes and JSON-2 HTTP statuses (rpc/errors.ts).

export class OdooError extends Error {
  /** Fully qualified Python name, e.g. `odoo.exceptions.UserError`. */
  odooName = 'builtins.Exception';
  /** Python's `exc.args`. */
  args: unknown[];
  context: Record<string, unknown> = {};
  constructor(message: string, ...extra: unknown[]) {
    super(message);
    this.args = [message, ...extra];
  }
}

/** Business error shown to the user (fault 2, JSON-2 422). */
export class UserError extends OdooError {
  override odooName = 'odoo.exceptions.UserError';
}
/** Constraint violation (fault 2, JSON-2 422). */
export class ValidationError extends UserError {
  override odooName = 'odoo.exceptions.ValidationError';
}
/** Record missing or deleted (fault 2, JSON-2 404). */
export class MissingError extends UserError {
  override odooName = 'odoo.exceptions.MissingError';
}
/** Row lock not obtained (fault 2, JSON-2 409). */
export class LockError extends UserError {
  override odooName = 'odoo.exceptions.LockError';
}
/** Wrong credentials (fault 3, JSON-2 403 / 401 for a bad bearer). */
export class AccessDenied extends UserError {
  override odooName = 'odoo.exceptions.AccessDenied';
  constructor(message = 'Access Denied') {
    super(message);
  }
}
/** Access rights / private method refusal (fault 4, JSON-2 403). */
export class AccessError extends UserError {
  override odooName = 'odoo.exceptions.AccessError';
}
export class RedirectWarning extends OdooError {
  override odooName = 'odoo.exceptions.RedirectWarning';
}

// Python builtins that Odoo surfaces as fault 1 / JSON-RPC code 0 with their builtin name.
export class PyValueError extends OdooError {
  override odooName = 'builtins.ValueError';
}
export class PyTypeError extends OdooError {
  override odooName = 'builtins.TypeError';
}
export class PyKeyError extends OdooError {
  override odooName = 'builtins.KeyError';
}
export class PyAttributeError extends OdooError {
  override odooName = 'builtins.AttributeError';
}
export class PyNameError extends OdooError {
  override odooName = 'builtins.NameError';
}
export class PyAssertionError extends OdooError {
  override odooName = 'builtins.AssertionError';
}
/** Values nested deeper than anything can process (CPython's recursion limit). */
export class PyRecursionError extends OdooError {
  override odooName = 'builtins.RecursionError';
}
/** werkzeug NotFound: JSON-RPC code 404, JSON-2 404. */
export class NotFound extends OdooError {
  override odooName = 'werkzeug.exceptions.NotFound';
  constructor(message = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.') {
    super(message);
  }
}
/** No or expired web session: JSON-RPC code 100. */
export class SessionExpiredException extends OdooError {
  override odooName = 'odoo.http.SessionExpiredException';
  constructor(message = 'Session expired') {
    super(message);
  }
}
