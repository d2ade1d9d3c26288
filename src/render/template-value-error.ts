/** A value refused on its way into nginx.conf: the allow-lists upstream of the renderer were bypassed. */
export class TemplateValueError extends Error {
  override readonly name = 'TemplateValueError';
}
