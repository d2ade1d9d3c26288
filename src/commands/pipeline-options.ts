import type { SchedulerLike } from 'rxjs';
import type { PipelineHooks, PipelineOptions } from '../pipeline.js';
import type { AnnotationNames } from '../model/pod.js';
import type { TlsOptions } from '../model/tls.js';
import type { HttpsOptions } from '../model/tls-view.js';
import type { RenderOptions } from '../render/render-config.js';
import type { Settings } from '../settings.js';
import { listenAddresses } from './listen-addresses.js';
import { membersSocketPath } from '../sinks/nginx-paths.js';
import { DEFAULT_TEMPLATE_PATH } from '../package-files.js';
import { loadTemplate } from './load-template.js';

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
      limits: {
        maxEntries: settings.maxEntries,
        maxAnnotationLength: settings.maxAnnotationLength,
        maxRoutes: settings.maxRoutes,
      },
      ownership: settings.ownership,
      ownershipGraceMs: settings.ownershipGraceSeconds * 1000,
      ...(settings.tls && settings.defaultTlsSecret !== null ? { keepSecrets: [settings.defaultTlsSecret] } : {}),
    },
    render: renderOptions(settings),
    hooks: wiring.hooks,
  };
}

/** Returns the annotation names the settings route by (the TLS Secret one only with TLS on). */
export function annotationNames(settings: Settings): AnnotationNames {
  return settings.tls
    ? { hosts: settings.hostsAnnotation, paths: settings.pathsAnnotation, tlsSecret: settings.tlsSecretAnnotation }
    : { hosts: settings.hostsAnnotation, paths: settings.pathsAnnotation };
}

function tlsRenderOptions(settings: Settings): TlsOptions & HttpsOptions {
  return {
    defaultSecret: settings.defaultTlsSecret,
    httpsPort: settings.httpsPort,
    publicHttpsPort: settings.httpsRedirectPort ?? settings.httpsPort,
    redirect: settings.httpsRedirect,
    hstsMaxAge: settings.hstsMaxAge,
  };
}

/** Returns what the renderer needs from the settings: port, listen addresses, body size, proxy timeouts, HTTPS. */
export function renderOptions(settings: Settings): RenderOptions {
  return {
    port: settings.port,
    ownership: settings.ownership,
    workerProcesses: settings.nginxWorkers,
    listen: listenAddresses(settings),
    clientMaxBodySize: settings.clientMaxBodySize,
    proxyConnectTimeoutSeconds: settings.proxyConnectTimeoutSeconds,
    proxyReadTimeoutSeconds: settings.proxyReadTimeoutSeconds,
    proxySendTimeoutSeconds: settings.proxySendTimeoutSeconds,
    ...(settings.tls ? { tls: tlsRenderOptions(settings) } : {}),
    dynamic:
      settings.backends === 'static'
        ? undefined
        : {
            modulesDir: settings.nginxModulesDir.replace(/\/+$/, ''),
            membersSocket: membersSocketPath(settings.nginxConf),
            minSharedDictKb: settings.luaSharedDictMinMb * 1024,
          },
  };
}
