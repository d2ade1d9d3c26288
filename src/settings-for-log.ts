// The effective settings as the start-up log line shows them: every value, secrets masked. KUBE_HOST is a plain URL
// and may carry credentials (`https://user:token@api:6443`, `?access_token=`), which must never reach a log.
import { SETTINGS, type Command, type Settings } from './settings.js';

/** What replaces a secret in the log. */
export const REDACTED = 'REDACTED';

// Settings holding URLs: user info and query values are masked.
const URL_SETTINGS: readonly (keyof Settings)[] = ['kubeHost'];

/**
 * Returns the settings for the start-up log line: every value (only those of `command` when given), label
 * selectors as text, credentials masked.
 */
export function settingsForLog(settings: Settings, command?: Command): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings) as [keyof Settings, unknown][]) {
    if (command !== undefined && !(SETTINGS[key].commands as readonly Command[]).includes(command)) continue;
    if (URL_SETTINGS.includes(key)) shown[key] = typeof value === 'string' ? redactUrl(value) : value;
    else if (key === 'selector') shown[key] = (value as { text?: unknown }).text ?? value;
    else shown[key] = value;
  }
  return shown;
}

/** Returns a URL with its user name, password and every query value masked (unparsable text is masked whole). */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return REDACTED;
  }
  const hasUser = url.username !== '' || url.password !== '';
  const hasQuery = url.search !== '';
  if (!hasUser && !hasQuery && url.hash === '') return text;
  if (hasUser) {
    url.username = REDACTED;
    url.password = '';
  }
  const names = [...url.searchParams.keys()];
  url.search = '';
  for (const name of new Set(names)) url.searchParams.append(name, REDACTED);
  url.hash = '';
  return url.toString();
}
