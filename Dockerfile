# syntax=docker/dockerfile:1
# The controller image: Node 20 runs the compiled pipeline, Debian's nginx serves the traffic it configures.
# Build from the repository root:  docker build -t k8s-pods-ingress:0.1.0 .
# Runs as UID 10001 on port 8080 (HTTP) and 8081 (/healthz, /readyz, /metrics) with a read-only root filesystem:
# the only writable place it needs is the nginx prefix, the directory of NGINX_CONF (an emptyDir in deploy/).

# Builds dist/: tsc type-checks src/ (tsconfig.build.json), then scripts/build.ts bundles it (esbuild) into flat files
# that load fast. Uses the npm that ships with the base image; the lockfile (v3) installs identically with npm 10 and
# 11. esbuild works under --ignore-scripts: its install script only checks the binary, which its platform package
# brings.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

# Runtime dependencies only, installed apart so no compiler or test tool reaches the final image.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# libnginx-mod-http-lua and lua-resty-core: the Lua balancer of --backends dynamic (the default).
# tini is PID 1: it forwards SIGTERM to node (which then quits nginx gracefully) and reaps orphaned nginx workers,
# which node as PID 1 would leave as zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx libnginx-mod-http-lua lua-resty-core tini \
 && rm -rf /var/lib/apt/lists/* \
# The rendered config logs to stderr and keeps pid and temp files in its prefix, so Debian's /var/lib/nginx and
# /var/log/nginx stay root-owned and unused; a custom TEMPLATE that logs to the Debian paths still reaches the pod log.
 && ln -sf /dev/stderr /var/log/nginx/error.log \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
# A numeric, non-root user so Kubernetes can verify runAsNonRoot.
 && groupadd --gid 10001 ingress \
 && useradd --no-log-init --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ingress \
# The nginx prefix: writable for `docker run`; in Kubernetes an emptyDir is mounted over it.
 && install -d -o 10001 -g 10001 -m 0700 /var/run/k8s-pods-ingress

WORKDIR /app
ENV NODE_ENV=production \
    K8S_PODS_INGRESS_PORT=8080 \
    K8S_PODS_INGRESS_HTTPS_PORT=8443 \
    K8S_PODS_INGRESS_HTTP_PORT=8081 \
    K8S_PODS_INGRESS_NGINX_BIN=/usr/sbin/nginx \
    K8S_PODS_INGRESS_NGINX_CONF=/var/run/k8s-pods-ingress/nginx.conf
# package.json carries "type": "module", which makes node load dist/*.js as ES modules; --version reads it too.
COPY package.json ./
# The packages the bundle leaves out, which only `run` and `record` load (the Kubernetes client, prom-client, winston).
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The bundle finds what the package ships one level above dist/ (src/package-files.ts): the template at
# /app/templates, and the Lua balancer at /app/lua, which it copies into the nginx prefix at start-up.
COPY templates ./templates
COPY lua ./lua

USER 10001:10001
EXPOSE 8080 8443 8081
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/main.js"]
CMD ["run"]
