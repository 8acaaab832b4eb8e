'use strict';
// usage_error.js: the error the JS and control APIs throw when asked for something the sandbox
// cannot do (an unknown platform or user, a bad seed count). `status` is what the control API
// answers with: 400 for a malformed request, 404 for a user the sandbox does not know.

class SandboxUsageError extends TypeError {
  constructor(message, status = 400) {
    super(message);
    this.name = 'SandboxUsageError';
    this.status = status;
  }
}

/** describeId: a caller's id, quoted and cut short, for an error message (ids are not secrets). */
function describeId(value) {
  const text = String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

module.exports = { SandboxUsageError, describeId };
