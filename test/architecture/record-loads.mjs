// Module hooks (node:module register) that report every URL the ESM loader resolves to a MessagePort, so a test can
// see what importing an entry point really loads — its own files and every package, through tsx's loader.
let port;
export function initialize(data) {
  port = data.port;
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
