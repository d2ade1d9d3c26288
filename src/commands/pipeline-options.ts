import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import type { PipelineHooks, PipelineOptions } from '../pipeline.js';
import { loadTemplate, DEFAULT_TEMPLATE_PATH } from '../render/template.js';
import type { RenderOptions } from '../render/render-config.js';
import type { Settings } from '../settings.js';
import type { AnnotationNames } from '../model/pod.js';
import type { TlsOptions } from '../model/tls.js';
import type { HttpsOptions } from '../model/tls-view.js';
import { listenAddresses } from './listen-addresses.js';
import { membersSocketPath } from '../sinks/nginx-paths.js';

/**
 * Builds the pipeline's options from the settings: loads the template (throws TemplateError), and logs rejected
 * annotations once per change (unless `logIssues` is false: the output shows them) and refused renders, besides any
 * extra hooks.
 */
export function pipelineOptions(settings: Settings, scheduler: SchedulerLike, logger: Logger, extra: PipelineHooks = {}, logIssues = true): PipelineOptions {
  const template = loadTemplate(settings.template ?? DEFAULT_TEMPLATE_PATH);
  let hasConfig = false;
  const hooks: PipelineHooks = {
    ...extra,
    issues: (added, all) => {
      if (logIssues) for (const issue of added) logger.warn(issue.code.includes('tls') ? 'TLS not served as asked' : 'routing annotation rejected', { pod: issue.pod, code: issue.code, reason: issue.message });
      extra.issues?.(added, all);
    },
    rendered: (config) => {
      hasConfig = true;
      extra.rendered?.(config);
    },
    renderFailed: (error) => {
      logger.error(hasConfig ? 'config not rendered; the previous config stays in force' : 'config not rendered; there is no config yet', { error: String(error) });
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
      ...(settings.tls && settings.defaultTlsSecret !== null ? { keepSecrets: [settings.defaultTlsSecret] } : {}),
    },
    render: renderOptions(settings),
    hooks,
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
    dynamic: settings.backends === 'static' ? undefined : {
      modulesDir: settings.nginxModulesDir.replace(/\/+$/, ''),
      membersSocket: membersSocketPath(settings.nginxConf),
      minSharedDictKb: settings.luaSharedDictMinMb * 1024,
    },
  };
}
