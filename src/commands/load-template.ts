// Reading the template file: start-up I/O, kept out of src/render so rendering stays a pure function.
import { readFileSync } from 'node:fs';
import { DEFAULT_TEMPLATE_PATH } from '../package-files.js';
import { compileTemplate, TemplateError, type Template } from '../render/template.js';

/** Reads and compiles a template file, the shipped one by default (throws TemplateError). */
export function loadTemplate(path: string = DEFAULT_TEMPLATE_PATH): Template {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TemplateError(`cannot read template ${path}: ${(error as Error).message}`, { cause: error });
  }
  return compileTemplate(text, path);
}
