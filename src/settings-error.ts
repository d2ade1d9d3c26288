/** A bad flag or value: the program stops with a message that says what to fix (exit 2). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
