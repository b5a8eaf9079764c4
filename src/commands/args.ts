// Checks the args of a host command (they come from the webview, which renders model output):
// a wrong type is an invalid-params error that names the argument.
import { HostCommandError } from '../relay/invokeRouter';

export function requireString(args: Record<string, unknown>, name: string, { allowEmpty = false } = {}): string {
  const value = args[name];
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw new HostCommandError(-32602, `"${name}" must be a${allowEmpty ? '' : ' non-empty'} string.`);
  }
  return value;
}

export function optionalString(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new HostCommandError(-32602, `"${name}" must be a string when given.`);
  return value;
}

export function optionalInteger(args: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new HostCommandError(-32602, `"${name}" must be an integer from ${min} to ${max}.`);
  }
  return value as number;
}
