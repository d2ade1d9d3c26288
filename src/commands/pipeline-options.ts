import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import type { PipelineHooks, PipelineOptions } from '../pipeline.js';
import { loadTemplate, DEFAULT_TEMPLATE_PATH } from '../commands/load-template.js';
import type { Settings } from '../settings.js';

/**
 * Builds the pipeline's options from the settings: loads the template (throws TemplateError), and logs rejected
 * annotations once per change and refused renders, besides any extra hooks.
 */
export function pipelineOptions(settings: Settings, scheduler: SchedulerLike, logger: Logger, extra: PipelineHooks = {}): PipelineOptions {
  const template = loadTemplate(settings.template ?? DEFAULT_TEMPLATE_PATH);
  const hooks: PipelineHooks = {
    ...extra,
    issues: (added, all) => {
      for (const issue of added) logger.warn('routing annotation rejected', { pod: issue.pod, code: issue.code, reason: issue.message });
      extra.issues?.(added, all);
    },
    renderFailed: (error) => {
      logger.error('config not rendered; the previous config stays in force', { error: String(error) });
      extra.renderFailed?.(error);
    },
  };
  return {
    windowMs: settings.windowMs,
    scheduler,
    template,
    reduce: {
      limits: { maxEntries: settings.maxEntries, maxAnnotationLength: settings.maxAnnotationLength, maxRoutes: settings.maxRoutes },
      ownership: settings.ownership,
      ownershipGraceMs: settings.ownershipGraceSeconds * 1000,
    },
    render: { port: settings.port, ownership: settings.ownership, workerProcesses: settings.nginxWorkers },
    hooks,
  };
}
