import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { newIssues, type Issue } from '../model/issue.js';

/**
 * Calls `report` with the issues each config has that the one before it did not, so a rejected annotation is
 * reported once per change, not once per render.
 *
 * ```
 * configs: -A{x}-B{x,y}-C{y}-|
 * report:  -[x]--[y]---------|
 * ```
 */
export function reportIssues<T extends { readonly issues: readonly Issue[] }>(
  report: (issues: readonly Issue[], all: readonly Issue[]) => void,
): MonoTypeOperatorFunction<T> {
  return (configs$) =>
    defer(() => {
      let previous: readonly Issue[] = [];
      return configs$.pipe(
        tap((config) => {
          const added = newIssues(previous, config.issues);
          previous = config.issues;
          if (added.length > 0) report(added, config.issues);
        }),
      );
    });
}
