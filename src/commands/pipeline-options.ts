import type { SchedulerLike } from 'rxjs';
import type { PipelineHooks, PipelineOptions } from '../pipeline.js';
import type { Settings } from '../settings.js';
import { DEFAULT_TEMPLATE_PATH, loadTemplate } from './load-template.js';

/** What the pipeline needs besides the settings: its clock, and the observer's hooks (observePipeline). */
export interface PipelineWiring {
  readonly scheduler: SchedulerLike;
  readonly hooks: PipelineHooks;
}

/** Builds the pipeline's options from the settings; loads the template (throws TemplateError). */
export function pipelineOptions(settings: Settings, wiring: PipelineWiring): PipelineOptions {
  const template = loadTemplate(settings.template ?? DEFAULT_TEMPLATE_PATH);
  return {
    windowMs: settings.windowMs,
    scheduler: wiring.scheduler,
    template,
    reduce: {
      limits: { maxEntries: settings.maxEntries, maxAnnotationLength: settings.maxAnnotationLength, maxRoutes: settings.maxRoutes },
      ownership: settings.ownership,
      ownershipGraceMs: settings.ownershipGraceSeconds * 1000,
    },
    render: { port: settings.port, ownership: settings.ownership, workerProcesses: settings.nginxWorkers },
    hooks: wiring.hooks,
  };
}
