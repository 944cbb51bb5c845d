import { FailureTypes, permanent } from '../errors.ts';

/** Reads a secret the plan names by environment variable; the value never leaves the activity. */
export function secretFromEnv(variable: string, field: string): string {
  const value = process.env[variable];
  if (!value) {
    throw permanent(
      FailureTypes.invalidInput,
      `${field}: environment variable ${variable} is not set on the worker; export it where the shipgate worker runs`,
    );
  }
  return value;
}
