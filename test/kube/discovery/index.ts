/** What clients learn about the server before they call it: version, discovery documents and OpenAPI v3. */
export { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
export { hashOf, openApiDocument, openApiRoot, schemaName } from './openapi.ts';
