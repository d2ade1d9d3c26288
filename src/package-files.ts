// The files the package ships beside its code (the template, the Lua balancer, package.json), found from the package
// root. This module sits one level below the root in both forms of the program: src/ under tsx, and dist/ once built,
// because the build (scripts/build.ts) writes every file of the bundle flat into dist/, wherever this code lands.
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
const shipped = (path: string): string => fileURLToPath(new URL(path, ROOT));

/** The package's manifest (its version, for --version). */
export const PACKAGE_JSON = shipped('package.json');

/** The template shipped with the product. */
export const DEFAULT_TEMPLATE_PATH = shipped('templates/nginx.conf.mustache');

/** The Lua package of dynamic backends, copied into the nginx prefix at start-up. */
export const LUA_SOURCE_DIR = shipped('lua/k8s_pods_ingress/');
