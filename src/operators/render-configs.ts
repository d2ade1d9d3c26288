import { concatMap, defer, EMPTY, of, type OperatorFunction } from 'rxjs';
import type { RenderedConfig } from '../model/rendered-config.js';
import type { RoutingState } from '../model/routing-state.js';
import { StateRenderer, type RenderOptions } from '../render/render-config.js';
import type { Template } from '../render/template.js';

/**
 * Renders each state to nginx.conf, reusing the text of hosts that did not change since the previous state. A
 * state the renderer refuses is passed to `onError` and dropped, so the last good config stays in force and the
 * stream lives on.
 *
 * ```
 * states:  -a-b-c-|     (b is refused)
 * configs: -A---C-|
 * ```
 */
export function renderConfigs(
  template: Template,
  options: RenderOptions,
  onError: (error: unknown) => void,
): OperatorFunction<RoutingState, RenderedConfig> {
  return (states$) =>
    defer(() => {
      const renderer = new StateRenderer(template, options);
      return states$.pipe(
        concatMap((state) => {
          try {
            return of(renderer.render(state));
          } catch (error) {
            onError(error);
            return EMPTY;
          }
        }),
      );
    });
}
